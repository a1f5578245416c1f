/**
 * Privilege checks. The emulator does not model role privileges in full: every user may do
 * everything except what the fixture lists under `security.denied` for that user. That is enough
 * to reproduce the 403 the control must explain.
 */
import { createHash } from "node:crypto";
import { Codes, HttpError } from "./errors";
import type { Entity, Org } from "./store";

/** A stable GUID-looking id for a privilege name (real orgs have one per privilege). */
export function privilegeId(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * 403 with code 0x80040220 (PrivilegeDenied). The text follows the pattern Dataverse uses:
 * principal id and type (8 = systemuser), role count, the missing privilege and the table.
 */
export function privilegeDenied(org: Org, userId: string, privilege: string, entity?: Entity): HttpError {
  const user = org.get("systemuser", userId);
  const { direct, viaTeams } = org.rolesOf(userId);
  const accessMode = Number(user?.accessmode ?? 0);
  const on = entity ? ` on OTC=${entity.objectTypeCode} for entity '${entity.logicalName}'` : "";
  return new HttpError(
    403,
    Codes.privilegeDenied,
    `Principal user (Id=${userId}, type=8, roleCount=${direct.length + viaTeams.length}, privilegeCount=${(direct.length + viaTeams.length) * 100}, accessMode=${accessMode}), is missing ${privilege} privilege (Id=${privilegeId(privilege)})${on}. Consider adding the privilege to one of the principal's roles. context.Caller=${userId}`,
  );
}

/**
 * The table part of a privilege name: the schema name, except for systemuser, whose privileges
 * Dataverse names `prvCreateUser`, `prvReadUser`, `prvWriteUser`… (Microsoft's "Security roles and
 * privileges" and "Manage application users" pages name prvCreateUser).
 */
export const privilegeTableName = (schemaName: string) => (schemaName === "SystemUser" ? "User" : schemaName);

/** `Read`/`Write`/`Create`/`Delete` on a table become `prvReadSchemaName` etc.; other names are taken as is. */
export function checkPrivilege(org: Org, userId: string, action: string, entity?: Entity): void {
  const privilege = entity && ["Read", "Write", "Create", "Delete", "Append", "AppendTo"].includes(action) ? `prv${action}${privilegeTableName(entity.schemaName)}` : action;
  const denied = org.denied[userId] ?? [];
  if (denied.includes(privilege)) throw privilegeDenied(org, userId, privilege, entity);
}

/** Privileges that are not about one table. */
const MISC_PRIVILEGES = ["prvAssignRole", "prvPublishCustomization", "prvImportCustomization"];
const TABLE_ACTIONS = ["Create", "Read", "Write", "Delete", "Append", "AppendTo"];

/** Every privilege the emulator knows: the table privileges of each table, and the others it checks. */
export function knownPrivileges(schemaNames: string[]): string[] {
  return [...MISC_PRIVILEGES, ...schemaNames.flatMap((s) => TABLE_ACTIONS.map((a) => `prv${a}${privilegeTableName(s)}`))];
}

/**
 * What RetrieveUserPrivileges reports: a user with at least one role (direct or through a team)
 * holds every known privilege at Global depth, except those the fixture denies; a user without
 * roles holds none. Real orgs sum the privileges of each role; the control only asks "is X held?".
 */
export function heldPrivileges(org: Org, userId: string, all: string[]): string[] {
  const { direct, viaTeams } = org.rolesOf(userId);
  if (direct.length + viaTeams.length === 0) return [];
  const denied = new Set(org.denied[userId] ?? []);
  return all.filter((p) => !denied.has(p));
}
