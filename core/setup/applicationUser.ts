/**
 * Creating the sync user from an app registration's Client ID: the application user, in a business
 * unit, holding that business unit's copy of the sync role.
 *
 * The request is the one Microsoft documents for application users ("Manage application users in
 * the Power Platform admin center"; "User (SystemUser) table/entity reference": `applicationid`,
 * `businessunitid`): `POST systemusers` with `applicationid` and `businessunitid@odata.bind`.
 * Dataverse accepts it only when the app's service principal exists in the tenant, and keeps one
 * application user per app: we look before creating, so a retry never makes a second one.
 */
import type { ODataCollection, WebApiClient } from "../dataverse/webApiClient";
import { ErrorCodes, isDataverseError } from "../dataverse/errors";
import { allOf, buildQuery, eq, guid, pattern } from "../dataverse/odata";
import { SetupActionError } from "./actions";
import { toUser } from "./load";
import { USER_FIELDS } from "./queries";
import type { UserInfo } from "./types";

type Options = { signal?: AbortSignal };

export interface BusinessUnit {
  id: string;
  name: string;
  /** The root business unit (no parent): the default home of a new user. */
  isRoot: boolean;
}

/** At most this many business units per search: a full page means there may be more. */
export const BUSINESS_UNIT_PAGE = 50;

/**
 * Business units by name; `text` narrows them (contains). Without text the root business unit (the
 * one without parent, the default home of a new user) comes first even when it is not on the first page.
 */
export async function searchBusinessUnits(client: WebApiClient, text = "", options: Options = {}): Promise<BusinessUnit[]> {
  const page = (filter: string | undefined, top: number) =>
    client.get<ODataCollection<Record<string, unknown>>>("businessunits" + buildQuery({ select: ["businessunitid", "name", "_parentbusinessunitid_value"], filter, orderby: ["name"], top }), options);
  const [root, found] = await Promise.all([
    text.trim() ? undefined : page(eq("_parentbusinessunitid_value", null), 1),
    page(text.trim() ? pattern("contains", "name", text.trim()) : undefined, BUSINESS_UNIT_PAGE),
  ]);
  const units = [...(root?.value ?? []), ...found.value].map((r) => ({ id: String(r.businessunitid), name: String(r.name ?? ""), isRoot: !r._parentbusinessunitid_value }));
  return units.filter((u, i) => units.findIndex((o) => o.id === u.id) === i).sort((a, b) => Number(b.isRoot) - Number(a.isRoot));
}

/** The application user of this Client ID, enabled or not; null when there is none. */
export async function findApplicationUser(client: WebApiClient, clientId: string, options: Options = {}): Promise<UserInfo | null> {
  const page = await client.get<ODataCollection<Record<string, unknown>>>("systemusers" + buildQuery({ select: USER_FIELDS, filter: eq("applicationid", clientId, "guid"), top: 1 }), options);
  return page.value[0] ? toUser(page.value[0]) : null;
}

/** Turns an existing application user into the refusal that offers to pick (or enable) it. */
const exists = (user: UserInfo, cause?: unknown) => new SetupActionError(user.isDisabled ? "appUserDisabled" : "appUserExists", `Exists: ${user.id}`, { name: user.fullName }, cause, user);

/**
 * Gives the user the copy of the role that belongs to `businessUnitId` (role copies are per
 * business unit; Dataverse refuses any other with 0x80041409). Safe to repeat.
 */
export async function assignRoleInBusinessUnit(client: WebApiClient, userId: string, businessUnitId: string, roleName: string, options: Options = {}): Promise<void> {
  const page = await client.get<ODataCollection<{ roleid: string }>>(
    "roles" + buildQuery({ select: ["roleid"], filter: allOf([eq("name", roleName), eq("_businessunitid_value", businessUnitId, "guid")]), top: 1 }),
    options,
  );
  const copy = page.value[0];
  if (!copy) throw new SetupActionError("noRoleCopy", `No copy of "${roleName}" in business unit ${businessUnitId}`, { role: roleName, businessUnit: businessUnitId });
  try {
    await client.associate("systemusers", userId, "systemuserroles_association", "roles", copy.roleid, options);
  } catch (e) {
    if (!(isDataverseError(e) && e.kind === "duplicate")) throw e;
  }
}

export interface CreateApplicationUserInput {
  clientId: string;
  businessUnitId: string;
  roleName: string;
}

/**
 * Creates the application user and gives it the sync role. Refusals are SetupActionErrors whose key
 * says what to do: `appUserExists` / `appUserDisabled` (carry the user to pick or enable),
 * `appUserNoServicePrincipal`, `appUserBusinessUnitGone`, `appUserRoleNotAssigned` (the user was
 * created: carry it so the retry only assigns the role).
 */
export async function createApplicationUser(client: WebApiClient, input: CreateApplicationUserInput, options: Options = {}): Promise<UserInfo> {
  const clientId = guid(input.clientId);
  const found = await findApplicationUser(client, clientId, options);
  if (found) throw exists(found);
  let id: string;
  try {
    id = await client.create("systemusers", { applicationid: clientId, "businessunitid@odata.bind": `/businessunits(${guid(input.businessUnitId)})` }, options);
  } catch (e) {
    if (!isDataverseError(e)) throw e;
    // Created by someone else meanwhile (412 duplicate): offer that one.
    if (e.kind === "duplicate") {
      const other = await findApplicationUser(client, clientId, options);
      if (other) throw exists(other, e);
    }
    // The codes of these refusals are not documented: the stand-in answers 0x80040203 (InvalidArgument) for a
    // missing service principal, and a bind to a missing record is the usual 404 0x80040217.
    if (e.code?.toLowerCase() === "0x80040203" || /service principal/i.test(e.message)) throw new SetupActionError("appUserNoServicePrincipal", e.message, { clientId }, e);
    if (e.code?.toLowerCase() === ErrorCodes.notFound || e.status === 404) throw new SetupActionError("appUserBusinessUnitGone", e.message, {}, e);
    throw e;
  }
  const user = (await findApplicationUser(client, clientId, options)) ?? { id, fullName: clientId, isDisabled: false, applicationId: clientId, businessUnitId: input.businessUnitId };
  try {
    await assignRoleInBusinessUnit(client, user.id, input.businessUnitId, input.roleName, options);
  } catch (e) {
    throw new SetupActionError("appUserRoleNotAssigned", `Created ${user.id}; role not assigned`, { name: user.fullName, role: input.roleName }, e, user);
  }
  return user;
}

/** Enables a disabled user (`isdisabled` is writable: SystemUser table reference; needs prvWriteUser). */
export async function enableUser(client: WebApiClient, userId: string, options: Options = {}): Promise<void> {
  await client.update("systemusers", userId, { isdisabled: false }, options);
}
