/** Server-side search for the sync user picker: one request, at most `top` rows. */
import type { WebApiClient } from "../dataverse/webApiClient";
import type { ODataCollection } from "../dataverse/webApiClient";
import { toUser } from "./load";
import { userSearchPath, type UserSearch } from "./queries";
import type { UserInfo } from "./types";

export interface UserSearchResult extends UserInfo {
  /** Holds a copy of the sync role directly. */
  hasRole: boolean;
}

export async function searchUsers(client: WebApiClient, search: UserSearch, options: { signal?: AbortSignal } = {}): Promise<UserSearchResult[]> {
  const page = await client.get<ODataCollection<Record<string, unknown>>>(userSearchPath(search), { signal: options.signal });
  return page.value.map((row) => ({
    ...toUser(row),
    hasRole: Array.isArray(row.systemuserroles_association) && row.systemuserroles_association.length > 0,
  }));
}
