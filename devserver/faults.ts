/**
 * Scripted failures for tests: the next N requests matching a method and path get a canned
 * answer (429, 503, 403…), a delay, a hold until the test lets them go, a dropped connection, or
 * make the next publish fail. Usable in-process (`server.faults.add`, `server.faults.hold`) and over
 * HTTP (`POST /_devserver/faults`, without holds: a promise cannot travel as JSON).
 */
import { lockMessages } from "./routes/solutionLock";

export type FaultResponse =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { delayMs: number }
  /** Waits until the promise settles, then answers normally, or drops the connection if it gave "drop". */
  | { hold: PromiseLike<"drop" | void> }
  | "drop"
  | "publishFail"
  | { publishFail: string }
  | "privilegeDenied"
  | { privilegeDenied: string };

/** Which service a fault stands in front of: the Web API (default), Microsoft Graph, or Entra's token endpoints. */
export type FaultService = "dataverse" | "graph" | "entra";

export interface FaultMatch {
  method?: string;
  /** Default "dataverse". "graph": path relative to /graph/v1.0/; "entra": `token` or `devicecode`. */
  service?: FaultService;
  /** Substring of the request path + query (relative to /api/data/v9.2/, decoded), or a RegExp. */
  path?: string | RegExp;
}

export interface FaultSpec {
  match?: FaultMatch;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  respond: FaultResponse;
}

export interface Fault extends Required<Pick<FaultSpec, "respond">> {
  id: number;
  match: FaultMatch;
  remaining: number;
}

/**
 * Every form in which Dataverse reports its solution-operation lock (see routes/solutionLock.ts for the
 * sources): each CustomizationLockEx code with its text, "text" (the lock's text under a generic code, as
 * the support articles quote a CustomizationLockException), and "429" (HTTP 429 with 0x80071151 and the
 * lock text, as public reports of the Web API show it).
 */
export type SolutionLockForm = "0x8004F061" | "0x8004F062" | "0x8004F063" | "0x8004F064" | "0x8004F067" | "text" | "429";

export const SOLUTION_LOCK_FORMS: readonly SolutionLockForm[] = ["0x8004F061", "0x8004F062", "0x8004F063", "0x8004F064", "0x8004F067", "text", "429"];

function solutionLock(form: SolutionLockForm, operations: { requested?: string; running?: string } = {}): FaultResponse {
  const requested = operations.requested ?? "PublishAll";
  const running = operations.running ?? "Import";
  const answer = (status: number, code: string, message: string): FaultResponse => ({ status, body: { error: { code, message } } });
  switch (form) {
    case "0x8004F061":
      return answer(400, form, lockMessages.bothUnknown());
    case "0x8004F062":
      return answer(400, form, lockMessages.blockedUnknown(running));
    case "0x8004F063":
      return answer(400, form, lockMessages.bothKnownSame(requested));
    case "0x8004F064":
      return answer(400, form, lockMessages.bothKnownDifferent(requested, running));
    case "0x8004F067":
      return answer(400, form, lockMessages.blockingUnknown(requested));
    case "text":
      return answer(500, "0x80040216", `Microsoft.Crm.ObjectModel.CustomizationLockException: ${lockMessages.bothKnownDifferent(requested, running)} -- ${lockMessages.solutionConcurrency()}`);
    case "429":
      return answer(429, "0x80071151", lockMessages.bothKnownDifferent(requested, running));
  }
}

/** Which of Dataverse's three service protection limits a 429 reports. */
export type ServiceProtectionLimit = "requests" | "executionTime" | "concurrency";

