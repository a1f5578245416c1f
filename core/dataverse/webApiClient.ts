/**
 * One Dataverse Web API v9.2 client for the browser (same-origin fetch with the session cookie)
 * and, through client.ts, for Node. It owns headers, retries, timeouts, `$batch`, `$ref` and
 * operations, so callers only say what they want.
 *
 * This is what the control and core/setup use; client.ts's DataverseClient adds what only the CLI
 * and the tests need (the bearer token, delete, paging, functions), which the control's bundle then
 * leaves out.
 */
import { BatchPartResponse, BatchRequest, decodeBatch, encodeBatch, failedPartOf, newBoundary } from "./batch";
import { DataverseError, errorFromResponse, isSolutionLock, parseErrorBody, parseRetryAfter } from "./errors";
import { guid, literal, recordPath } from "./odata";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Organisation URL, e.g. `https://contoso.crm.dynamics.com` (browser: the client URL). */
  orgUrl: string;
  fetch?: FetchLike;
  /** Per attempt. Publishing can take minutes, so long operations pass their own. */
  timeoutMs?: number;
  /** Retries after 429/503 (and dropped connections on reads). */
  maxRetries?: number;
  /** A Retry-After longer than this is not waited for: the error goes to the user instead. */
  maxRetryDelayMs?: number;
  /** Delay before the first retry when the server gives no Retry-After; doubles each time. */
  baseRetryDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Observes every HTTP request actually sent (tests count round trips with it). */
  onRequest?: (info: { method: string; url: string; attempt: number }) => void;
  /**
   * Told before each pause a 429 or 503 asks for, so a user can be shown the wait and offered to
   * stop it (aborting `signal`, the caller's, ends the pause at once). May return a function that is
   * called when the pause ends, retried or cancelled.
   */
  onRetryWait?: (info: RetryWaitInfo) => void | (() => void);
}

export interface RetryWaitInfo {
  /** Whole seconds of the pause: Retry-After, or the back-off when the server gave none. */
  seconds: number;
  /** 429 (service protection) or 503. */
  status: number;
  method: string;
  url: string;
  /** The caller's signal, when it passed one: what a cancel must abort. */
  signal?: AbortSignal;
}

/**
 * How one request authenticates, asked anew for each request (client.ts's bearer token). None in the
 * browser: the session cookie authenticates same-origin requests.
 */
export interface RequestAuth {
  /** Headers for the next attempt. */
  headers(): Promise<Record<string, string>>;
  /** After a 401: whether to try once more with renewed credentials (an attempt not counted as a retry). */
  renew(): boolean;
}

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** `Prefer: odata.maxpagesize=n` */
  maxPageSize?: number;
  /** Retry a non-GET after a dropped connection (only for requests safe to repeat). */
  idempotent?: boolean;
}

