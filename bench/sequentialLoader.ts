/**
 * The baseline the benchmarks compare against: the straightforward loader that asks one
 * question per request, one after the other. It reads exactly the facts `loadSetupState` reads
 * (same paths, same state, same checklist), only without `$batch`.
 */
import { DataverseClient, type BatchResult, type ClientOptions } from "../core/dataverse/client";
import { isDataverseError } from "../core/dataverse/errors";

export class SequentialClient extends DataverseClient {
  constructor(options: ClientOptions) {
    super(options);
  }

  override async batchGet(requests: Array<string | { path: string }>): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const r of requests) {
      const path = typeof r === "string" ? r : r.path;
      try {
        results.push({ status: 200, ok: true, data: await this.get(path) });
      } catch (e) {
        if (!isDataverseError(e)) throw e;
        results.push({ status: e.status, ok: false, error: e });
      }
    }
    return results;
  }
}
