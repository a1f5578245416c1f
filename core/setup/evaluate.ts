/**
 * The checklist (README.md, "The checklist") as a pure function of the state: no I/O, so every rule is unit
 * tested from hand-made states and the control, the CLI and the tests all judge alike.
 */
import type { CheckId, CheckItem, CheckStatus, Fact, RoleTeam, SetupState, UserInfo } from "./types";
import { disabledSteps } from "./steps";
import { roleMustBeExclusive } from "./version";

/**
 * One line of the checklist. Written as a call rather than an object literal per outcome: the
 * property names then stand once in the control's bundle, not in each of the forty outcomes.
 * `detail` true names the message's own `<messageKey>_Detail` key.
 */
const line = (id: CheckId, status: CheckStatus, messageKey: string, params: CheckItem["params"] = {}, detail?: string | true, more?: Partial<CheckItem>): CheckItem => ({
  id,
  status,
  messageKey,
  params,
  ...(detail ? { detailKey: detail === true ? `${messageKey}_Detail` : detail } : {}),
  ...more,
});

const unknown = (id: CheckId, fact: Fact<unknown>): CheckItem => line(id, "unknown", "Check_Unknown", {}, undefined, { error: fact.ok ? undefined : fact.error });

const noUser = (id: CheckId): CheckItem => line(id, "unknown", "Check_NoUserYet");

const names = (users: UserInfo[]) => users.map((u) => u.fullName || u.email || u.id).join(", ");

function solutionInstalled(s: SetupState): CheckItem {
  const id = "solution.installed";
  if (!s.solution.ok) return unknown(id, s.solution);
  const sol = s.solution.value;
  if (!sol) return line(id, "fail", "Check_SolutionMissing", { name: s.input.solutionName }, true);
  return line(id, "pass", "Check_SolutionInstalled", { name: sol.friendlyName, version: sol.version });
}

function solutionSteps(s: SetupState): CheckItem {
  const id = "solution.steps";
  if (s.solution.ok && !s.solution.value) return line(id, "unknown", "Check_StepsNoSolution");
  if (!s.steps.ok) return unknown(id, s.steps);
  const steps = s.steps.value;
  if (steps.length === 0) return line(id, "warn", "Check_StepsNone", {}, true);
  const disabled = steps.filter((x) => !x.enabled);
  // Locked steps are named on the line and left out of the fix: enabling them here would be refused.
  const { fixable, locked } = disabledSteps(steps);
  const lockedKey = locked.length === 1 ? "Check_StepsLockedOne" : "Check_StepsLockedMany";
  if (disabled.length)
    return line(
      id,
      "fail",
      locked.length ? lockedKey : "Check_StepsDisabled",
      { count: disabled.length, total: steps.length, names: disabled.map((x) => x.name).join(", "), ...(locked.length ? { locked: locked.map((x) => x.name).join(", ") } : {}) },
      "Check_StepsDisabled_Detail",
      fixable.length ? { fix: "enableSteps" } : {},
    );
  return line(id, "pass", "Check_StepsEnabled", { count: steps.length });
}

function userSelected(s: SetupState): CheckItem {
  const id = "user.selected";
  if (!s.savedUserId.ok) return unknown(id, s.savedUserId);
  const saved = s.savedUserId.value?.toLowerCase() ?? null;
  const chosen = s.input.chosenUserId?.toLowerCase() ?? null;
  if (saved !== chosen) return line(id, "warn", "Check_UserUnsaved", {}, true);
  if (!saved) return line(id, "fail", "Check_UserMissing", {}, true, { fix: "pickUser" });
  const name = s.chosenUser?.ok ? s.chosenUser.value.fullName : saved;
  return line(id, "pass", "Check_UserSelected", { name });
}

/** Only when signed in with Marketo's own credentials: they must sign in as the saved Marketo User. */
function userCredentials(s: SetupState): CheckItem | undefined {
  const id = "user.credentials";
  if (!s.input.signedInAsMarketo) return undefined;
  if (!s.savedUserId.ok) return unknown(id, s.savedUserId);
  const saved = s.savedUserId.value;
  if (!saved) return noUser(id);
  if (!s.currentUserId) return line(id, "unknown", "Check_Unknown");
  if (saved.toLowerCase() === s.currentUserId.toLowerCase()) return line(id, "pass", "Check_CredentialsMatch");
  const name = s.chosenUser?.ok ? s.chosenUser.value.fullName : saved;
  return line(id, "fail", "Check_CredentialsMismatch", { name, signedIn: s.currentUserId }, true, { fix: "pickUser" });
}

type ChosenUser = Extract<NonNullable<SetupState["chosenUser"]>, { ok: true }>["value"];