export interface ODataCollection<T> {
  value: T[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}

export interface BatchResult<T = unknown> {
  status: number;
  ok: boolean;
  data?: T;
  error?: DataverseError;
}

/** A function parameter: strings become escaped literals; the rest is written as given. */
export type OperationParameter = string | number | boolean | { raw: string } | { record: string };

export const API_PATH = "/api/data/v9.2/";

const STANDARD_HEADERS: Record<string, string> = {
  Accept: "application/json",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
};

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A signal that fires on the caller's abort or on timeout, telling the two apart. */
function attemptSignal(caller: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  if (caller?.aborted) controller.abort();
  else caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * A 429 can be Dataverse's solution-operation lock (0x80071151, "another [Import] running") rather than
 * service protection: it lasts as long as the other import or publish, so retrying it here for a few
 * seconds only hides it. It goes back at once, as a "publishBusy" error, to the caller that knows how to
 * wait for it and say so (publishAll). Reads a copy: the body stays readable.
 */
async function isLockAnswer(response: Response): Promise<boolean> {
  if (response.status !== 429) return false;
  const { code, message } = parseErrorBody(
    await response
      .clone()
      .text()
      .catch(() => ""),
  );
  return isSolutionLock(code, message);
}

export class WebApiClient {
  readonly orgUrl: string;
  readonly serviceRoot: string;
  readonly #options: Required<Omit<ClientOptions, "onRequest" | "onRetryWait" | "fetch">> & Pick<ClientOptions, "onRequest" | "onRetryWait">;
  readonly #fetchImpl: FetchLike;

  constructor(options: ClientOptions) {
    this.orgUrl = options.orgUrl.replace(/\/+$/, "");
    this.serviceRoot = this.orgUrl + API_PATH;
    this.#fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.#options = {
      orgUrl: this.orgUrl,
      onRequest: options.onRequest,
      onRetryWait: options.onRetryWait,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 3,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      baseRetryDelayMs: options.baseRetryDelayMs ?? 1_000,
      sleep: options.sleep ?? defaultSleep,
    };
  }

  /** Absolute URL of a record, as `@odata.id` and `@odata.bind` want it. */
  recordUrl(entitySet: string, id: string): string {
    return this.serviceRoot + recordPath(entitySet, id);
  }

  protected url(path: string): string {
    return /^https?:\/\//i.test(path) ? path : this.serviceRoot + path.replace(/^\/+/, "");
  }

  /** Each request's authentication; none here (see RequestAuth). */
  protected auth(): RequestAuth | undefined {
    return undefined;
  }

  /**
   * Sends one request with retries. Resolves with the final response (any status);
   * throws only for transport failures (timeout, abort, dropped connection).
   */
  protected async send(method: string, path: string, body: string | undefined, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path);
    const { maxRetries, maxRetryDelayMs, baseRetryDelayMs } = this.#options;
    const canRepeatAfterDrop = method === "GET" || options.idempotent === true;
    const auth = this.auth();
    for (let attempt = 0; ; attempt++) {
      const prefer: string[] = [];
      if (method === "GET") prefer.push('odata.include-annotations="*"');
      if (options.maxPageSize) prefer.push(`odata.maxpagesize=${options.maxPageSize}`);
      const headers: Record<string, string> = {
        ...STANDARD_HEADERS,
        ...(prefer.length ? { Prefer: prefer.join(",") } : {}),
        // Expanded collections can be served from the browser cache otherwise (Dataverse docs, "Join tables").
        ...(method === "GET" ? { "If-None-Match": "null" } : {}),
        ...(body !== undefined ? { "Content-Type": "application/json; charset=utf-8" } : {}),
        ...options.headers,
        ...(await auth?.headers()),
      };
      const guard = attemptSignal(options.signal, options.timeoutMs ?? this.#options.timeoutMs);
      this.#options.onRequest?.({ method, url, attempt });
      let response: Response;
      try {
        response = await this.#fetchImpl(url, { method, headers, body, signal: guard.signal, credentials: "same-origin" });
      } catch (e) {
        guard.dispose();
        if (options.signal?.aborted) throw new DataverseError("aborted", { status: 0, message: "Request cancelled", method, url });
        const timedOut = guard.timedOut();
        if (canRepeatAfterDrop && attempt < maxRetries) {
          await this.#wait(baseRetryDelayMs * 2 ** attempt, options.signal, method, url);
          continue;
        }
        throw new DataverseError(timedOut ? "timeout" : "network", {
          status: 0,
          message: timedOut ? `No answer within ${Math.round((options.timeoutMs ?? this.#options.timeoutMs) / 1000)} s` : String((e as Error)?.message ?? e),
          method,
          url,
        });
      }
      guard.dispose();

      if (response.status === 401 && auth?.renew()) {
        await response.text().catch(() => "");
        attempt--; // a token renewal is not a retry
        continue;
      }
      if ((response.status === 429 || response.status === 503) && attempt < maxRetries && !(await isLockAnswer(response))) {
        const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
        const delay = retryAfter !== undefined ? retryAfter * 1000 : baseRetryDelayMs * 2 ** attempt;
        if (delay <= maxRetryDelayMs) {
          await response.text().catch(() => "");
          // Service protection asks the caller to honour Retry-After ("Service protection API limits", Microsoft Learn).
          const ended = this.#options.onRetryWait?.({ seconds: Math.ceil(delay / 1000), status: response.status, method, url, signal: options.signal });
          try {
            await this.#wait(delay, options.signal, method, url);
          } finally {
            if (typeof ended === "function") ended();
          }
          continue;
        }
      }
      return response;
    }
  }

  /** The pause before a retry; cancelling it is reported like any cancelled request. */
  async #wait(ms: number, signal: AbortSignal | undefined, method: string, url: string): Promise<void> {
    try {
      await this.#options.sleep(ms, signal);
    } catch (e) {
      if (signal?.aborted) throw new DataverseError("aborted", { status: 0, message: "Request cancelled", method, url });
      throw e;
    }
  }

