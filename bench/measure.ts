/** Small statistics and a fetch that counts round trips and bytes on the wire. */
import type { FetchLike } from "../core/dataverse/client";

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface WireCount {
  /** HTTP requests: what the service-protection "number of requests" limit counts (a `$batch` is one). */
  requests: number;
  /**
   * Round trips: waves of requests, each started while none was in flight. At a latency L the
   * wait is about roundTrips × L whatever the number of requests in a wave.
   */
  roundTrips: number;
  /**
   * Operations: each part of a `$batch` counts. Entitlement limits (Power Platform requests) count
   * operations "whether or not they are included in a batch operation", and the parts' combined
   * execution time counts against the service-protection execution-time limit (api-limits.md,
   * "Service protection API limits", note under "Avoid large batches").
   */
  apiCalls: number;
  bytesSent: number;
  bytesReceived: number;
}

const zero = (): WireCount => ({ requests: 0, roundTrips: 0, apiCalls: 0, bytesSent: 0, bytesReceived: 0 });

/** The operations a request body carries: one per `application/http` part of a `$batch`, else one. */
export function operationsIn(url: string, body: unknown): number {
  if (!/\/\$batch$/.test(url) || typeof body !== "string") return 1;
  return (body.match(/^Content-Type:\s*application\/http\s*$/gim) ?? []).length || 1;
}

/** Wraps fetch: counts each request, its operations, the round trips, and the bytes of its URL, body and response body. */
export function countingFetch(inner: FetchLike = fetch): { fetch: FetchLike; count: WireCount; reset: () => void } {
  const count = zero();
  let inFlight = 0;
  const fetchLike: FetchLike = async (url, init) => {
    if (inFlight++ === 0) count.roundTrips++;
    try {
      count.requests++;
      count.apiCalls += operationsIn(url, init.body);
      count.bytesSent += Buffer.byteLength(url) + (typeof init.body === "string" ? Buffer.byteLength(init.body) : 0);
      const response = await inner(url, init);
      const body = await response.arrayBuffer();
      count.bytesReceived += body.byteLength;
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      inFlight--;
    }
  };
  return { fetch: fetchLike, count, reset: () => Object.assign(count, zero()) };
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
