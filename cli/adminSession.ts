/**
 * The admin's session for `setup` and `create-sync-user`: signed in interactively (device code, see
 * deviceCode.ts) or, for scripts, with another app registration's credentials (`--admin-client-id`,
 * its secret read like the other commands'). Its connection acts as that admin, not as Marketo's app.
 */
import type { FetchLike } from "../core/dataverse/client";
import { isGuid } from "../core/dataverse/odata";
import { commandClient, connect, normaliseOrgUrl } from "./connection";
import { AZURE_CLI_CLIENT_ID, signInWithDeviceCode, type AdminSignIn } from "./deviceCode";
import { CliError, EXIT } from "./errors";
import { commandFetch } from "./network";
import type { Session } from "./session";

export interface AdminOptions {
  setupClientId?: string;
  adminClientId?: string;
}

export interface AdminSession extends Session {
  signIn?: AdminSignIn;
  fetchImpl: FetchLike;
}

export async function adminSession(base: Session, options: AdminOptions, graph: boolean): Promise<AdminSession> {
  // The admin is not Marketo's app: the checks that compare the signed-in app with the sync user are off.
  const session: Session = { ...base, opts: { ...base.opts, marketoCredentials: false } };
  const { io, t, runtime, opts } = session;
  const fetchImpl: FetchLike = commandFetch(io.fetch ?? ((u, init) => fetch(u, init)), io, runtime);
  if (options.adminClientId) {
    // Scripts: another app registration's application user, with prvCreateUser and prvAssignRole.
    const connection = connect({ ...opts, clientId: options.adminClientId }, io, runtime, t, session.out.json);
    return { ...session, connection: () => connection, fetchImpl };
  }
  const orgUrl = normaliseOrgUrl(opts.url);
  const tenant = opts.tenant ?? "";
  if (!tenant) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--tenant" });
  const publicClientId = options.setupClientId ?? AZURE_CLI_CLIENT_ID;
  if (!isGuid(publicClientId)) throw new CliError(EXIT.usage, "Cli_BadClientId", { clientId: publicClientId });
  const signIn = await signInWithDeviceCode({ tenant, publicClientId, authority: opts.authority, orgUrl, graph }, io, t, fetchImpl, runtime.signal);
  if (!session.out.json) io.err(t("Cli_SignedInAs", { name: signIn.username }) + "\n");
  const client = commandClient({ orgUrl, tokenProvider: signIn.dataverseToken, fetch: fetchImpl, retries: opts.retries }, io, t, runtime, session.out.json);
  const connection = Promise.resolve({ client, orgUrl, tenant, clientId: opts.clientId ?? "" });
  return { ...session, connection: () => connection, signIn, fetchImpl };
}
