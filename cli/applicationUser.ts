/**
 * The application user of a Client ID, created when missing: `POST systemusers` with `applicationid`
 * and `businessunitid@odata.bind` (Microsoft Learn, "Create an application user" in "Manage
 * application users in the Power Platform admin center" and the SystemUser table reference). One
 * application user per app: an existing one (also a disabled one) is found and reused, never doubled.
 * Dataverse only accepts it once the app's service principal exists in the tenant.
 */
import type { DataverseClient, ODataCollection } from "../core/dataverse/client";
import { isDataverseError } from "../core/dataverse/errors";
import { buildQuery, eq, recordPath } from "../core/dataverse/odata";
import { toUser, USER_FIELDS, type UserInfo } from "../core/setup";
import { CliError, EXIT } from "./errors";
import type { CommandRuntime } from "./network";

/** Dataverse's answer to an application user for an app without a service principal (InvalidArgument; code undocumented). */
const NO_SERVICE_PRINCIPAL = "0x80040203";

export interface BusinessUnit {
  id: string;
  name: string;
}

export async function findApplicationUser(client: DataverseClient, clientId: string): Promise<UserInfo | undefined> {
  const page = await client.get<ODataCollection<Record<string, unknown>>>("systemusers" + buildQuery({ select: USER_FIELDS, filter: eq("applicationid", clientId, "guid"), top: 2 }));
  return page.value.map(toUser)[0];
}

/** The named business unit, or the root one (the only one without a parent) when none is named. */
export async function findBusinessUnit(client: DataverseClient, name: string | undefined): Promise<BusinessUnit> {
  const filter = name ? eq("name", name) : eq("_parentbusinessunitid_value", null);
  const page = await client.get<ODataCollection<{ businessunitid: string; name: string }>>("businessunits" + buildQuery({ select: ["businessunitid", "name"], filter, top: 2 }));
  if (page.value.length === 0) throw new CliError(EXIT.failed, "Cli_SyncUser_NoBusinessUnit", { name: name ?? "" });
  if (page.value.length > 1) throw new CliError(EXIT.usage, "Cli_SyncUser_BusinessUnitAmbiguous", { name: name ?? "" });
  return { id: page.value[0].businessunitid, name: page.value[0].name };
}

export interface EnsuredUser {
  user: UserInfo;
  created: boolean;
  enabled: boolean;
  /** --dry-run and the user would be created now: no id to act on yet. */
  planned: boolean;
}

export async function ensureApplicationUser(
  client: DataverseClient,
  runtime: CommandRuntime,
  clientId: string,
  options: { businessUnit?: string; enable?: boolean },
): Promise<EnsuredUser> {
  const existing = await findApplicationUser(client, clientId);
  if (existing) {
    if (!existing.isDisabled) return { user: existing, created: false, enabled: false, planned: false };
    // Re-enabling a user is a decision the admin makes: it may have been disabled on purpose.
    if (!options.enable) throw new CliError(EXIT.failed, "Cli_SyncUser_Disabled", { name: existing.fullName, clientId }, undefined, "Cli_SyncUser_EnableHint");
    await client.update("systemusers", existing.id, { isdisabled: false });
    return { user: { ...existing, isDisabled: false }, created: false, enabled: true, planned: false };
  }
  const unit = await findBusinessUnit(client, options.businessUnit);
  const body = { applicationid: clientId, "businessunitid@odata.bind": `/businessunits(${unit.id})` };
  if (runtime.dryRun) {
    runtime.dryRun.add("POST", `${client.orgUrl}/api/data/v9.2/systemusers`, `applicationid=${clientId}, businessunitid@odata.bind=/businessunits(${unit.id})`);
    return { user: { id: "", fullName: clientId, applicationId: clientId, isDisabled: false, businessUnitId: unit.id, businessUnitName: unit.name }, created: true, enabled: false, planned: true };
  }
  try {
    await client.create("systemusers", body);
  } catch (e) {
    if (isDataverseError(e) && e.code?.toLowerCase() === NO_SERVICE_PRINCIPAL) throw new CliError(EXIT.failed, "Cli_SyncUser_NoServicePrincipal", { clientId }, e.message);
    if (isDataverseError(e) && e.kind === "privilege") throw new CliError(EXIT.failed, "Cli_SyncUser_NoPrivilege", { clientId }, e.message);
    // Created meanwhile (another run, the control): the one that exists is the one to use.
    if (!(isDataverseError(e) && e.kind === "duplicate")) throw e;
  }
  const created = await findApplicationUser(client, clientId);
  if (!created) throw new CliError(EXIT.failed, "Cli_SyncUser_NotFoundAfterCreate", { clientId });
  return { user: created, created: true, enabled: false, planned: false };
}

/** The Marketo User lookup of the Default record, set to this user unless it already is. */
export async function saveMarketoUser(client: DataverseClient, config: { entitySet: string; recordId: string; navigation: string; savedUserId: string | null }, userId: string): Promise<boolean> {
  if (config.savedUserId?.toLowerCase() === userId.toLowerCase()) return false;
  await client.update(config.entitySet, config.recordId, { [`${config.navigation}@odata.bind`]: `/${recordPath("systemusers", userId)}` });
  return true;
}
