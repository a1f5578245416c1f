/**
 * Microsoft Entra ID replicates a new app registration, service principal or client secret to its
 * other replicas within seconds; a request served by one that lacks it is answered as if the object
 * did not exist. No Microsoft page states the delay. The answers are those reported:
 * - POST servicePrincipals right after POST applications: 400 "The appId '…' of the service
 *   principal does not reference a valid application object." (microsoftgraph/msgraph-sdk-dotnet#3108);
 * - addPassword on a new app: 404 Request_ResourceNotFound (microsoftgraph/msgraph-sdk-java#934);
 * - a sign-in with a new secret: AADSTS7000215 for some seconds (microsoftgraph/microsoft-graph-docs#17966).
 * `setup` makes these one after the other, so it waits for each object it has just made, with a
 * growing pause, rather than reporting a wrong secret or a missing app that a minute later is right.
 */
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";
import { sleepUntil, type CommandRuntime } from "./network";
import type { Translate } from "./strings";

/** Pauses before each new try, in units of the command's retry delay (1 s): 60 s in all. */
export const PROPAGATION_PAUSES = [1, 2, 4, 8, 15, 30];

export type NewObject = "Cli_Propagation_App" | "Cli_Propagation_Sp" | "Cli_Propagation_Secret";

export interface PropagationContext {
  io: Io;
  t: Translate;
  runtime: CommandRuntime;
  quiet: boolean;
}

/** Runs `attempt` again while `notYetThere` says its failure is the new object not being visible yet. */
export async function onceVisible<T>(what: NewObject, attempt: () => Promise<T>, notYetThere: (e: unknown) => boolean, ctx: PropagationContext): Promise<T> {
  const unit = ctx.io.retryDelayMs ?? 1_000;
  const seconds = PROPAGATION_PAUSES.reduce((a, b) => a + b, 0);
  const sleep = sleepUntil(ctx.runtime);
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!notYetThere(e)) throw e;
      if (i >= PROPAGATION_PAUSES.length) {
        const details = e instanceof CliError ? (e.details ?? e.key) : e instanceof Error ? e.message : String(e);
        throw new CliError(EXIT.couldNotRun, "Cli_Propagation_TooLong", { what: ctx.t(what), seconds }, details);
      }
      if (i === 0 && !ctx.quiet) ctx.io.err(ctx.t("Cli_Propagation_Waiting", { what: ctx.t(what), seconds }) + "\n");
      await sleep(PROPAGATION_PAUSES[i] * unit);
    }
  }
}
