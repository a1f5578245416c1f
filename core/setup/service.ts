/**
 * What the control's components may ask of Dataverse, behind one interface: components never
 * fetch, and tests can drive them against the devserver or a stub.
 */
import type { WebApiClient } from "../dataverse/webApiClient";
import { assignRoleToUsers, assignSyncRole, enablePluginSteps, publishAll, removeSyncRoleFrom, type PublishOptions, type PublishResult } from "./actions";
import { assignRoleInBusinessUnit, createApplicationUser, enableUser, searchBusinessUnits, type BusinessUnit, type CreateApplicationUserInput } from "./applicationUser";
import { loadSetupState, type LoadHints } from "./load";
import type { UserSearch } from "./queries";
import { searchUsers, type UserSearchResult } from "./search";
import type { RoleTeam, SetupInput, SetupState, UserInfo } from "./types";

export interface SetupService {
  load(input: SetupInput, signal?: AbortSignal): Promise<SetupState>;
  searchUsers(search: UserSearch, signal?: AbortSignal): Promise<UserSearchResult[]>;
  assignRole(state: SetupState, signal?: AbortSignal): Promise<{ changed: boolean }>;
  /** From the users, then from the teams (their members lose it with them). */
  removeRole(state: SetupState, users: UserInfo[], teams?: RoleTeam[], signal?: AbortSignal): Promise<{ removed: UserInfo[]; teams: RoleTeam[] }>;
  /** Before 4.0.0.14: to every user named (batched). */
  assignRoleToUsers(state: SetupState, users: UserInfo[], signal?: AbortSignal): Promise<{ assigned: UserInfo[] }>;
  enableSteps(state: SetupState, signal?: AbortSignal): Promise<{ enabled: string[] }>;
  publish(options?: PublishOptions): Promise<PublishResult>;
  searchBusinessUnits(text: string, signal?: AbortSignal): Promise<BusinessUnit[]>;
  createAppUser(input: CreateApplicationUserInput, signal?: AbortSignal): Promise<UserInfo>;
  /** The retry after a user was created without its role: assigns it only. */
  assignRoleInBusinessUnit(userId: string, businessUnitId: string, roleName: string, signal?: AbortSignal): Promise<void>;
  enableUser(userId: string, signal?: AbortSignal): Promise<void>;
}

/** `hints`: what the host knows that spares the loader a round trip (see LoadHints). */
export function createSetupService(client: WebApiClient, hints?: Promise<LoadHints>): SetupService {
  return {
    load: async (input, signal) => loadSetupState(client, input, { signal, hints: await hints }),
    searchUsers: (search, signal) => searchUsers(client, search, { signal }),
    assignRole: (state, signal) => assignSyncRole(client, state, { signal }),
    removeRole: (state, users, teams, signal) => removeSyncRoleFrom(client, state, users, { signal, teams }),
    assignRoleToUsers: (state, users, signal) => assignRoleToUsers(client, state, users, { signal }),
    enableSteps: (state, signal) => enablePluginSteps(client, state, { signal }),
    publish: (options) => publishAll(client, options),
    searchBusinessUnits: (text, signal) => searchBusinessUnits(client, text, { signal }),
    createAppUser: (input, signal) => createApplicationUser(client, input, { signal }),
    assignRoleInBusinessUnit: (userId, bu, role, signal) => assignRoleInBusinessUnit(client, userId, bu, role, { signal }),
    enableUser: (userId, signal) => enableUser(client, userId, { signal }),
  };
}
