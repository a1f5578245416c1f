/**
 * `create-sync-user --client-id ID`: what the control's "Create the application user" does, for
 * scripts. The application user of that Client ID (created in the root business unit, or the one
 * named; reused when it exists), the sync role in its business unit, and the Marketo User of the
 * Default record. Signed in as the admin (device code) or, with --admin-client-id, as another app.
 */
import { isGuid } from "../../core/dataverse/odata";
import { adminSession, type AdminOptions } from "../adminSession";
import { ensureApplicationUser } from "../applicationUser";
import { reportDryRun } from "../dryRun";
import { CliError, EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import type { Session } from "../session";
import { makeSyncUser } from "../syncUser";

export interface CreateSyncUserOptions extends AdminOptions {
  businessUnit?: string;
  yes?: boolean;
  enable?: boolean;
}

export async function createSyncUser(base: Session, options: CreateSyncUserOptions): Promise<ExitCode> {
  const clientId = base.opts.clientId ?? "";
  if (!clientId) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--client-id" });
  if (!isGuid(clientId)) throw new CliError(EXIT.usage, "Cli_BadClientId", { clientId });
  const { io, t, out, runtime } = base;
  // Asked before signing in, so a script without --yes fails at once instead of after a sign-in.
  if (!options.yes && !runtime.dryRun) {
    if (!io.interactive) throw new CliError(EXIT.usage, "Cli_SyncUser_NeedsYes");
    const answer = (await io.prompt(t("Cli_SyncUser_Confirm", { clientId, role: base.opts.role }) + " ")).trim().toLowerCase();
    if (!["y", "yes", "o", "oui"].includes(answer)) {
      io.out(t("Cli_SyncUser_Cancelled") + "\n");
      return EXIT.failed;
    }
  }
  const session = await adminSession(base, options, false);
  const { client } = await session.connection();
  const ensured = await ensureApplicationUser(client, runtime, clientId, { ...options, roleName: base.opts.role });
  const result = await makeSyncUser(session, ensured, { stepsAndPublish: false });
  const user = { id: ensured.user.id || null, name: ensured.user.fullName, clientId, businessUnit: ensured.user.businessUnitName ?? ensured.user.businessUnitId ?? null };
  const summary = { user, created: ensured.created, enabled: ensured.enabled, roleAssigned: result.roleAssigned, marketoUserSaved: result.userSaved };
  if (runtime.dryRun) return reportDryRun(session, summary);
  if (out.json) writeJson(io, { changed: ensured.created || ensured.enabled || result.roleAssigned || result.userSaved, ...summary });
  else {
    const params = { name: ensured.user.fullName, clientId, role: base.opts.role };
    io.out(t(ensured.created ? "Cli_SyncUser_Created" : ensured.enabled ? "Cli_SyncUser_Enabled" : "Cli_SyncUser_Exists", params) + "\n");
    io.out(t(result.roleAssigned ? "Cli_RoleAssigned" : "Cli_RoleAlreadyAssigned", params) + "\n");
    io.out(t(result.userSaved ? "Cli_SyncUser_Saved" : "Cli_SyncUser_AlreadySaved", params) + "\n");
  }
  return EXIT.ok;
}
