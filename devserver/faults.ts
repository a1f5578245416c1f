/**
 * Scripted failures for tests: the next N requests matching a method and path get a canned
 * answer (429, 503, 403…), a delay, a dropped connection, or make the next publish fail.
 * Usable in-process (`server.faults.add`) and over HTTP (`POST /_devserver/faults`).
 */
export type FaultResponse =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { delayMs: number }
  | "drop"
  | "publishFail"
  | { publishFail: string }
  | "privilegeDenied"
  | { privilegeDenied: string };

export interface FaultMatch {
  method?: string;
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

/** Ready-made faults for the common cases. */
export const FaultPresets = {
  throttle: (retryAfterSeconds?: number): FaultResponse => ({
    status: 429,
    headers: retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) },
    // Service protection error: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." (api-limits.md)
    body: { error: { code: "0x80072322", message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." } },
  }),
  unavailable: (): FaultResponse => ({
    status: 503,
    body: { error: { code: "0x80040216", message: "The service is temporarily unavailable. Please try again later." } },
  }),
};

export class Faults {
  private list: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    const path = spec.match?.path;
    const fault: Fault = { id: this.nextId++, match: { method: spec.match?.method?.toUpperCase(), path }, remaining: spec.times ?? 1, respond: spec.respond };
    this.list.push(fault);
    return fault.id;
  }

  /** From the admin endpoint: `path` is a substring, `pathRegex` a RegExp source. */
  addFromJson(input: Record<string, unknown>): number {
    const match = (input.match ?? {}) as Record<string, unknown>;
    const path = typeof match.pathRegex === "string" ? new RegExp(match.pathRegex) : typeof match.path === "string" ? match.path : undefined;
    return this.add({ match: { method: typeof match.method === "string" ? match.method : undefined, path }, times: typeof input.times === "number" ? input.times : 1, respond: input.respond as FaultResponse });
  }

  remove(id: number): void {
    this.list = this.list.filter((f) => f.id !== id);
  }

  clear(): void {
    this.list = [];
  }

  pending(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** Takes one use of the first fault that matches, if any. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.list.find((f) => {
      if (f.match.method && f.match.method !== method.toUpperCase()) return false;
      const p = f.match.path;
      if (p === undefined) return true;
      return typeof p === "string" ? path.includes(p) : p.test(path);
    });
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.remove(fault.id);
    return fault;
  }
}
