/**
 * Reads everything the checklist needs in one `$batch` round trip, or two where a read depends on
 * an answer of the first (see `Learned` below: the config table's entity set, the solution's step
 * ids, the caller's id; and, for a Marketo solution before 4.0.0.14 only, the users who lack the
 * role). In a large organisation an expanded collection (the role's holders) can
 * be cut at 5,000 rows; its `<nav>@odata.nextLink` is then followed, alongside the second round,
 * so nobody who holds the role is missed.
 */
import type { BatchResult, WebApiClient } from "../dataverse/webApiClient";
import { DataverseError, isDataverseError } from "../dataverse/errors";
import { guid, isGuid } from "../dataverse/odata";
import {
  attributeDefinitionPath,
  configRecordPath,
  entityDefinitionPath,
  lastPublishJobPath,
  privilegesByNamePath,
  rolesByNamePath,
  solutionPath,
  solutionStepsPath,
  stepsPath,
  teamsWithRolePath,
  usersWithoutRolePath,
  SYNC_FILTER_FIELD,
  SYNC_FILTER_TABLES,
  userTeamsWithRolePath,
  userWithRolesPath,
} from "./queries";
import { ALL_REQUIRED_PRIVILEGES } from "./privileges";
import type { Fact, OrganizationInfo, PluginStep, RoleCopy, RoleTeam, SetupInput, SetupState, SolutionInfo, UserInfo } from "./types";
import { roleMustBeExclusive } from "./version";

const FORMATTED = "@OData.Community.Display.V1.FormattedValue";

type Row = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);

export function toUser(row: Row): UserInfo {
  return {
    id: String(row.systemuserid),
    fullName: str(row.fullname) ?? "",
    email: str(row.internalemailaddress),
    domainName: str(row.domainname),
    applicationId: str(row.applicationid),
    isDisabled: row.isdisabled === true,
    businessUnitId: str(row._businessunitid_value),
    businessUnitName: str(row[`_businessunitid_value${FORMATTED}`]),
  };
}

function fact<T>(result: BatchResult | undefined, read: (data: Row) => T, notFound?: T): Fact<T> {
  if (!result) return { ok: false, error: new DataverseError("unknown", { status: 0, message: "Not requested" }) };
  if (result.ok) return { ok: true, value: read((result.data ?? {}) as Row) };
  if (notFound !== undefined && result.status === 404) return { ok: true, value: notFound };
  return { ok: false, error: result.error! };
}

const rows = (data: Row): Row[] => (Array.isArray(data.value) ? (data.value as Row[]) : []);

/**
 * The most rows Dataverse returns for one expanded collection; past that it adds
 * `<nav>@odata.nextLink` (powerapps-docs/developer/data-platform/webapi/query/join-tables.md,
 * "Single $expand on collection-valued navigation properties"). That link carries no paging
 * information: it is the related collection's URL with the `$expand`'s options, and answers all
 * the rows again, 5,000 a page, each page with its own `@odata.nextLink`. With a nested `$expand`
 * the link carries a `$skiptoken` and answers the rows after those already returned.
 * The service adds the link to every expanded collection, so it is followed only when the
 * collection reached the limit: below it, the rows are all there.
 */
export const EXPANDED_ROWS_LIMIT = 5000;

/** Completes `row[nav]` in place; returns the number of requests it took (0 when nothing was cut). */
export async function completeExpansion(client: WebApiClient, row: Row, nav: string, signal?: AbortSignal): Promise<number> {
  const first = row[nav];
  const link = row[`${nav}@odata.nextLink`];
  if (!Array.isArray(first) || typeof link !== "string" || first.length < EXPANDED_ROWS_LIMIT) return 0;
  const continues = /[?&](?:\$|%24)skiptoken=/i.test(link);
  const all: Row[] = continues ? [...(first as Row[])] : [];
  let requests = 0;
  let next: string | undefined = link;
  while (next) {
    const page: { value?: Row[]; "@odata.nextLink"?: string } = await client.get(next, { signal });
    requests++;
    all.push(...(page.value ?? []));
    next = page["@odata.nextLink"];
  }
  row[nav] = all;
  delete row[`${nav}@odata.nextLink`];
  return requests;
}

/**
 * Completes the expanded collections of a batch result. A failed follow-up makes the whole result
 * failed: a partial list of role holders would report "nobody else has the role" wrongly.
 */
async function completeResult(client: WebApiClient, result: BatchResult | undefined, nav: string, signal?: AbortSignal): Promise<{ result: BatchResult | undefined; requests: number }> {
  if (!result?.ok || !result.data) return { result, requests: 0 };
  const data = result.data as Row;
  const records = Array.isArray(data.value) ? (data.value as Row[]) : [data];
  let requests = 0;
  try {
    for (const record of records) requests += await completeExpansion(client, record, nav, signal);
    return { result, requests };
  } catch (e) {
    if (!isDataverseError(e) || e.kind === "aborted") throw e;
    return { result: { ok: false, status: e.status, error: e }, requests: requests + 1 };
  }
}

