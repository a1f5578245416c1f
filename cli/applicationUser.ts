/**
 * The application user of a Client ID, created when missing: `POST systemusers` with `applicationid`
 * and `businessunitid@odata.bind` (Microsoft Learn, "Create an application user" in "Manage
 * application users in the Power Platform admin center" and the SystemUser table reference). One
 * application user per app: an existing one (also a disabled one) is found and reused, never doubled.
 * Dataverse only accepts it once the app's service principal exists in the tenant. The creation itself
 * is core's (core/setup/applicationUser.ts, shared with the control); this adds the CLI's choices:
 * the business unit by exact name (root by default), --enable, --dry-run, and its words.
 */
import { API_PATH, type DataverseClient, type ODataCollection } from "../core/dataverse/client";
import { isDataverseError } from "../core/dataverse/errors";
import { buildQuery, eq, recordPath } from "../core/dataverse/odata";
import { SetupActionError, type UserInfo } from "../core/setup";
import { createApplicationUser, enableUser, findApplicationUser } from "../core/setup/applicationUser";
import { CliError, EXIT } from "./errors";
import type { CommandRuntime } from "./network";

export interface BusinessUnit {
  id: string;
  name: string;
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
  options: { businessUnit?: string; enable?: boolean; roleName: string },
): Promise<EnsuredUser> {
  const reuse = async (existing: UserInfo): Promise<EnsuredUser> => {
    if (!existing.isDisabled) return { user: existing, created: false, enabled: false, planned: false };
    // Re-enabling a user is a decision the admin makes: it may have been disabled on purpose.
    if (!options.enable) throw new CliError(EXIT.failed, "Cli_SyncUser_Disabled", { name: existing.fullName, clientId }, undefined, "Cli_SyncUser_EnableHint");
    await enableUser(client, existing.id);
    return { user: { ...existing, isDisabled: false }, created: false, enabled: true, planned: false };
  };
  const existing = await findApplicationUser(client, clientId);
  if (existing) return reuse(existing);
  const unit = await findBusinessUnit(client, options.businessUnit);
  if (runtime.dryRun) {
    runtime.dryRun.add("POST", `${client.orgUrl}${API_PATH}systemusers`, `applicationid=${clientId}, businessunitid@odata.bind=/businessunits(${unit.id})`);
    return { user: { id: "", fullName: clientId, applicationId: clientId, isDisabled: false, businessUnitId: unit.id, businessUnitName: unit.name }, created: true, enabled: false, planned: true };
  }
  try {
    // core/setup/applicationUser.ts: the control's creation, the role of the user's business unit included.
    const user = await createApplicationUser(client, { clientId, businessUnitId: unit.id, roleName: options.roleName });
    return { user, created: true, enabled: false, planned: false };
  } catch (e) {
    if (e instanceof SetupActionError) {
      // Created meanwhile (another run, the control): the one that exists is the one to use.
      if ((e.key === "appUserExists" || e.key === "appUserDisabled") && e.user) return reuse(e.user);
      // Created without its role: the next step assigns it (and says why if it fails), as a re-run would.
      if (e.key === "appUserRoleNotAssigned" && e.user) return { user: e.user, created: true, enabled: false, planned: false };
      if (e.key === "appUserNoServicePrincipal") throw new CliError(EXIT.failed, "Cli_SyncUser_NoServicePrincipal", { clientId }, e.message);
      if (e.key === "appUserBusinessUnitGone") throw new CliError(EXIT.failed, "Cli_SyncUser_NoBusinessUnit", { name: unit.name }, e.message);
    }
    if (isDataverseError(e) && e.kind === "privilege") throw new CliError(EXIT.failed, "Cli_SyncUser_NoPrivilege", { clientId }, e.message);
    throw e;
  }
}

/** The Marketo User lookup of the Default record, set to this user unless it already is. */
export async function saveMarketoUser(client: DataverseClient, config: { entitySet: string; recordId: string; navigation: string; savedUserId: string | null }, userId: string): Promise<boolean> {
  if (config.savedUserId?.toLowerCase() === userId.toLowerCase()) return false;
  await client.update(config.entitySet, config.recordId, { [`${config.navigation}@odata.bind`]: `/${recordPath("systemusers", userId)}` });
  return true;
}
