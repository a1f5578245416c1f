/**
 * The admin's interactive sign-in for `setup` and `create-sync-user`: MSAL's device code flow
 * (msal-node PublicClientApplication.acquireTokenByDeviceCode; Microsoft identity platform "OAuth 2.0
 * device authorization grant"). One sign-in gives a token for Microsoft Graph; the token for the
 * organisation comes silently from the refresh token MSAL keeps (acquireTokenSilent), so the admin
 * signs in once for both resources.
 *
 * Which public client signs in: by default Microsoft's Azure CLI (04b07795-8ddb-461a-bbee-02f9e1bf7b46),
 * a first-party public client present in every tenant and pre-authorised for Microsoft Graph and
 * Dataverse, so nothing has to be registered first. Scopes are `<resource>/.default` because a
 * first-party client is pre-authorised, not consented per scope. An organisation that blocks it
 * (Conditional Access) or wants its own registers a public client app ("Allow public client flows"
 * on; delegated permissions Microsoft Graph Application.ReadWrite.All and Dynamics CRM
 * user_impersonation, admin consent) and passes its id with `--setup-client-id`.
 */
import { PublicClientApplication, type AccountInfo } from "@azure/msal-node";
import type { FetchLike } from "../core/dataverse/client";
import { authError, msalConfiguration } from "./connection";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";
import type { Translate } from "./strings";

export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export interface AdminSignIn {
  /** Who signed in (the account's user name), for the transcript. */
  username: string;
  graphToken(): Promise<string>;
  dataverseToken(options: { forceRefresh: boolean }): Promise<string>;
}

export interface DeviceCodeOptions {
  tenant: string;
  publicClientId: string;
  authority?: string;
  orgUrl: string;
  /** Sign in for Graph (setup) or only for the organisation (create-sync-user). */
  graph: boolean;
}

export async function signInWithDeviceCode(options: DeviceCodeOptions, io: Io, t: Translate, fetchImpl: FetchLike, signal: AbortSignal): Promise<AdminSignIn> {
  const { tenant, publicClientId: clientId } = options;
  // The same authority handling as the app sign-in (connection.ts): the real one, or the local stand-in's.
  const app = new PublicClientApplication(msalConfiguration(tenant, clientId, {}, options.authority, fetchImpl));
  const dataverseScopes = [`${options.orgUrl}/.default`];
  const first = options.graph ? [GRAPH_SCOPE] : dataverseScopes;
  const request = {
    scopes: first,
    // The code and the page on stderr: stdout stays for the results (and --json).
    deviceCodeCallback: (r: { userCode: string; verificationUri: string }) => io.err(t("Cli_DeviceCodePrompt", { url: r.verificationUri, code: r.userCode }) + "\n"),
    cancel: false,
  };
  // Ctrl-C or --timeout: MSAL stops polling when `cancel` turns true.
  const onAbort = () => (request.cancel = true);
  signal.addEventListener("abort", onAbort, { once: true });
  let account: AccountInfo | null;
  try {
    const result = await app.acquireTokenByDeviceCode(request);
    account = result?.account ?? null;
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw authError(e, { clientId, tenant, url: options.orgUrl });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (!account) throw new CliError(EXIT.usage, "Cli_Auth_Failed", { clientId, tenant, code: "no account" });
  const signedIn = account;
  const silent = async (scopes: string[], forceRefresh: boolean) => {
    try {
      const r = await app.acquireTokenSilent({ account: signedIn, scopes, forceRefresh });
      if (!r?.accessToken) throw new Error("no token");
      return r.accessToken;
    } catch (e) {
      throw authError(e, { clientId, tenant, url: options.orgUrl });
    }
  };
  return {
    username: signedIn.username,
    graphToken: () => silent([GRAPH_SCOPE], false),
    dataverseToken: ({ forceRefresh }) => silent(dataverseScopes, forceRefresh),
  };
}
