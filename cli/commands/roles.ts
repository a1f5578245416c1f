/**
 * `assign-role` and `remove-role --others`: the sync role on the Marketo User only. Which user is
 * acted on is always said (text and JSON `user.source`): `--user`, the saved Marketo User, or (none
 * saved, signed in with Marketo's credentials) the application user the command signed in as.
 */
import { assignRoleToUsers, assignSyncRole, disabledRoleHolders, otherDirectHolders, otherRoleTeams, removeSyncRoleFrom, roleMustBeExclusive, syncUserNeedsTeam, userOf } from "../../core/setup";
import type { RoleTeam, UserInfo } from "../../core/setup/types";
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

const userLine = (u: UserInfo) => `  - ${u.fullName}${u.email ? ` <${u.email}>` : ""} (${u.id})`;

/** Asks before a change of role holders, unless --yes or a dry run (which changes nothing). False: the admin said no. */
async function confirmed(session: Session, yes: boolean | undefined, needsYesKey: string): Promise<boolean> {
  const { io, t } = session;
  if (yes || session.runtime.dryRun) return true;
  if (!io.interactive) throw new CliError(EXIT.usage, needsYesKey);
  const answer = (await io.prompt(t("Cli_ConfirmPrompt") + " ")).trim().toLowerCase();
  return ["y", "yes", "o", "oui"].includes(answer);
}

export async function assignRole(session: Session, options: { user?: string; everyone?: boolean; yes?: boolean } = {}): Promise<ExitCode> {
  if (options.everyone) return assignRoleToEveryone(session, options);
  const { io, t, out } = session;
  const { connection, state, syncUserSource, user } = await load(session, options.user);
  const { changed } = await assignSyncRole(connection.client, state);
  const params = { role: session.opts.role, name: user.fullName };
  if (session.runtime.dryRun) return reportDryRun(session, { user: userJson(user, syncUserSource), role: session.opts.role });
  if (out.json) writeJson(io, { changed, user: userJson(user, syncUserSource), role: session.opts.role });
  else io.out(t(changed ? "Cli_RoleAssigned" : "Cli_RoleAlreadyAssigned", params) + "\n");
  return EXIT.ok;
}

/**
 * Before Marketo solution 4.0.0.14 every user needs the role: gives it to every enabled user who
 * lacks it (as the checklist lists them), after a confirmation naming them.
 */
async function assignRoleToEveryone(session: Session, options: { yes?: boolean }): Promise<ExitCode> {
  const { io, t, out } = session;
  const { connection, state } = await loadSetup(session, { signedInAsFallback: true });
  const role = session.opts.role;
  const version = state.solution.ok ? state.solution.value?.version : undefined;
  if (!version) throw new CliError(EXIT.failed, "Check_ExclusiveNoSolution", { role });
  if (roleMustBeExclusive(version)) throw new CliError(EXIT.failed, "Cli_EveryoneNotFrom", { role, version });
  if (!state.usersWithoutRole?.ok) throw state.usersWithoutRole?.error ?? new CliError(EXIT.failed, "Check_ExclusiveNoSolution", { role });
  const users = state.usersWithoutRole.value;
  if (!users.length) {
    if (out.json) writeJson(io, { assigned: [] });
    else io.out(t("Check_RoleEveryoneHas", { role, version }) + "\n");
    return EXIT.ok;
  }
  if (!out.json) io.out(t("Cli_AssignList", { role, count: users.length }) + "\n" + users.map(userLine).join("\n") + "\n");
  if (!(await confirmed(session, options.yes, "Cli_AssignNeedsYes"))) {
    io.out(t("Cli_AssignCancelled") + "\n");
    return EXIT.failed;
  }
  const { assigned } = await assignRoleToUsers(connection.client, state, users);
  const list = assigned.map((u) => ({ id: u.id, name: u.fullName }));
  if (session.runtime.dryRun) return reportDryRun(session, { assigned: list });
  if (out.json) writeJson(io, { assigned: list });
  else io.out(t("Done_assignRoleToEveryone", { role, count: assigned.length }) + "\n");
  return EXIT.ok;
}

/**
 * `--others`: enabled users other than the Marketo User who hold the role, directly or through a
 * team (the role is then taken from the team). `--disabled`: disabled users who still hold it.
 */
export async function removeRole(session: Session, options: { others?: boolean; disabled?: boolean; yes?: boolean; user?: string }): Promise<ExitCode> {
  const { io, t, out } = session;
  if (!options.others && !options.disabled) throw new CliError(EXIT.usage, "Cli_RemoveNeedsOthers");
  const { connection, state, syncUserSource, user } = await load(session, options.user); // "others" are everyone but this user: never run without one
  const role = session.opts.role;
  const version = state.solution.ok ? state.solution.value?.version : undefined;
  // Before 4.0.0.14 every user needs the role: without a known version, removing is not safe.
  if (!version) throw new CliError(EXIT.failed, "Check_ExclusiveNoSolution", { role });
  if (!roleMustBeExclusive(version)) throw new CliError(EXIT.failed, "Cli_RemoveNotBefore", { role, version });
  if (options.others && state.roleTeams && !state.roleTeams.ok) throw state.roleTeams.error;
  let others = [...(options.others ? otherDirectHolders(state) : []), ...(options.disabled ? disabledRoleHolders(state) : [])];
  const teams: RoleTeam[] = options.others ? otherRoleTeams(state) : [];
  const needed = teams.find((team) => syncUserNeedsTeam(state, team));
  if (needed) throw new CliError(EXIT.failed, "Cli_RemoveTeamNeeded", { role, team: needed.name, name: user.fullName });
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
  const teamJson = (ts: RoleTeam[]) => ts.map((team) => ({ id: team.id, name: team.name, ...(team.entraGroup ? { entraGroup: true } : {}), memberIds: team.members.map((m) => m.id) }));
  if (others.length === 0 && teams.length === 0) {
    if (session.runtime.dryRun) return reportDryRun(session, { user: acted, removed: [], teams: [] });
    if (out.json) writeJson(io, { user: acted, removed: [], teams: [] });
    else io.out(t("Cli_RemoveNone", { role }) + "\n");
    return EXIT.ok;
  }
  if (!out.json) {
    if (others.length) io.out(t("Cli_RemoveList", { role, count: others.length }) + "\n" + others.map(userLine).join("\n") + "\n");
    for (const team of teams) {
      const heading = team.entraGroup ? t("Cli_RemoveGroupTeam", { role, team: team.name }) : t("Cli_RemoveTeam", { role, team: team.name, count: team.members.length });
      io.out(heading + "\n" + team.members.map(userLine).join("\n") + "\n");
    }
  }
  if (!(await confirmed(session, options.yes, "Cli_RemoveNeedsYes"))) {
    io.out(t("Cli_RemoveCancelled") + "\n");
    return EXIT.failed;
  }
  const { removed, teams: fromTeams } = await removeSyncRoleFrom(connection.client, state, others, { teams });
  const result = { user: acted, removed: removed.map((u) => ({ id: u.id, name: u.fullName })), teams: teamJson(fromTeams) };
  if (session.runtime.dryRun) return reportDryRun(session, result);
  if (out.json) writeJson(io, result);
  else {
    if (removed.length) io.out(t("Cli_Removed", { role, names: removed.map((u) => u.fullName).join(", ") }) + "\n");
    if (fromTeams.length) io.out(t("Cli_RemovedFromTeams", { role, teams: fromTeams.map((team) => team.name).join(", ") }) + "\n");
  }
  return EXIT.ok;
}
