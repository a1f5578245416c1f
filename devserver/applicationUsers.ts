/**
 * Dataverse's rules for creating an application user (`POST systemusers` with `applicationid` and
 * `businessunitid@odata.bind`, Microsoft's "Manage application users in the Power Platform admin
 * center" and "Create users" / "User (SystemUser) table" reference):
 * - one application user per application id (checked first: an existing one, even disabled, is
 *   what the admin wants to pick or enable);
 * - the app's service principal must exist in the environment's Entra tenant;
 * - a business unit is required and must exist (a bind to a missing one is the usual 404
 *   0x80040217, from write.ts);
 * - the name, address and object id come from the service principal, not from the request
 *   (the form locks them: "New Dataverse functionality in creation of App Users", ariclevin.com).
 * The privilege is prvCreateUser (write.ts checks it before anything else, security.ts names it).
 *
 * The codes of the first two refusals are not documented by Microsoft. We answer a missing service
 * principal with 0x80040203 (InvalidArgument) and a second application user with 0x80040237
 * (DuplicateRecord, 412 like the stand-in's other duplicate creates): both uncertain.
 */
import { Codes, HttpError } from "./errors";
import type { Row } from "./fixture";
import type { Org } from "./store";

/** The tenant's initial domain, used for the application user's placeholder address. */
export const TENANT_DOMAIN = "contoso.onmicrosoft.com";

/** Checks a new systemuser's columns and completes an application user's; ordinary users pass through. */
export function applyApplicationUserRules(org: Org, changes: Row): void {
  const raw = changes.applicationid;
  if (raw === undefined || raw === null || raw === "") return;
  const applicationId = String(raw).toLowerCase();
  if (!changes._businessunitid_value) {
    throw new HttpError(400, Codes.invalidArgument, "An application user needs a business unit: set businessunitid@odata.bind to /businessunits(<id>).");
  }
  const existing = [...org.table(org.entity("systemuser")).values()].find((u) => String(u.applicationid ?? "").toLowerCase() === applicationId);
  if (existing) {
    throw new HttpError(
      412,
      Codes.duplicateKey,
      `An application user for application ID '${applicationId}' already exists (systemuserid ${String(existing.systemuserid)}${existing.isdisabled ? ", disabled" : ""}). A record with matching key values already exists.`,
    );
  }
  // A service principal made seconds ago may not have reached Dataverse yet (Directory.propagationMisses).
  const sp = org.entra.servicePrincipalByAppId(applicationId);
  if (!sp || org.entra.notYetSeen("applicationUser", applicationId)) {
    throw new HttpError(
      400,
      Codes.invalidArgument,
      `No service principal with application ID '${applicationId}' exists in the tenant '${org.organization.TenantId}'. Register the app in Microsoft Entra ID and create its service principal (enterprise application) before creating the application user.`,
    );
  }
  const slug = sp.displayName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  const address = `${slug || applicationId}@${TENANT_DOMAIN}`;
  Object.assign(changes, {
    applicationid: applicationId,
    fullname: sp.displayName,
    firstname: "#",
    lastname: sp.displayName,
    domainname: address,
    internalemailaddress: address,
    azureactivedirectoryobjectid: sp.id,
    accessmode: 4,
    islicensed: false,
    isdisabled: changes.isdisabled ?? false,
  });
}
