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
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Wraps fetch: counts each request and the bytes of its URL, body and response body. */
export function countingFetch(): { fetch: FetchLike; count: WireCount; reset: () => void } {
  const count: WireCount = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  const fetchLike: FetchLike = async (url, init) => {
    count.requests++;
    count.bytesSent += Buffer.byteLength(url) + (typeof init.body === "string" ? Buffer.byteLength(init.body) : 0);
    const response = await fetch(url, init);
    const body = await response.arrayBuffer();
    count.bytesReceived += body.byteLength;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return {
    fetch: fetchLike,
    count,
    reset: () => Object.assign(count, { requests: 0, bytesSent: 0, bytesReceived: 0 }),
  };
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
