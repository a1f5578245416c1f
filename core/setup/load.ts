/**
 * Reads everything the checklist needs in two `$batch` round trips: the first asks every
 * question that needs only the input; the second asks those that need an answer from the
 * first (the config table's entity set, the solution's step ids). In a large organisation an
 * expanded collection (the role's holders) can be cut at 5,000 rows; its `<nav>@odata.nextLink`
 * is then followed, alongside the second round, so nobody who holds the role is missed.
 */
import type { BatchResult, DataverseClient } from "../dataverse/client";
import { DataverseError, isDataverseError } from "../dataverse/errors";
import { guid } from "../dataverse/odata";
import {
  attributeDefinitionPath,
  configRecordPath,
  entityDefinitionPath,
  lastPublishJobPath,
  privilegesByNamePath,
  rolesByNamePath,
  solutionPath,
  stepsPath,
  SYNC_FILTER_FIELD,
  SYNC_FILTER_TABLES,
  userTeamsWithRolePath,
  userWithRolesPath,
} from "./queries";
import { ALL_REQUIRED_PRIVILEGES } from "./privileges";
import type { Fact, OrganizationInfo, PluginStep, RoleCopy, SetupInput, SetupState, SolutionInfo, UserInfo } from "./types";

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
export async function completeExpansion(client: DataverseClient, row: Row, nav: string, signal?: AbortSignal): Promise<number> {
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
async function completeResult(client: DataverseClient, result: BatchResult | undefined, nav: string, signal?: AbortSignal): Promise<{ result: BatchResult | undefined; requests: number }> {
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

export interface LoadOptions {
  signal?: AbortSignal;
}

export async function loadSetupState(client: DataverseClient, input: SetupInput, options: LoadOptions = {}): Promise<SetupState> {
  const userId = input.chosenUserId ? guid(input.chosenUserId) : undefined;
  const configId = guid(input.config.id);

  const first: string[] = [
    entityDefinitionPath(input.config.entity),
    rolesByNamePath(input.roleName),
    solutionPath(input.solutionName),
    client.functionPath("RetrieveCurrentOrganization", { AccessType: { raw: "Microsoft.Dynamics.CRM.EndpointAccessType'Default'" } }),
    client.functionPath("WhoAmI"),
    privilegesByNamePath(ALL_REQUIRED_PRIVILEGES),
    lastPublishJobPath(),
    ...SYNC_FILTER_TABLES.map((t) => attributeDefinitionPath(t, SYNC_FILTER_FIELD)),
  ];
  if (userId) first.push(userWithRolesPath(userId), userTeamsWithRolePath(userId, input.roleName));
  const r1 = await client.batchGet(first, { signal: options.signal });
  const [entityDef, rolesFirst, solutionFirst, organization, whoAmI, privilegeIds, lastPublishJob, ...rest] = r1;
  const filterResults = rest.slice(0, SYNC_FILTER_TABLES.length);
  const [userFirst, teamsResult] = rest.slice(SYNC_FILTER_TABLES.length);

  const configEntitySet = entityDef.ok ? str((entityDef.data as Row).EntitySetName) : undefined;
  // The step ids decide the second round, so the solution's components are completed first.
  const solutionDone = await completeResult(client, solutionFirst, "solution_solutioncomponent", options.signal);
  const solution = solutionDone.result;
  const solutionFact = fact(solution, readSolution);
  const stepIds = solutionFact.ok && solutionFact.value ? solutionFact.value.stepIds : [];

  const second: string[] = [];
  const slot: Record<string, number> = {};
  if (configEntitySet) {
    slot.config = second.push(configRecordPath(configEntitySet, configId, input.config.attribute)) - 1;
    if (userId) {
      const target = { record: `${configEntitySet}(${configId})` };
      slot.access = second.push(client.functionPath("RetrievePrincipalAccess", { Target: target }, `systemusers(${userId})`)) - 1;
    }
  }
  if (stepIds.length) slot.steps = second.push(stepsPath(stepIds)) - 1;
  const currentUserId = whoAmI.ok ? str((whoAmI.data as Row).UserId) : undefined;
  if (currentUserId) slot.privileges = second.push(client.functionPath("RetrieveUserPrivileges", {}, `systemusers(${guid(currentUserId)})`)) - 1;
  const [r2, rolesDone, userDone] = await Promise.all([
    second.length ? client.batchGet(second, { signal: options.signal }) : Promise.resolve([] as BatchResult[]),
    completeResult(client, rolesFirst, "systemuserroles_association", options.signal),
    completeResult(client, userFirst, "systemuserroles_association", options.signal),
  ]);
  const roles = rolesDone.result;
  const userResult = userDone.result;
  const followUps = solutionDone.requests + rolesDone.requests + userDone.requests;

  const savedUserId: Fact<string | null> = configEntitySet
    ? fact(r2[slot.config], (d) => str(d[`_${input.config.attribute}_value`]) ?? null)
    : { ok: false, error: entityDef.error! };

  const chosenUser = userId
    ? (() => {
        const user = fact(userResult, (d) => ({
          ...toUser(d),
          directRoleIds: ((d.systemuserroles_association as Row[]) ?? []).map((r) => String(r.roleid)),
          roleTeams: [] as string[],
        }));
        if (user.ok && teamsResult?.ok) user.value.roleTeams = rows(teamsResult.data as Row).map((t) => String(t.name));
        return user;
      })()
    : undefined;

  const steps: Fact<PluginStep[]> = stepIds.length
    ? fact(r2[slot.steps], (d) =>
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
  SYNC_FILTER_TABLES.forEach((table, i) => (syncFilter[table] = fact(filterResults[i], () => true, false)));

  return {
    input,
    configEntitySet,
    savedUserId,
    configModifiedOn: r2[slot.config]?.ok ? str((r2[slot.config].data as Row).modifiedon) : undefined,
    chosenUser,
    roles: fact(roles, readRoles),
    solution: solutionFact,
    steps,
    configReadable:
      slot.access !== undefined ? fact(r2[slot.access], (d) => /\bReadAccess\b/.test(String(d.AccessRights ?? ""))) : undefined,
    organization: fact(organization, readOrganization),
    syncFilter,
    currentUserId,
    lastPublishJobAt: lastPublishJob.ok ? str(rows(lastPublishJob.data as Row)[0]?.completedon) : undefined,
    adminPrivileges: slot.privileges !== undefined ? fact(r2[slot.privileges], (d) => heldPrivilegeNames(d, privilegeIds)) : undefined,
    // Follow-up pages run beside the second batch; each is a round trip of its own all the same.
    roundTrips: (second.length ? 2 : 1) + followUps,
  };
}
