/**
 * The baselines the benchmarks compare against. Both read exactly the facts `loadSetupState`
 * reads (same paths, same state, same checklist), only without `$batch`:
 * - sequential: one question per request, one after the other (the straightforward loader);
 * - parallel: the same independent GETs sent at once with `Promise.all`, the honest rival of a
 *   batch (same round trips, one HTTP request per question; a browser sends at most six at a
 *   time to one HTTP/1.1 origin).
 */
import { DataverseClient, type BatchResult, type ClientOptions, type RequestOptions } from "../core/dataverse/client";
import { isDataverseError } from "../core/dataverse/errors";

type Request = string | { path: string };

async function getOne(client: DataverseClient, request: Request, options: RequestOptions): Promise<BatchResult> {
  const path = typeof request === "string" ? request : request.path;
  try {
    return { status: 200, ok: true, data: await client.get(path, options) };
  } catch (e) {
    if (!isDataverseError(e) || e.kind === "aborted") throw e;
    return { status: e.status, ok: false, error: e };
  }
}

export class SequentialClient extends DataverseClient {
  constructor(options: ClientOptions) {
    super(options);
  }

  override async batchGet(requests: Request[], options: RequestOptions = {}): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const r of requests) results.push(await getOne(this, r, options));
    return results;
  }
}

export class ParallelClient extends DataverseClient {
  constructor(options: ClientOptions) {
    super(options);
  }

  override batchGet(requests: Request[], options: RequestOptions = {}): Promise<BatchResult[]> {
    return Promise.all(requests.map((r) => getOne(this, r, options)));
  }
}

export type LoaderKind = "batched" | "parallel" | "sequential";

export function clientFor(kind: LoaderKind, options: ClientOptions): DataverseClient {
  return kind === "sequential" ? new SequentialClient(options) : kind === "parallel" ? new ParallelClient(options) : new DataverseClient(options);
}