function readRoles(data: Row): RoleCopy[] {
  return rows(data).map((r) => ({
    id: String(r.roleid),
    name: String(r.name),
    businessUnitId: String(r._businessunitid_value),
    businessUnitName: str(r[`_businessunitid_value${FORMATTED}`]),
    rootRoleId: str(r._parentrootroleid_value),
    holders: ((r.systemuserroles_association as Row[]) ?? []).map(toUser),
  }));
}

/** Team types 2 and 3: Microsoft Entra security group and Microsoft 365 group teams (Team table reference, TeamType). */
const ENTRA_GROUP_TEAM_TYPES = [2, 3];

function readRoleTeams(data: Row): RoleTeam[] {
  return rows(data).map((t) => ({
    id: String(t.teamid),
    name: String(t.name ?? ""),
    roleIds: ((t.teamroles_association as Row[]) ?? []).map((r) => String(r.roleid)),
    members: ((t.teammembership_association as Row[]) ?? []).map(toUser),
    ...(ENTRA_GROUP_TEAM_TYPES.includes(Number(t.teamtype)) ? { entraGroup: true as const } : {}),
  }));
}

/** Follows a collection's `@odata.nextLink` pages into its first answer; a failed page fails the whole result. */
async function completePages(client: WebApiClient, result: BatchResult | undefined, signal?: AbortSignal): Promise<{ result: BatchResult | undefined; requests: number }> {
  if (!result?.ok || !result.data) return { result, requests: 0 };
  const data = result.data as Row;
  let next = str(data["@odata.nextLink"]);
  const all = rows(data);
  let requests = 0;
  try {
    while (next) {
      const page: Row = await client.get(next, { signal });
      requests++;
      all.push(...rows(page));
      next = str(page["@odata.nextLink"]);
    }
  } catch (e) {
    if (!isDataverseError(e) || e.kind === "aborted") throw e;
    return { result: { ok: false, status: e.status, error: e }, requests };
  }
  return { result: { ...result, data: { value: all } }, requests };
}

function readSolution(data: Row): SolutionInfo | null {
  const [s] = rows(data);
  if (!s) return null;
  return {
    id: String(s.solutionid),
    uniqueName: String(s.uniquename),
    friendlyName: str(s.friendlyname) ?? String(s.uniquename),
    version: String(s.version),
    isManaged: s.ismanaged === true,
    installedOn: str(s.installedon),
    stepIds: ((s.solution_solutioncomponent as Row[]) ?? []).map((c) => String(c.objectid)),
  };
}

/** `Endpoints` is a serialized dictionary: parallel `Keys` and `Values` arrays. */
export function readOrganization(data: Row): OrganizationInfo {
  const detail = (data.Detail ?? {}) as Row;
  const endpoints = (detail.Endpoints ?? {}) as { Keys?: string[]; Values?: string[] };
  const endpoint = (key: string) => {
    const i = endpoints.Keys?.indexOf(key) ?? -1;
    return i >= 0 ? endpoints.Values?.[i] : undefined;
  };
  return {
    organizationId: str(detail.OrganizationId),
    tenantId: str(detail.TenantId),
    friendlyName: str(detail.FriendlyName),
    uniqueName: str(detail.UniqueName),
    webApplicationUrl: endpoint("WebApplication"),
    organizationServiceUrl: endpoint("OrganizationService"),
  };
}

/** Names of the privileges held, matched by id (older orgs leave PrivilegeName out). */
function heldPrivilegeNames(data: Row, privilegeIds: BatchResult): string[] {
  const nameOf = new Map<string, string>();
  if (privilegeIds.ok) for (const p of rows(privilegeIds.data as Row)) nameOf.set(String(p.privilegeid).toLowerCase(), String(p.name));
  const held = (data.RolePrivileges as Row[] | undefined) ?? [];
  return held.map((p) => str(p.PrivilegeName) ?? nameOf.get(String(p.PrivilegeId).toLowerCase())).filter((n): n is string => !!n);
}

/**
 * What the host already knows and the loader would otherwise learn from a first answer: a PCF
 * control on a form has the table's entity set name (`context.utils.getEntityMetadata`) and the
 * signed-in user's id (`context.userSettings.userId`). They are guesses all the same: each is
 * kept only where its proof in the same `$batch` agrees.
 */
export interface LoadHints {
  /** Entity set names by table logical name. */
  entitySets?: Record<string, string>;
  callerId?: string;
}

