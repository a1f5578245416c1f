/**
 * `assign-role` and `remove-role --others`: the sync role on the Marketo User only. Which user is
 * acted on is always said (text and JSON `user.source`): `--user`, the saved Marketo User, or (none
 * saved, signed in with Marketo's credentials) the application user the command signed in as.
 */
import { assignSyncRole, otherRoleHolders, removeSyncRoleFrom, roleMustBeExclusive, userOf } from "../../core/setup";
import type { UserInfo } from "../../core/setup/types";
import { reportDryRun } from "../dryRun";
import { CliError, EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import { loadSetup, type LoadedSetup, type Session } from "../session";
import { findUser } from "./setUser";

const SOURCE_KEY: Record<LoadedSetup["syncUserSource"], string> = {
  option: "Cli_ActingOnOption",
  saved: "Cli_ActingOnSaved",
  signedIn: "Cli_SyncUserIsSignedIn",
  none: "Cli_ActingOnSaved",
};

async function load(session: Session, userText: string | undefined): Promise<LoadedSetup & { user: UserInfo }> {
  const userId = userText === undefined ? undefined : (await findUser((await session.connection()).client, userText)).id;
  const loaded = await loadSetup(session, { signedInAsFallback: true, userId });
  const user = userOf(loaded.state);
  if (!session.out.json) session.io.out(session.t(SOURCE_KEY[loaded.syncUserSource], { name: user.fullName, id: user.id }) + "\n");
  return { ...loaded, user };
}

const userJson = (user: UserInfo, source: LoadedSetup["syncUserSource"]) => ({ id: user.id, name: user.fullName, source });

export async function assignRole(session: Session, options: { user?: string } = {}): Promise<ExitCode> {
  const { io, t, out } = session;
  const { connection, state, syncUserSource, user } = await load(session, options.user);
  const { changed } = await assignSyncRole(connection.client, state);
  const params = { role: session.opts.role, name: user.fullName };
  if (session.runtime.dryRun) return reportDryRun(session, { user: userJson(user, syncUserSource), role: session.opts.role });
  if (out.json) writeJson(io, { changed, user: userJson(user, syncUserSource), role: session.opts.role });
  else io.out(t(changed ? "Cli_RoleAssigned" : "Cli_RoleAlreadyAssigned", params) + "\n");
  return EXIT.ok;
}

export async function removeRole(session: Session, options: { others?: boolean; yes?: boolean; user?: string }): Promise<ExitCode> {
  const { io, t, out } = session;
  if (!options.others) throw new CliError(EXIT.usage, "Cli_RemoveNeedsOthers");
  const { connection, state, syncUserSource, user } = await load(session, options.user); // "others" are everyone but this user: never run without one
  const role = session.opts.role;
  const version = state.solution.ok ? state.solution.value?.version : undefined;
  // Before 4.0.0.14 every user needs the role: without a known version, removing is not safe.
  if (!version) throw new CliError(EXIT.failed, "Check_ExclusiveNoSolution", { role });
  if (!roleMustBeExclusive(version)) throw new CliError(EXIT.failed, "Cli_RemoveNotBefore", { role, version });
  let others = otherRoleHolders(state);
  // Signed in with Marketo's credentials, the application user they sign in as is the sync user
  // Marketo really uses: it keeps the role even when another user was saved or named.
  if (session.opts.marketoCredentials !== false) {
    const me = (await connection.client.callFunction<{ UserId: string }>("WhoAmI")).UserId.toLowerCase();
    const self = others.find((u) => u.id.toLowerCase() === me);
    if (self) {
      others = others.filter((u) => u !== self);
      io.err(t("Cli_RemoveKeepsSignedIn", { name: self.fullName, role }) + "\n");
    }
  }
  const acted = userJson(user, syncUserSource);
  if (others.length === 0) {
    if (session.runtime.dryRun) return reportDryRun(session, { user: acted, removed: [] });
    if (out.json) writeJson(io, { user: acted, removed: [] });
    else io.out(t("Cli_RemoveNone", { role }) + "\n");
    return EXIT.ok;
  }
  const list = others.map((u) => `  - ${u.fullName}${u.email ? ` <${u.email}>` : ""} (${u.id})`).join("\n");
  if (!out.json) io.out(t("Cli_RemoveList", { role, count: others.length }) + "\n" + list + "\n");
  // A dry run changes nothing: no confirmation to ask.
  if (!options.yes && !session.runtime.dryRun) {
    if (!io.interactive) throw new CliError(EXIT.usage, "Cli_RemoveNeedsYes");
    const answer = (await io.prompt(t("Cli_ConfirmPrompt") + " ")).trim().toLowerCase();
    if (!["y", "yes", "o", "oui"].includes(answer)) {
      io.out(t("Cli_RemoveCancelled") + "\n");
      return EXIT.failed;
    }
  }
  const { removed } = await removeSyncRoleFrom(connection.client, state, others);
  if (session.runtime.dryRun) return reportDryRun(session, { user: acted, removed: removed.map((u) => ({ id: u.id, name: u.fullName })) });
  if (out.json) writeJson(io, { user: acted, removed: removed.map((u) => ({ id: u.id, name: u.fullName })) });
  else io.out(t("Cli_Removed", { role, names: removed.map((u) => u.fullName).join(", ") }) + "\n");
  return EXIT.ok;
}
