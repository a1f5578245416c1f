/**
 * Server-to-server connection: the client secret (from the environment or stdin, never a flag),
 * MSAL client credentials for the token, and a DataverseClient that asks for a fresh token when
 * the API answers 401.
 */
import { ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { DataverseClient, type FetchLike } from "../core/dataverse/client";
import { isGuid } from "../core/dataverse/odata";
import { HEARTBEAT_MS } from "./clock";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";
import { commandFetch, sleepUntil, type CommandRuntime } from "./network";
import { assertionErrorKey, checkOneCredential, readCredential, type CredentialAuth, type SignInOptions } from "./signIn";
import type { Translate } from "./strings";

export const SECRET_ENV = "MARKETO_DYNAMICS_CLIENT_SECRET";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface ConnectionOptions extends SignInOptions {
  url?: string;
  tenant?: string;
  clientId?: string;
  authority?: string;
  clientSecretStdin?: boolean;
  retries?: string;
}

/** Longest wait for one answer; --timeout bounds the whole command on top of it. */
export const ATTEMPT_TIMEOUT_MS = 60_000;

export interface Connection {
  client: DataverseClient;
  orgUrl: string;
  tenant: string;
  clientId: string;
}

/** Reads all of stdin (the secret piped in); a trailing newline is not part of the secret. */
async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

export async function readSecret(options: ConnectionOptions, io: Io): Promise<string> {
  const secret = options.clientSecretStdin ? await readStdin(io) : (io.env[SECRET_ENV] ?? "");
  if (!secret) throw new CliError(EXIT.usage, "Cli_NoSecret", { env: SECRET_ENV });
  // From here on every line the CLI writes is scrubbed of it (io.ts), whatever produced the text.
  io.addSecret(secret);
  return secret;
}

export function normaliseOrgUrl(raw: string | undefined): string {
  if (!raw) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--url" });
  // Another scheme (ftp://…) is refused, not read as a host named after it.
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(raw) && !/^https?:\/\//i.test(raw)) throw new CliError(EXIT.usage, "Cli_BadUrl", { url: raw });
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new CliError(EXIT.usage, "Cli_BadUrl", { url: raw });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) throw new CliError(EXIT.usage, "Cli_BadUrl", { url: raw });
  // An environment's URL is a domain name (…crm.dynamics.com): a single word is a typo, not a host Entra ID can sign in to.
  if (!url.hostname.includes(".") && !LOOPBACK.has(url.hostname)) throw new CliError(EXIT.usage, "Cli_BadUrl", { url: raw });
  return url.origin;
}

/**
 * MSAL only accepts https authorities. The real one (login.microsoftonline.com) is used as is. A
 * local test authority on http (the devserver) is handed to MSAL as the same URL with https, as a
 * known authority with its OpenID and cloud discovery metadata spelled out (so MSAL does no
 * discovery request), and with a custom network client that sends MSAL's requests for that host
 * to the http origin. This was chosen over a local https server with a certificate made at test
 * time: no extra dependency, no certificate trust to set up in the test process or the spawned
 * CLI, and the rewrite is confined to http://127.0.0.1 / localhost, so it can never downgrade a
 * real sign-in.
 */
