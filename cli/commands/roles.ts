/** `assign-role` and `remove-role --others`: the sync role on the Marketo User only. */
import { assignSyncRole, otherRoleHolders, removeSyncRoleFrom, roleMustBeExclusive, userOf } from "../../core/setup";
import { CliError, EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import { loadSetup, type Session } from "../session";

export async function assignRole(session: Session): Promise<ExitCode> {
  const { io, t, out } = session;
  const { connection, state, syncUserSource } = await loadSetup(session, { signedInAsFallback: true });
  const user = userOf(state);
  if (syncUserSource === "signedIn" && !out.json) io.out(t("Cli_SyncUserIsSignedIn", { name: user.fullName }) + "\n");
  const { changed } = await assignSyncRole(connection.client, state);
  const params = { role: session.opts.role, name: user.fullName };
  if (out.json) writeJson(io, { changed, user: { id: user.id, name: user.fullName }, role: session.opts.role });
  else io.out(t(changed ? "Cli_RoleAssigned" : "Cli_RoleAlreadyAssigned", params) + "\n");
  return EXIT.ok;
}

export async function removeRole(session: Session, options: { others?: boolean; yes?: boolean }): Promise<ExitCode> {
  const { io, t, out } = session;
  if (!options.others) throw new CliError(EXIT.usage, "Cli_RemoveNeedsOthers");
  const { connection, state, syncUserSource } = await loadSetup(session, { signedInAsFallback: true });
  const role = session.opts.role;
  const user = userOf(state); // "others" are everyone but this user: never run without one
  if (syncUserSource === "signedIn" && !out.json) io.out(t("Cli_SyncUserIsSignedIn", { name: user.fullName }) + "\n");
  const version = state.solution.ok ? state.solution.value?.version : undefined;
  // Before 4.0.0.14 every user needs the role: without a known version, removing is not safe.
  if (!version) throw new CliError(EXIT.failed, "Check_ExclusiveNoSolution", { role });
  if (!roleMustBeExclusive(version)) throw new CliError(EXIT.failed, "Cli_RemoveNotBefore", { role, version });
  const others = otherRoleHolders(state);
  if (others.length === 0) {
    if (out.json) writeJson(io, { removed: [] });
    else io.out(t("Cli_RemoveNone", { role }) + "\n");
    return EXIT.ok;
  }
  const list = others.map((u) => `  - ${u.fullName}${u.email ? ` <${u.email}>` : ""} (${u.id})`).join("\n");
  if (!out.json) io.out(t("Cli_RemoveList", { role, count: others.length }) + "\n" + list + "\n");
  if (!options.yes) {
    if (!io.interactive) throw new CliError(EXIT.usage, "Cli_RemoveNeedsYes");
    const answer = (await io.prompt(t("Cli_ConfirmPrompt") + " ")).trim().toLowerCase();
    if (!["y", "yes", "o", "oui"].includes(answer)) {
      io.out(t("Cli_RemoveCancelled") + "\n");
      return EXIT.failed;
    }
  }
  const { removed } = await removeSyncRoleFrom(connection.client, state, others);
  if (out.json) writeJson(io, { removed: removed.map((u) => ({ id: u.id, name: u.fullName })) });
  else io.out(t("Cli_Removed", { role, names: removed.map((u) => u.fullName).join(", ") }) + "\n");
  return EXIT.ok;
}
