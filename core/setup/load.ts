/**
 * Reads everything the checklist needs in two `$batch` round trips: the first asks every
 * question that needs only the input; the second asks those that need an answer from the
 * first (the config table's entity set, the solution's step ids).
 */
import type { BatchResult, DataverseClient } from "../dataverse/client";
import { DataverseError } from "../dataverse/errors";
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
  const [entityDef, roles, solution, organization, whoAmI, privilegeIds, lastPublishJob, ...rest] = r1;
  const filterResults = rest.slice(0, SYNC_FILTER_TABLES.length);
  const [userResult, teamsResult] = rest.slice(SYNC_FILTER_TABLES.length);

  const configEntitySet = entityDef.ok ? str((entityDef.data as Row).EntitySetName) : undefined;
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
  const r2 = second.length ? await client.batchGet(second, { signal: options.signal }) : [];

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
        rows(d).map((s) => ({ id: String(s.sdkmessageprocessingstepid), name: String(s.name ?? ""), enabled: s.statecode === 0 })),
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
    roundTrips: second.length ? 2 : 1,
  };
}