export interface LoadOptions {
  signal?: AbortSignal;
  hints?: LoadHints;
}

/** Batch results by the name the request was given. */
type Named = Partial<Record<string, BatchResult>>;

async function namedBatch(client: WebApiClient, requests: Record<string, string>, signal?: AbortSignal): Promise<Named> {
  const names = Object.keys(requests);
  if (!names.length) return {};
  const results = await client.batchGet(
    names.map((n) => requests[n]),
    { signal },
  );
  return Object.fromEntries(names.map((n, i) => [n, results[i]]));
}

/**
 * Two reads depend on an answer of the same load: the Marketo Config record and its access check
 * need the table's entity set name (EntityDefinitions); the admin's own privileges need the
 * caller's id (WhoAmI). Those answers rarely change, and a control on a form has them from its
 * host (`LoadHints`), so each load asks the dependent reads beside their proof in the one `$batch`,
 * with what the client learnt or was told, and keeps them only where the proof agrees: one round
 * trip then, and a second only for what changed (or on a CLI's first load, which has no host).
 * The plugin steps come from a FetchXML join in the same batch (`solutionStepsPath`); only if the
 * service refuses it are they read by the ids the solution lists, in the second round.
 */
interface Learned {
  entitySets: Map<string, string>;
  currentUserId?: string;
}
const learnedBy = new WeakMap<WebApiClient, Learned>();

function learnedFor(client: WebApiClient): Learned {
  let learned = learnedBy.get(client);
  if (!learned) learnedBy.set(client, (learned = { entitySets: new Map() }));
  return learned;
}

const asGuid = (value: string | undefined) => (value && isGuid(value) ? guid(value) : undefined);

const filterName = (table: string) => `syncFilter.${table}`;