const SERVICE_PROTECTION_ERRORS: Record<ServiceProtectionLimit, { code: string; message: string }> = {
  requests: { code: "0x80072322", message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." },
  executionTime: {
    code: "0x80072321",
    message:
      "Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
  },
  concurrency: { code: "0x80072326", message: "Number of concurrent requests exceeded the limit of 52." },
};

/** Ready-made faults for the common cases. */
export const FaultPresets = {
  /** Dataverse's solution-operation lock in one of its forms (default: PublishAll refused during an Import). */
  solutionLock,
  /**
   * A service protection refusal. Dataverse always sends Retry-After (whole seconds) with it: "When a
   * 429 error is returned from the Web API, the response will include a Retry-After with number of
   * seconds" (Microsoft Learn, "Service protection API limits", Retry operations). The three limits
   * and their codes and texts are that page's "Service Protection API Limit Errors returned".
   */
  throttle: (retryAfterSeconds: number, limit: ServiceProtectionLimit = "requests"): FaultResponse => ({
    status: 429,
    headers: { "Retry-After": String(retryAfterSeconds) },
    body: { error: SERVICE_PROTECTION_ERRORS[limit] },
  }),
  unavailable: (): FaultResponse => ({
    status: 503,
    body: { error: { code: "0x80040216", message: "The service is temporarily unavailable. Please try again later." } },
  }),
};

/** Requests held by `Faults.hold` until the test lets them go: no wall clock decides when. */
export interface Held {
  id: number;
  /** Resolves once `n` requests (default 1) have reached the hold. */
  arrived(n?: number): Promise<void>;
  /** Lets the held requests (and any later ones it still matches) be answered normally. */
  release(): void;
  /** Drops their connections instead: for a client that gave up waiting, nothing is carried out. */
  drop(): void;
}

export class Faults {
  private list: Fault[] = [];
  private nextId = 1;
  /** fault id → how many requests it answered, kept after the fault is used up (tests assert it fired). */
  private firedCounts = new Map<number, number>();
  private waiters: Array<{ id: number; n: number; resolve: () => void }> = [];

  add(spec: FaultSpec): number {
    const path = spec.match?.path;
    const fault: Fault = { id: this.nextId++, match: { method: spec.match?.method?.toUpperCase(), path, service: spec.match?.service }, remaining: spec.times ?? 1, respond: spec.respond };
    this.list.push(fault);
    return fault.id;
  }

  /** Holds the next `times` matching requests (default 1) until `release()` or `drop()`. */
  hold(spec: Omit<FaultSpec, "respond"> = {}): Held {
    let open!: (outcome: "drop" | void) => void;
    const gate = new Promise<"drop" | void>((resolve) => (open = resolve));
    const id = this.add({ ...spec, respond: { hold: gate } });
    return { id, arrived: (n = 1) => this.whenFired(id, n), release: () => open(), drop: () => open("drop") };
  }

  /** Resolves once the fault `id` has answered (or started holding) `n` requests: a count, not a time. */
  whenFired(id: number, n = 1): Promise<void> {
    if (this.fired(id) >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ id, n, resolve }));
  }

  /** From the admin endpoint: `path` is a substring, `pathRegex` a RegExp source. */
  addFromJson(input: Record<string, unknown>): number {
    const match = (input.match ?? {}) as Record<string, unknown>;
    const path = typeof match.pathRegex === "string" ? new RegExp(match.pathRegex) : typeof match.path === "string" ? match.path : undefined;
    return this.add({
      match: { method: typeof match.method === "string" ? match.method : undefined, path, service: typeof match.service === "string" ? (match.service as FaultService) : undefined },
      times: typeof input.times === "number" ? input.times : 1,
      respond: input.respond as FaultResponse,
    });
  }

  remove(id: number): void {
    this.list = this.list.filter((f) => f.id !== id);
  }

  clear(): void {
    this.list = [];
    this.firedCounts.clear();
  }

  /** How many requests the fault `id` answered so far. */
  fired(id: number): number {
    return this.firedCounts.get(id) ?? 0;
  }

  pending(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** Takes one use of the first fault that matches, if any. */
  take(method: string, path: string, service: FaultService = "dataverse"): Fault | undefined {
    const fault = this.list.find((f) => {
      if ((f.match.service ?? "dataverse") !== service) return false;
      if (f.match.method && f.match.method !== method.toUpperCase()) return false;
      const p = f.match.path;
      if (p === undefined) return true;
      return typeof p === "string" ? path.includes(p) : p.test(path);
    });
    if (!fault) return undefined;
    this.firedCounts.set(fault.id, this.fired(fault.id) + 1);
    const due = this.waiters.filter((w) => w.id === fault.id && this.fired(w.id) >= w.n);
    this.waiters = this.waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve();
    fault.remaining--;
    if (fault.remaining <= 0) this.remove(fault.id);
    return fault;
  }
}