export function msalConfiguration(tenant: string, clientId: string, credential: string | CredentialAuth, authorityOption: string | undefined, fetchImpl: FetchLike): Configuration {
  const quiet = { loggerCallback: () => undefined, piiLoggingEnabled: false };
  const proof: CredentialAuth = typeof credential === "string" ? { clientSecret: credential } : credential;
  if (!authorityOption) {
    return { auth: { clientId, ...proof, authority: `https://login.microsoftonline.com/${tenant}` }, system: { loggerOptions: quiet } };
  }
  let url: URL;
  try {
    url = new URL(authorityOption);
  } catch {
    throw new CliError(EXIT.usage, "Cli_BadAuthority", { authority: authorityOption });
  }
  const path = url.pathname.replace(/\/+$/, "") || `/${tenant}`;
  if (url.protocol === "https:") return { auth: { clientId, ...proof, authority: `${url.origin}${path}` }, system: { loggerOptions: quiet } };
  if (url.protocol !== "http:" || !LOOPBACK.has(url.hostname)) throw new CliError(EXIT.usage, "Cli_BadAuthority", { authority: authorityOption });

  const httpsAuthority = `https://${url.host}${path}`;
  const authorityMetadata = {
    token_endpoint: `${httpsAuthority}/oauth2/v2.0/token`,
    authorization_endpoint: `${httpsAuthority}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${httpsAuthority}/oauth2/v2.0/logout`,
    jwks_uri: `${httpsAuthority}/discovery/v2.0/keys`,
    issuer: `${httpsAuthority}/v2.0`,
  };
  const cloudDiscoveryMetadata = {
    tenant_discovery_endpoint: `${httpsAuthority}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: url.host, preferred_cache: url.host, aliases: [url.host] }],
  };
  const toHttp = (target: string) => {
    const u = new URL(target);
    if (u.protocol === "https:" && u.host === url.host) u.protocol = "http:";
    return u.toString();
  };
  const send = async <T>(method: string, target: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const response = await fetchImpl(toHttp(target), { method, headers: options?.headers, body: options?.body });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: "invalid_response", error_description: `HTTP ${response.status}` };
    }
    return { headers, body: body as T, status: response.status };
  };
  const networkClient: INetworkModule = {
    sendGetRequestAsync: (target, options) => send("GET", target, options),
    sendPostRequestAsync: (target, options) => send("POST", target, options),
  };
  return {
    auth: {
      clientId,
      ...proof,
      authority: httpsAuthority,
      knownAuthorities: [url.host],
      authorityMetadata: JSON.stringify(authorityMetadata),
      cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadata),
    },
    system: { loggerOptions: quiet, networkClient },
  };
}

/** Turns an MSAL failure into a plain message; the AADSTS code is kept, the service's text is not shown first. */
export function authError(e: unknown, context: { clientId: string; tenant: string; url?: string }): CliError {
  const err = e as { errorCode?: string; errorMessage?: string; message?: string; errorNo?: string };
  const text = `${err.errorCode ?? ""} ${err.errorMessage ?? err.message ?? ""}`;
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1] ?? err.errorNo;
  const code = aadsts ? `AADSTS${aadsts}` : (err.errorCode ?? "");
  const details = (err.errorMessage ?? err.message ?? String(e)).split(/\r?\n/)[0];
  const assertionKey = assertionErrorKey(aadsts);
  if (assertionKey) return new CliError(EXIT.usage, assertionKey, { ...context, code }, details);
  if (aadsts === "7000215" || aadsts === "7000222" || err.errorCode === "invalid_client") return new CliError(EXIT.usage, "Cli_Auth_BadSecret", { ...context, code }, details);
  if (aadsts === "700016" || err.errorCode === "unauthorized_client") return new CliError(EXIT.usage, "Cli_Auth_UnknownClient", { ...context, code }, details);
  if (aadsts === "90002" || aadsts === "900023") return new CliError(EXIT.usage, "Cli_Auth_UnknownTenant", { ...context, code }, details);
  // AADSTS500011 InvalidResourceServicePrincipalNotFound: "The resource principal named {name} was not found in
  // the tenant" ("Microsoft Entra authentication and authorization error codes"): the token was asked for
  // a resource (the --url) that is no environment of this tenant.
  if (aadsts === "500011") return new CliError(EXIT.usage, "Cli_Auth_UnknownResource", { ...context, url: context.url ?? "", code }, details);
  if (/network|endpoints_resolution|ECONNREFUSED|ENOTFOUND|fetch failed/i.test(text)) return new CliError(EXIT.couldNotRun, "Cli_Auth_Network", { ...context, code }, details);
  return new CliError(EXIT.usage, "Cli_Auth_Failed", { ...context, code: code || "?" }, details);
}

/**
 * A 429/503 pause can last minutes (Retry-After): it is said when it starts and, until it ends, at
 * least every HEARTBEAT_MS, so a CI log shows the run is waiting, not hung. Stopped by the command's end.
 */
export function retryWaitNotice(io: Io, t: Translate, runtime: CommandRuntime, quiet: boolean) {
  return ({ seconds, status }: { seconds: number; status: number }) => {
    // A pause of a few seconds is not worth a line; one a log reader could take for a hang is.
    if (quiet || seconds < 5) return undefined;
    const started = runtime.clock.now();
    io.err(t("Cli_RetryWait", { seconds, status }) + "\n");
    const stop = runtime.clock.every(HEARTBEAT_MS, () => {
      const left = Math.max(0, seconds - Math.round((runtime.clock.now() - started) / 1000));
      io.err(t("Cli_RetryStillWaiting", { seconds: left, status }) + "\n");
    });
    return stop;
  };
}

/** Every CLI command's Web API client: its retries, waits and notices, whichever way it signed in. */
export function commandClient(
  target: Pick<ConstructorParameters<typeof DataverseClient>[0], "orgUrl" | "tokenProvider"> & { fetch: FetchLike; retries?: string | number },
  io: Io,
  t: Translate,
  runtime: CommandRuntime,
  quiet: boolean,
): DataverseClient {
  return new DataverseClient({
    orgUrl: target.orgUrl,
    tokenProvider: target.tokenProvider,
    fetch: target.fetch,
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    maxRetries: Number(target.retries ?? 5),
    baseRetryDelayMs: io.retryDelayMs ?? 1_000,
    maxRetryDelayMs: 5 * 60_000,
    sleep: sleepUntil(runtime),
    onRetryWait: retryWaitNotice(io, t, runtime, quiet),
  });
}

export async function connect(options: ConnectionOptions, io: Io, runtime: CommandRuntime, t: Translate, quiet: boolean): Promise<Connection> {
  const orgUrl = normaliseOrgUrl(options.url);
  const tenant = options.tenant ?? "";
  const clientId = options.clientId ?? "";
  if (!tenant) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--tenant" });
  if (!clientId) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--client-id" });
  if (!isGuid(clientId)) throw new CliError(EXIT.usage, "Cli_BadClientId", { clientId });
  checkOneCredential(options, io.env, SECRET_ENV);
  const credential = await readCredential(options, io, () => readSecret(options, io));
  const fetchImpl: FetchLike = commandFetch(io.fetch ?? ((u, init) => fetch(u, init)), io, runtime);
  const app = new ConfidentialClientApplication(msalConfiguration(tenant, clientId, credential, options.authority, fetchImpl));
  const scopes = [`${orgUrl}/.default`];
  const tokenProvider = async ({ forceRefresh }: { forceRefresh: boolean }) => {
    let result;
    try {
      // skipCache after a 401: the cached token was refused (expired or revoked), get a new one.
      result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
    } catch (e) {
      throw authError(e, { clientId, tenant, url: orgUrl });
    }
    if (!result?.accessToken) throw new CliError(EXIT.usage, "Cli_Auth_Failed", { clientId, tenant, code: "no token" });
    return result.accessToken;
  };
  const client = commandClient({ orgUrl, tokenProvider, fetch: fetchImpl, retries: options.retries }, io, t, runtime, quiet);
  return { client, orgUrl, tenant, clientId };
}