  protected async fail(response: Response, method: string, path: string): Promise<never> {
    const text = await response.text().catch(() => "");
    throw errorFromResponse(response.status, text, { method, url: this.url(path), retryAfter: response.headers.get("Retry-After") });
  }

  protected async json<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), options);
    if (!response.ok) return this.fail(response, method, path);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.json<T>("GET", path, undefined, options);
  }

  /** Creates a record and returns its id, read from the `OData-EntityId` header. */
  async create(entitySet: string, data: Record<string, unknown>, options?: RequestOptions): Promise<string> {
    const response = await this.send("POST", entitySet, JSON.stringify(data), options);
    if (!response.ok) return this.fail(response, "POST", entitySet);
    const match = /\(([0-9a-f-]{36})\)\s*$/i.exec(response.headers.get("OData-EntityId") ?? "");
    if (!match) throw new DataverseError("unknown", { status: response.status, message: "Create returned no OData-EntityId", method: "POST", url: this.url(entitySet) });
    return match[1].toLowerCase();
  }

  /** PATCH with `If-Match: *` so an update never creates a record (upsert) by accident. */
  async update(entitySet: string, id: string, data: Record<string, unknown>, options: RequestOptions & { etag?: string } = {}): Promise<void> {
    const path = recordPath(entitySet, id);
    const headers = { "If-Match": options.etag ?? "*", ...options.headers };
    const response = await this.send("PATCH", path, JSON.stringify(data), { ...options, headers, idempotent: true });
    if (!response.ok) await this.fail(response, "PATCH", path);
  }

  /**
   * `POST entity(id)/nav/$ref`. Safe to retry: a repeat changes nothing, but Dataverse answers it
   * with "duplicate key", which the caller must treat as done (assignSyncRole does).
   */
  async associate(entitySet: string, id: string, navigation: string, targetSet: string, targetId: string, options?: RequestOptions): Promise<void> {
    const path = `${recordPath(entitySet, id)}/${navigation}/$ref`;
    const body = JSON.stringify({ "@odata.id": this.recordUrl(targetSet, targetId) });
    const response = await this.send("POST", path, body, { ...options, idempotent: true });
    if (!response.ok) await this.fail(response, "POST", path);
  }

  /** `DELETE entity(id)/nav(targetId)/$ref` */
  async disassociate(entitySet: string, id: string, navigation: string, targetId: string, options?: RequestOptions): Promise<void> {
    const path = `${recordPath(entitySet, id)}/${navigation}(${guid(targetId)})/$ref`;
    const response = await this.send("DELETE", path, undefined, { ...options, idempotent: true });
    if (!response.ok) await this.fail(response, "DELETE", path);
  }

  /** Path of a function call with parameter aliases: `Name(A=@p1)?@p1=…`. */
  functionPath(name: string, parameters: Record<string, OperationParameter> = {}, boundTo?: string): string {
    const entries = Object.entries(parameters);
    const prefix = boundTo ? `${boundTo}/Microsoft.Dynamics.CRM.` : "";
    const call = `${prefix}${name}(${entries.map(([k], i) => `${k}=@p${i + 1}`).join(",")})`;
    if (entries.length === 0) return call;
    const aliases = entries.map(([, v], i) => `@p${i + 1}=${encodeURIComponent(formatParameter(v))}`);
    return `${call}?${aliases.join("&")}`;
  }

  callAction<T = void>(name: string, body: Record<string, unknown> = {}, options?: RequestOptions & { boundTo?: string }): Promise<T> {
    const path = options?.boundTo ? `${options.boundTo}/Microsoft.Dynamics.CRM.${name}` : name;
    return this.json<T>("POST", path, body, options);
  }

  /**
   * Sends GET requests as one `$batch` round trip. Each result carries its own status; a failed
   * part becomes a typed error in its slot instead of failing the whole batch.
   */
  batchGet(requests: Array<string | BatchRequest>, options: RequestOptions = {}): Promise<BatchResult[]> {
    return this.batch(
      requests.map((r) => (typeof r === "string" ? { path: r } : { ...r, method: "GET", body: undefined })),
      options,
    );
  }

  /**
   * Sends requests as one `$batch` round trip, each part on its own (no change set). Only GET
   * parts make the batch safe to repeat; with writes, a lost answer is not retried (the caller
   * reads again). Each result carries its own status, as in `batchGet`.
   */
  async batch(requests: BatchRequest[], options: RequestOptions = {}): Promise<BatchResult[]> {
    if (requests.length === 0) return [];
    const boundary = newBoundary();
    const parts: BatchRequest[] = requests.map((request) => ({ ...request, headers: { ...STANDARD_HEADERS, Prefer: 'odata.include-annotations="*"', ...request.headers } }));
    const readsOnly = parts.every((p) => (p.method ?? "GET") === "GET");
    const body = encodeBatch(parts, boundary, this.serviceRoot);
    const response = await this.send("POST", "$batch", body, {
      ...options,
      idempotent: options.idempotent ?? readsOnly,
      // Without it Dataverse stops at the first failing part and fails the whole batch
      // ("Execute batch operations using the Web API", Handling errors).
      headers: { "Content-Type": `multipart/mixed;boundary=${boundary}`, Prefer: "odata.continue-on-error", ...options.headers },
    });
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      const failed = failedPartOf(response.headers.get("Content-Type"), text);
      throw errorFromResponse(response.status, failed?.body ?? text, {
        method: "POST",
        url: this.url("$batch"),
        retryAfter: failed?.headers["retry-after"] ?? response.headers.get("Retry-After"),
      });
    }
    const decoded = decodeBatch(response.headers.get("Content-Type"), await response.text());
    if (decoded.length !== parts.length) {
      throw new DataverseError("server", {
        status: response.status,
        message: `Batch answered ${decoded.length} parts for ${parts.length} requests`,
        method: "POST",
        url: this.url("$batch"),
      });
    }
    return decoded.map((part, i) => this.#batchResult(part, parts[i].path, parts[i].method ?? "GET"));
  }

  #batchResult(part: BatchPartResponse, path: string, method: string): BatchResult {
    const ok = part.status >= 200 && part.status < 300;
    if (!ok) {
      return { status: part.status, ok, error: errorFromResponse(part.status, part.body, { method, url: this.url(path), retryAfter: part.headers["retry-after"] }) };
    }
    try {
      return { status: part.status, ok, data: part.body ? JSON.parse(part.body) : undefined };
    } catch {
      // A proxy or gateway answered in the part's place: report it as the server's fault, per part.
      return { status: part.status, ok: false, error: new DataverseError("server", { status: part.status, message: `Not JSON: ${part.body.slice(0, 200)}`, method, url: this.url(path) }) };
    }
  }
}

function formatParameter(value: OperationParameter): string {
  if (typeof value === "string") return literal(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if ("raw" in value) return value.raw;
  return JSON.stringify({ "@odata.id": value.record });
}
