/**
 * The Dataverse Web API client of the CLI and the tests: webApiClient.ts's, plus the bearer token
 * and the calls only they make. Kept apart so that the control's bundle, which needs none of them
 * (the browser's session cookie authenticates it), leaves them out.
 */
import { recordPath } from "./odata";
import { WebApiClient, type ClientOptions, type ODataCollection, type OperationParameter, type RequestAuth, type RequestOptions } from "./webApiClient";

export * from "./webApiClient";

/** Returns a bearer token; `forceRefresh` after a 401 so an expired token is renewed once. */
export type TokenProvider = (options: { forceRefresh: boolean }) => Promise<string>;

export interface DataverseClientOptions extends ClientOptions {
  /** Absent: no Authorization header (a same-origin session, as in the browser). */
  tokenProvider?: TokenProvider;
}

export class DataverseClient extends WebApiClient {
  private readonly tokenProvider?: TokenProvider;
  private token?: string;

  constructor(options: DataverseClientOptions) {
    super(options);
    this.tokenProvider = options.tokenProvider;
  }

  /** The bearer token on every attempt, renewed once per request after a 401. */
  protected auth(): RequestAuth | undefined {
    const provider = this.tokenProvider;
    if (!provider) return undefined;
    let renewed = false;
    let forceRefresh = false;
    return {
      headers: async () => {
        if (!this.token || forceRefresh) this.token = await provider({ forceRefresh });
        forceRefresh = false;
        return { Authorization: `Bearer ${this.token}` };
      },
      renew: () => {
        if (renewed) return false;
        renewed = forceRefresh = true;
        return true;
      },
    };
  }

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