/** Whether the user holds a copy of the role itself (Marketo checks the user, not its teams). */
function hasRoleDirectly(s: SetupState, u: ChosenUser): boolean {
  if (!s.roles.ok) return false;
  const copies = new Set(s.roles.value.map((r) => r.id.toLowerCase()));
  return u.directRoleIds.some((r) => copies.has(r.toLowerCase()));
}

/** The checks about the sync user itself: unknown until one is picked and read. */
function userCheck(id: CheckId, s: SetupState, judge: (u: ChosenUser) => CheckItem): CheckItem {
  if (!s.chosenUser) return noUser(id);
  if (!s.chosenUser.ok) return unknown(id, s.chosenUser);
  return judge(s.chosenUser.value);
}

const userEnabled = (s: SetupState): CheckItem =>
  userCheck("user.enabled", s, (u): CheckItem =>
    u.isDisabled ? line("user.enabled", "fail", "Check_UserDisabled", { name: u.fullName }, true) : line("user.enabled", "pass", "Check_UserEnabled", { name: u.fullName }),
  );

const userApplication = (s: SetupState): CheckItem =>
  userCheck("user.application", s, (u): CheckItem =>
    u.applicationId
      ? line("user.application", "pass", "Check_UserIsApplication", { clientId: u.applicationId })
      : line("user.application", "warn", "Check_UserNotApplication", { name: u.fullName }, true),
  );

function userRole(s: SetupState): CheckItem {
  const id = "user.role";
  return userCheck(id, s, (u) => {
    if (!s.roles.ok) return unknown(id, s.roles);
    const role = s.input.roleName;
    if (s.roles.value.length === 0) return line(id, "fail", "Check_RoleNotFound", { role }, true);
    if (hasRoleDirectly(s, u)) return line(id, "pass", "Check_RoleAssigned", { role });
    // `count` picks the plural form ("the team" / "the teams").
    if (u.roleTeams.length) return line(id, "warn", "Check_RoleThroughTeam", { role, teams: u.roleTeams.join(", "), count: u.roleTeams.length }, true, { fix: "assignRole" });
    return line(id, "fail", "Check_RoleMissing", { role }, undefined, { fix: "assignRole" });
  });
}

