/**
 * The Dataverse Web API client of the CLI and the tests: webApiClient.ts's, plus the calls only they
 * make. Kept apart so that the control's bundle, which needs none of them, leaves them out.
 */
import { recordPath } from "./odata";
import { WebApiClient, type ODataCollection, type OperationParameter, type RequestOptions } from "./webApiClient";

export * from "./webApiClient";

export class DataverseClient extends WebApiClient {
  /** Follows `@odata.nextLink` until `limit` rows or the end. */
  async getAll<T>(path: string, options: RequestOptions & { limit?: number } = {}): Promise<T[]> {
    const rows: T[] = [];
    let next: string | undefined = path;
    while (next && (options.limit === undefined || rows.length < options.limit)) {
      const page: ODataCollection<T> = await this.get<ODataCollection<T>>(next, options);
      rows.push(...page.value);
      next = page["@odata.nextLink"];
    }
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }

  async delete(entitySet: string, id: string, options?: RequestOptions): Promise<void> {
    const path = recordPath(entitySet, id);
    const response = await this.send("DELETE", path, undefined, options);
    if (!response.ok) await this.fail(response, "DELETE", path);
  }

  callFunction<T>(name: string, parameters?: Record<string, OperationParameter>, options?: RequestOptions & { boundTo?: string }): Promise<T> {
    return this.get<T>(this.functionPath(name, parameters, options?.boundTo), options);
  }
}
