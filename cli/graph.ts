/**
 * The few Microsoft Graph v1.0 calls `setup` makes to register Marketo's app: applications (list by
 * displayName, create, addPassword) and servicePrincipals (list by appId, create). Sources: Microsoft
 * Graph v1.0 reference pages "List applications", "Create application", "application: addPassword",
 * "Create servicePrincipal", "List servicePrincipals", and "Microsoft Graph error responses and
 * resource types" for the error body `{error:{code,message}}`.
 *
 * With --dry-run a write is listed (method, URL, body summary) and not sent: the run's plan then
 * shows the Entra part as well as the Dataverse part.
 */
import type { FetchLike } from "../core/dataverse/client";
import { parseRetryAfter } from "../core/dataverse/errors";
import { literal } from "../core/dataverse/odata";
import { summariseBody } from "./dryRun";
import { CliError, EXIT } from "./errors";
import { sleepUntil, type CommandRuntime } from "./network";

export const DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0/";

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience?: string;
  passwordCredentials?: Array<{ keyId: string; displayName?: string | null; endDateTime?: string | null }>;
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName?: string;
}

export interface PasswordCredential {
  keyId: string;
  endDateTime: string;
  secretText: string;
}

/** How many times a throttled Graph request is sent again before its error is reported. */
export const GRAPH_MAX_RETRIES = 4;

/**
 * How long to wait before sending a failed request again, or undefined to report it. Graph answers
 * throttling with 429 and a `Retry-After` in seconds, and asks clients to wait that long, else to
 * back off exponentially ("Microsoft Graph throttling guidance", Best practices). 503 and 504 may
 * come with one too; those are retried for reads only, as a write may have been carried out.
 */
function retryWaitMs(response: Response, method: string, attempt: number): number | undefined {
  const retryable = response.status === 429 || (method === "GET" && (response.status === 503 || response.status === 504));
  if (!retryable || attempt >= GRAPH_MAX_RETRIES) return undefined;
  const seconds = parseRetryAfter(response.headers.get("Retry-After"));
  return (seconds ?? 2 ** attempt) * 1000;
}

export class GraphClient {
  readonly base: string;

  constructor(
    base: string,
    private readonly token: () => Promise<string>,
    private readonly fetchImpl: FetchLike,
    private readonly runtime: CommandRuntime,
  ) {
    this.base = base.endsWith("/") ? base : `${base}/`;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.base + path;
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (method !== "GET" && this.runtime.dryRun) {
      // Readable: a placeholder id (<new>) is listed as such, not percent-encoded.
      this.runtime.dryRun.add(method, decodeURI(url), summariseBody(text));
      return {} as T;
    }
    for (let attempt = 0; ; attempt++) {
      const response = await this.fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${await this.token()}`, Accept: "application/json", ...(text ? { "Content-Type": "application/json" } : {}) },
        body: text,
        signal: this.runtime.signal,
      });
      const raw = await response.text();
      if (response.ok) return (raw ? JSON.parse(raw) : {}) as T;
      const wait = retryWaitMs(response, method, attempt);
      if (wait === undefined) throw graphError(response.status, raw, method, path);
      await sleepUntil(this.runtime)(wait);
    }
  }

  async applicationsNamed(displayName: string): Promise<GraphApplication[]> {
    // Graph's `$filter` reads OData string literals as Dataverse does (quotes doubled): core's one escaping function.
    const query = new URLSearchParams({ $filter: `displayName eq ${literal(displayName)}`, $select: "id,appId,displayName,signInAudience,passwordCredentials" });
    return (await this.send<{ value: GraphApplication[] }>("GET", `applications?${query.toString()}`)).value;
  }

  createApplication(displayName: string): Promise<GraphApplication> {
    // AzureADMyOrg: accounts in this organisational directory only (single tenant), as Marketo's step 2 asks.
    return this.send("POST", "applications", { displayName, signInAudience: "AzureADMyOrg" });
  }

  async servicePrincipalOf(appId: string): Promise<GraphServicePrincipal | undefined> {
    const query = new URLSearchParams({ $filter: `appId eq ${literal(appId)}`, $select: "id,appId,displayName" });
    return (await this.send<{ value: GraphServicePrincipal[] }>("GET", `servicePrincipals?${query.toString()}`)).value[0];
  }

  createServicePrincipal(appId: string): Promise<GraphServicePrincipal> {
    return this.send("POST", "servicePrincipals", { appId });
  }

  /**
   * The tenant's domains federated with another identity provider (AD FS), or undefined when they
   * cannot be read (Graph "List domains": `authenticationType` "Managed" or "Federated").
   */
  async federatedDomains(): Promise<string[] | undefined> {
    try {
      const { value } = await this.send<{ value: Array<{ id: string; authenticationType?: string }> }>("GET", "domains?$select=id,authenticationType");
      return value.filter((d) => d.authenticationType?.toLowerCase() === "federated").map((d) => d.id);
    } catch (e) {
      // Only a note depends on it: a refusal or a failure leaves it unknown and never fails the run (a stop still stops it).
      if (this.runtime.signal.aborted) throw e;
      return undefined;
    }
  }

  /** The only answer that carries the secret's text (addPassword): Graph never returns it again. */
  addPassword(applicationObjectId: string, displayName: string, endDateTime: string): Promise<PasswordCredential> {
    return this.send("POST", `applications/${encodeURIComponent(applicationObjectId)}/addPassword`, { passwordCredential: { displayName, endDateTime } });
  }
}

/** 401/403: the admin may not manage app registrations (Application Administrator or more is needed). */
function graphError(status: number, raw: string, method: string, path: string): CliError {
  let code = "";
  let message = raw.slice(0, 300);
  try {
    const body = JSON.parse(raw) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? "";
    message = body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's page): the start of the text is the detail.
  }
  const details = `${method} ${path.split("?")[0]} → HTTP ${status} ${code}: ${message}`;
  if (status === 401 || status === 403) return new CliError(EXIT.failed, "Cli_Setup_GraphDenied", { status, code }, details);
  return new CliError(status === 429 || status >= 500 ? EXIT.couldNotRun : EXIT.failed, "Cli_Setup_GraphFailed", { status, code: code || "?" }, details);
}
