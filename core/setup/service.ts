/**
 * What the control's components may ask of Dataverse, behind one interface: components never
 * fetch, and tests can drive them against the devserver or a stub.
 */
import type { DataverseClient } from "../dataverse/client";
import { assignSyncRole, enablePluginSteps, publishAll, removeSyncRoleFrom, type PublishOptions, type PublishResult } from "./actions";
import { loadSetupState } from "./load";
import type { UserSearch } from "./queries";
import { searchUsers, type UserSearchResult } from "./search";
import type { SetupInput, SetupState, UserInfo } from "./types";

export interface SetupService {
  load(input: SetupInput, signal?: AbortSignal): Promise<SetupState>;
  searchUsers(search: UserSearch, signal?: AbortSignal): Promise<UserSearchResult[]>;
  assignRole(state: SetupState): Promise<{ changed: boolean }>;
  removeRole(state: SetupState, users: UserInfo[]): Promise<{ removed: UserInfo[] }>;
  enableSteps(state: SetupState): Promise<{ enabled: string[] }>;
  publish(options?: PublishOptions): Promise<PublishResult>;
}

export function createSetupService(client: DataverseClient): SetupService {
  return {
    load: (input, signal) => loadSetupState(client, input, { signal }),
    searchUsers: (search, signal) => searchUsers(client, search, { signal }),
    assignRole: (state) => assignSyncRole(client, state),
    removeRole: (state, users) => removeSyncRoleFrom(client, state, users),
    enableSteps: (state) => enablePluginSteps(client, state),
    publish: (options) => publishAll(client, options),
  };
}