/** The sync user's ids (picked and saved), lower-cased: never "someone else". */
function syncIds(s: SetupState): Set<string> {
  return new Set([s.input.chosenUserId, s.savedUserId.ok ? s.savedUserId.value : undefined].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
}

const byName = (users: Iterable<UserInfo>) => [...users].sort((a, b) => a.fullName.localeCompare(b.fullName));

/** Users other than the sync user who hold a copy of the role directly, enabled (or disabled) ones. */
function directHolders(s: SetupState, disabled: boolean): UserInfo[] {
  if (!s.roles.ok) return [];
  const sync = syncIds(s);
  const seen = new Map<string, UserInfo>();
  for (const copy of s.roles.value) for (const h of copy.holders) if (h.isDisabled === disabled && !sync.has(h.id.toLowerCase())) seen.set(h.id.toLowerCase(), h);
  return byName(seen.values());
}

/**
 * Teams that give the role to an enabled user other than the sync user, with those members only; a
 * Microsoft Entra group team always, as members not listed yet get the role when they first sign in.
 */
export function otherRoleTeams(s: SetupState): RoleTeam[] {
  if (!s.roleTeams?.ok) return [];
  const sync = syncIds(s);
  return s.roleTeams.value
    .map((t) => ({ ...t, members: byName(t.members.filter((m) => !m.isDisabled && !sync.has(m.id.toLowerCase()))) }))
    .filter((t) => t.members.length || t.entraGroup)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Enabled users other than the sync user (picked or saved) who hold any copy of the role, directly
 * or as members of a team that holds it: Dataverse grants members their teams' roles.
 */
export function otherRoleHolders(s: SetupState): UserInfo[] {
  const seen = new Map<string, UserInfo>();
  for (const u of [...directHolders(s, false), ...otherRoleTeams(s).flatMap((t) => t.members)]) seen.set(u.id.toLowerCase(), u);
  return byName(seen.values());
}

/** Disabled users other than the sync user who still hold a copy of the role directly. */
export const disabledRoleHolders = (s: SetupState): UserInfo[] => directHolders(s, true);

/** Enabled users other than the sync user who hold a copy of the role directly (not through a team). */
export const otherDirectHolders = (s: SetupState): UserInfo[] => directHolders(s, false);

/** Whether the sync user gets the role only from this team: taking it from the team would leave it without. */
export function syncUserNeedsTeam(s: SetupState, team: RoleTeam): boolean {
  const u = s.chosenUser?.ok ? s.chosenUser.value : undefined;
  return !!u && !hasRoleDirectly(s, u) && u.roleTeams.some((name) => name === team.name);
}

/** The solution version when the role must be the sync user's alone (undefined when not, or not known). */
function exclusiveVersion(s: SetupState): string | undefined {
  const version = s.solution.ok ? s.solution.value?.version : undefined;
  return version && roleMustBeExclusive(version) ? version : undefined;
}

function roleExclusive(s: SetupState): CheckItem {
  const id = "role.exclusive";
  if (!s.solution.ok) return unknown(id, s.solution);
  if (!s.roles.ok) return unknown(id, s.roles);
  const role = s.input.roleName;
  const version = s.solution.value?.version;
  if (!version) return line(id, "unknown", "Check_ExclusiveNoSolution", { role });
  // Before 4.0.0.14 the rule is the opposite one (every user needs the role): the line is named for it.
  if (!roleMustBeExclusive(version)) return roleForEveryone(s, version);
  if (s.roleTeams && !s.roleTeams.ok) return unknown(id, s.roleTeams);
  const others = otherRoleHolders(s);
  const teams = otherRoleTeams(s);
  if (others.length === 0 && teams.length === 0) return line(id, "pass", "Check_RoleExclusive", { role });
  const direct = directHolders(s, false);
  // Removal is offered only once the sync user is picked and saved: who is "other" is settled then.
  // A team the sync user still needs (no direct role yet) keeps the role until that is fixed first.
  const saved = s.savedUserId.ok ? s.savedUserId.value?.toLowerCase() : undefined;
  const settled = !!saved && saved === s.input.chosenUserId?.toLowerCase() && !teams.some((t) => syncUserNeedsTeam(s, t));
  const params = { role, count: others.length, names: names(others), version, teams: teams.map((t) => t.name).join(", "), teamCount: teams.length };
  return line(
    id,
    "fail",
    others.length === 0 ? "Check_RoleGroupTeams" : teams.length ? "Check_RoleNotExclusiveTeams" : "Check_RoleNotExclusive",
    // Nobody listed: the sentence is about the teams, and counts them.
    others.length === 0 ? { ...params, count: teams.length } : params,
    "Check_RoleNotExclusive_Detail",
    // Named even before that: Fix everything lists the removal among what it leaves out, and why.
    { ...(settled ? { fix: "removeRoleFromOthers" as const } : {}), affectedUsers: direct, ...(teams.length ? { affectedTeams: teams } : {}) },
  );
}

/** How many names a line spells out; the confirmation lists them all. */
const NAMED_ON_LINE = 10;

/** Before 4.0.0.14: every enabled user needs the role (see `usersWithoutRolePath`). */
function roleForEveryone(s: SetupState, version: string): CheckItem {
  const id = "role.exclusive";
  const role = s.input.roleName;
  const more = { titleKey: "CheckTitle_role_everyone" };
  const lacking = s.usersWithoutRole;
  if (!lacking) return line(id, "info", "Check_RoleForAllUsers", { role, version }, true, more);
  if (!lacking.ok) return { ...unknown(id, lacking), ...more };
  const users = lacking.value;
  if (!users.length) return line(id, "pass", "Check_RoleEveryoneHas", { role, version }, "Check_RoleForAllUsers_Detail", more);
  const shown = users.slice(0, NAMED_ON_LINE);
  return line(
    id,
    "fail",
    users.length > shown.length ? "Check_RoleUsersLackMore" : "Check_RoleUsersLack",
    { role, version, count: users.length, names: names(shown), more: users.length - shown.length },
    "Check_RoleForAllUsers_Detail",
    {
      ...more,
      fix: "assignRoleToEveryone",
      affectedUsers: users,
    },
  );
}

/**
 * Disabled users who still hold the role: harmless while disabled, but re-enabling one gives the
 * role to someone other than the sync user, which Marketo refuses from 4.0.0.14 on. Listed then only.
 */
function roleDisabledHolders(s: SetupState): CheckItem | undefined {
  const version = exclusiveVersion(s);
  const disabled = disabledRoleHolders(s);
  if (!version || !disabled.length) return undefined;
  return line("role.disabledHolders", "warn", "Check_RoleDisabledHolders", { role: s.input.roleName, count: disabled.length, names: names(disabled) }, true, {
    fix: "removeRoleFromDisabled",
    affectedUsers: disabled,
  });
}

function configRead(s: SetupState): CheckItem {
  const id = "user.configRead";
  if (!s.chosenUser) return noUser(id);
  if (!s.configReadable) return unknown(id, s.savedUserId);
  if (!s.configReadable.ok) return unknown(id, s.configReadable);
  if (s.configReadable.value) return line(id, "pass", "Check_ConfigReadable");
  const role = s.input.roleName;
  // The role grants the read: without it, assigning it is the fix; with it, the role's privileges are at fault.
  const chosen = s.chosenUser.ok ? s.chosenUser.value : undefined;
  if (chosen && s.roles.ok && s.roles.value.length && !hasRoleDirectly(s, chosen))
    return line(id, "fail", "Check_ConfigNotReadableNoRole", { role }, "Check_ConfigNotReadable_Detail", { fix: "assignRole" });
  return line(id, "fail", "Check_ConfigNotReadable", { role }, "Check_ConfigNotReadableWithRole_Detail");
}

/** Newest of ISO times, ignoring what does not parse (the report's "last published" too). */
export const latest = (...times: Array<string | undefined>) =>
  times
    .filter((t): t is string => !!t && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .pop();

const after = (a: string | undefined, b: string | undefined) => !!a && !!b && Date.parse(a) >= Date.parse(b);

/**
 * Dataverse keeps no "last published" time. The newest Publish All system job (server clock) and
 * the publishes made here (this browser's clock) stand for it. Each is compared with changes on
 * the same clock, so a browser clock that is off cannot keep the line failing after a publish.
 */
function publish(s: SetupState): CheckItem {
  const id = "publish";
  const log = s.input.publishLog ?? {};
  const lastPublish = latest(log.lastPublishAt, s.lastPublishJobAt);
  // A change made here needs a publish made here after it, whether or not an older publish is known.
  const changesHerePublished = !log.lastChangeAt || after(log.lastPublishAt, log.lastChangeAt);
  if (!changesHerePublished && !lastPublish) return line(id, "fail", "Check_PublishNeeded", { time: log.lastChangeAt! }, undefined, { fix: "publish" });
  // Nothing says a publish is due, and nothing says one was made: not a problem found.
  if (!lastPublish) return line(id, "unknown", "Check_PublishUnknown", {}, true, { fix: "publish", advisory: true });
  // A synchronous publish made here leaves no job: then the browser's time is all there is.
  const recordSavePublished = !s.configModifiedOn || after(s.lastPublishJobAt, s.configModifiedOn) || after(log.lastPublishAt, s.configModifiedOn);
  if (!changesHerePublished || !recordSavePublished) return line(id, "fail", "Check_PublishDue", { time: lastPublish }, undefined, { fix: "publish" });
  return line(id, "pass", "Check_Published", { time: lastPublish });
}

function filterField(s: SetupState): CheckItem {
  const tables = Object.entries(s.syncFilter);
  const present = tables.filter(([, f]) => f.ok && f.value).map(([t]) => t);
  const unread = tables.filter(([, f]) => !f.ok).map(([t]) => t);
  return line("filter.field", "info", present.length ? "Check_FilterPresent" : "Check_FilterAbsent", { tables: present.join(", "), unread: unread.join(", ") }, "Check_Filter_Detail");
}

/**
 * resx key of a line's name: every line is named, so lines waiting for the same thing stay distinct.
 * Given the line, its own name wins (a rule that reads otherwise in this organisation).
 */
export const checkTitleKey = (line: CheckId | Pick<CheckItem, "id" | "titleKey">): string =>
  typeof line === "string" ? `CheckTitle_${line.replace(".", "_")}` : (line.titleKey ?? checkTitleKey(line.id));

export function evaluate(state: SetupState): CheckItem[] {
  return [
    solutionInstalled(state),
    solutionSteps(state),
    userSelected(state),
    userCredentials(state),
    userEnabled(state),
    userApplication(state),
    userRole(state),
    roleExclusive(state),
    roleDisabledHolders(state),
    configRead(state),
    publish(state),
    filterField(state),
  ].filter((item): item is CheckItem => item !== undefined);
}

/** A line the admin must look at: failed, warned, or unknown (but not an advisory unknown); "info" never is. */
export const needsAttention = (i: CheckItem): boolean => i.status === "fail" || i.status === "warn" || (i.status === "unknown" && !i.advisory);

/** Overall verdict: fail if any line fails, then warn if another needs attention, else pass. */
export function overallStatus(items: CheckItem[]): "pass" | "warn" | "fail" {
  if (items.some((i) => i.status === "fail")) return "fail";
  if (items.some(needsAttention)) return "warn";
  return "pass";
}

/** How many lines need the admin's attention. */
export function attentionCount(items: CheckItem[]): number {
  return items.filter(needsAttention).length;
}