export async function loadSetupState(client: WebApiClient, input: SetupInput, options: LoadOptions = {}): Promise<SetupState> {
  const userId = input.chosenUserId ? guid(input.chosenUserId) : undefined;
  const configId = guid(input.config.id);
  const learned = learnedFor(client);
  const entityKey = input.config.entity.toLowerCase();

  // Reads that depend on another answer, given what they depend on.
  const configReads = (entitySet: string): Record<string, string> => {
    const reads: Record<string, string> = { config: configRecordPath(entitySet, configId, input.config.attribute) };
    if (userId) reads.access = client.functionPath("RetrievePrincipalAccess", { Target: { record: `${entitySet}(${configId})` } }, `systemusers(${userId})`);
    return reads;
  };
  const stepReads = (ids: string[]): Record<string, string> => (ids.length ? { steps: stepsPath(ids) } : {});
  const privilegeReads = (callerId: string): Record<string, string> => ({
    privileges: client.functionPath("RetrieveUserPrivileges", {}, `systemusers(${guid(callerId)})`),
  });

  const hints = options.hints ?? {};
  const guessedEntitySet = learned.entitySets.get(entityKey) ?? hints.entitySets?.[entityKey];
  const guessedCaller = learned.currentUserId ?? asGuid(hints.callerId);
  const first: Record<string, string> = {
    entityDef: entityDefinitionPath(input.config.entity),
    roles: rolesByNamePath(input.roleName),
    roleTeams: teamsWithRolePath(input.roleName),
    solution: solutionPath(input.solutionName),
    organization: client.functionPath("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } }),
    whoAmI: client.functionPath("WhoAmI"),
    privilegeIds: privilegesByNamePath(ALL_REQUIRED_PRIVILEGES),
    lastPublishJob: lastPublishJobPath(),
    ...Object.fromEntries(SYNC_FILTER_TABLES.map((t) => [filterName(t), attributeDefinitionPath(t, SYNC_FILTER_FIELD)])),
    ...(userId ? { user: userWithRolesPath(userId), teams: userTeamsWithRolePath(userId, input.roleName) } : {}),
    ...(guessedEntitySet ? configReads(guessedEntitySet) : {}),
    steps: solutionStepsPath(input.solutionName),
    ...(guessedCaller ? privilegeReads(guessedCaller) : {}),
  };
  const r: Named = await namedBatch(client, first, options.signal);
  const entityDef = r.entityDef!;
  const whoAmI = r.whoAmI!;
  const privilegeIds = r.privilegeIds!;
  const lastPublishJob = r.lastPublishJob!;

  const configEntitySet = entityDef.ok ? str((entityDef.data as Row).EntitySetName) : undefined;
  // The step ids decide the steps read, so the solution's components are completed first.
  const solutionDone = await completeResult(client, r.solution, "solution_solutioncomponent", options.signal);
  const solution = solutionDone.result;
  const solutionFact = fact(solution, readSolution);
  const stepIds = solutionFact.ok && solutionFact.value ? solutionFact.value.stepIds : [];
  const currentUserId = whoAmI.ok ? str((whoAmI.data as Row).UserId) : undefined;

  // The second round: only the dependent reads whose guess was missing or wrong.
  const second: Record<string, string> = {};
  const keep = (guessRight: boolean, reads: Record<string, string>) => {
    for (const name of Object.keys(reads)) {
      if (guessRight) continue;
      delete r[name];
      second[name] = reads[name];
    }
  };
  if (configEntitySet) keep(configEntitySet === guessedEntitySet, configReads(configEntitySet));
  else {
    // No definition, no proof: the guessed reads are not kept.
    delete r.config;
    delete r.access;
  }
  if (!r.steps?.ok) keep(false, stepReads(stepIds));
  if (!r.steps?.ok && !stepIds.length) delete r.steps;
  if (currentUserId) keep(currentUserId.toLowerCase() === guessedCaller?.toLowerCase(), privilegeReads(currentUserId));
  else delete r.privileges;
  // Only an older solution needs every user to hold the role: who lacks it depends on its version.
  const version = solutionFact.ok ? solutionFact.value?.version : undefined;
  if (version && !roleMustBeExclusive(version)) second.usersWithoutRole = usersWithoutRolePath(input.roleName);

  const [r2, rolesDone, userDone, teamsDone] = await Promise.all([
    namedBatch(client, second, options.signal),
    completeResult(client, r.roles, "systemuserroles_association", options.signal),
    completeResult(client, r.user, "systemuserroles_association", options.signal),
    completeResult(client, r.roleTeams, "teammembership_association", options.signal),
  ]);
  Object.assign(r, r2);
  const lackingDone = await completePages(client, r.usersWithoutRole, options.signal);
  const roles = rolesDone.result;
  const userResult = userDone.result;
  const followUps = solutionDone.requests + rolesDone.requests + userDone.requests + teamsDone.requests + lackingDone.requests;

  if (configEntitySet) learned.entitySets.set(entityKey, configEntitySet);
  if (currentUserId) learned.currentUserId = currentUserId;

  const savedUserId: Fact<string | null> = configEntitySet ? fact(r.config, (d) => str(d[`_${input.config.attribute}_value`]) ?? null) : { ok: false, error: entityDef.error! };

  const chosenUser = userId
    ? (() => {
        const user = fact(userResult, (d) => ({
          ...toUser(d),
          directRoleIds: ((d.systemuserroles_association as Row[]) ?? []).map((x) => String(x.roleid)),
          roleTeams: [] as string[],
        }));
        if (user.ok && r.teams?.ok) user.value.roleTeams = rows(r.teams.data as Row).map((t) => String(t.name));
        return user;
      })()
    : undefined;

  // The join's answer, else the read by ids; with neither, the solution lists no step (or could not be read).
  const steps: Fact<PluginStep[]> = r.steps
    ? fact(r.steps, (d) =>
        rows(d).map((s) => ({
          id: String(s.sdkmessageprocessingstepid),
          name: String(s.name ?? ""),
          enabled: s.statecode === 0,
          isManaged: bool(s.ismanaged),
          isCustomizable: bool((s.iscustomizable as Row | null | undefined)?.Value),
        })),
      )
    : solutionFact.ok
      ? { ok: true, value: [] }
      : solutionFact;

  const syncFilter: Record<string, Fact<boolean>> = {};
  for (const table of SYNC_FILTER_TABLES) syncFilter[table] = fact(r[filterName(table)], () => true, false);

  return {
    input,
    configEntitySet,
    savedUserId,
    configModifiedOn: r.config?.ok ? str((r.config.data as Row).modifiedon) : undefined,
    chosenUser,
    roles: fact(roles, readRoles),
    roleTeams: fact(teamsDone.result, readRoleTeams),
    ...(lackingDone.result ? { usersWithoutRole: fact(lackingDone.result, (d) => rows(d).map(toUser)) } : {}),
    solution: solutionFact,
    steps,
    configReadable: r.access ? fact(r.access, (d) => /\bReadAccess\b/.test(String(d.AccessRights ?? ""))) : undefined,
    organization: fact(r.organization, readOrganization),
    syncFilter,
    currentUserId,
    lastPublishJobAt: lastPublishJob.ok ? str(rows(lastPublishJob.data as Row)[0]?.completedon) : undefined,
    adminPrivileges: r.privileges ? fact(r.privileges, (d) => heldPrivilegeNames(d, privilegeIds)) : undefined,
    // Follow-up pages run beside the second batch; each is a round trip of its own all the same.
    roundTrips: (Object.keys(second).length ? 2 : 1) + followUps,
  };
}
