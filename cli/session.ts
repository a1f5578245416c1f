/**
 * What every command gets: its options, the translator and output settings, a lazily opened
 * connection (deploy checks its zip before signing in), and the shared reads of the setup state.
 */
import { evaluate, loadSetupState, type CheckItem, type SetupState } from "../core/setup";
import { resolveConfig, type ConfigOptions, type MarketoConfig } from "./config";
import { connect, type Connection, type ConnectionOptions } from "./connection";
import type { Io } from "./io";
import type { CommandRuntime } from "./network";
import type { Output } from "./output";
import type { Translate } from "./strings";

export interface GlobalOptions extends ConnectionOptions, ConfigOptions {
  json?: boolean;
  output?: "json" | "table" | "text";
  verbose?: boolean;
  /** Seconds the whole command may take (checked by main before the command runs). */
  timeout?: string;
  lang?: string;
  color?: boolean;
  role: string;
  solution: string;
  /** false with --no-marketo-credentials: the CLI signs in with another app registration than Marketo's. */
  marketoCredentials?: boolean;
}

export interface Session {
  io: Io;
  t: Translate;
  out: Output;
  opts: GlobalOptions;
  runtime: CommandRuntime;
  connection(): Promise<Connection>;
}

export function createSession(io: Io, t: Translate, out: Output, opts: GlobalOptions, runtime: CommandRuntime): Session {
  let pending: Promise<Connection> | undefined;
  return { io, t, out, opts, runtime, connection: () => (pending ??= connect(opts, io, runtime, t, out.json)) };
}

export interface LoadedSetup {
  connection: Connection;
  /** Whose role the actions manage: the saved Marketo User, or the signed-in application user. */
  syncUserSource: "saved" | "signedIn" | "option" | "none";
  config: MarketoConfig;
  state: SetupState;
  items: CheckItem[];
}

/**
 * The checklist for the saved Marketo User (the CLI has no unsaved form state). With
 * `signedInAsFallback` (the role commands), while no Marketo User is saved the sync user is the
 * application user the CLI signed in as: it runs with the very app registration Marketo uses.
 */
export async function loadSetup(session: Session, options: { signedInAsFallback?: boolean; userId?: string } = {}): Promise<LoadedSetup> {
  const connection = await session.connection();
  const client = connection.client;
  const config = await resolveConfig(client, session.opts);
  // --user (assign-role, remove-role): the user named on the command line, whoever is saved.
  let chosenUserId = options.userId ?? config.savedUserId;
  let syncUserSource: LoadedSetup["syncUserSource"] = options.userId ? "option" : chosenUserId ? "saved" : "none";
  // Only Marketo's own credentials say who the sync user is when none is saved.
  if (!chosenUserId && options.signedInAsFallback && session.opts.marketoCredentials !== false) {
    chosenUserId = (await client.callFunction<{ UserId: string }>("WhoAmI")).UserId;
    syncUserSource = "signedIn";
  }
  const state = await loadSetupState(client, {
    config: { entity: config.entity, id: config.recordId, attribute: config.attribute },
    chosenUserId,
    roleName: session.opts.role,
    solutionName: session.opts.solution,
    signedInAsMarketo: session.opts.marketoCredentials !== false,
  });
  return { connection, syncUserSource, config, state, items: evaluate(state) };
}
