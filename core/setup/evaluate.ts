/**
 * The checklist (README.md, "The checklist") as a pure function of the state: no I/O, so every rule is unit
 * tested from hand-made states and the control, the CLI and the tests all judge alike.
 */
import type { CheckId, CheckItem, Fact, SetupState, UserInfo } from "./types";
import { disabledSteps } from "./steps";
import { roleMustBeExclusive } from "./version";

const unknown = (id: CheckItem["id"], fact: Fact<unknown>): CheckItem => ({
  id,
  status: "unknown",
  messageKey: "Check_Unknown",
  params: {},
  error: fact.ok ? undefined : fact.error,
});

const noUser = (id: CheckItem["id"]): CheckItem => ({ id, status: "unknown", messageKey: "Check_NoUserYet", params: {} });

const names = (users: UserInfo[]) => users.map((u) => u.fullName || u.email || u.id).join(", ");

function solutionInstalled(s: SetupState): CheckItem {
  const id = "solution.installed";
  if (!s.solution.ok) return unknown(id, s.solution);
  const sol = s.solution.value;
  if (!sol) return { id, status: "fail", messageKey: "Check_SolutionMissing", detailKey: "Check_SolutionMissing_Detail", params: { name: s.input.solutionName } };
  return { id, status: "pass", messageKey: "Check_SolutionInstalled", params: { name: sol.friendlyName, version: sol.version } };
}

function solutionSteps(s: SetupState): CheckItem {
  const id = "solution.steps";
  if (s.solution.ok && !s.solution.value) return { id, status: "unknown", messageKey: "Check_StepsNoSolution", params: {} };
  if (!s.steps.ok) return unknown(id, s.steps);
  const steps = s.steps.value;
  if (steps.length === 0) return { id, status: "warn", messageKey: "Check_StepsNone", detailKey: "Check_StepsNone_Detail", params: {} };
  const disabled = steps.filter((x) => !x.enabled);
  // Locked steps are named on the line and left out of the fix: enabling them here would be refused.
  const { fixable, locked } = disabledSteps(steps);
  const lockedKey = locked.length === 1 ? "Check_StepsLockedOne" : "Check_StepsLockedMany";
  if (disabled.length)
    return {
      id,
      status: "fail",
      messageKey: locked.length ? lockedKey : "Check_StepsDisabled",
      detailKey: "Check_StepsDisabled_Detail",
      params: { count: disabled.length, total: steps.length, names: disabled.map((x) => x.name).join(", "), ...(locked.length ? { locked: locked.map((x) => x.name).join(", ") } : {}) },
      ...(fixable.length ? { fix: "enableSteps" as const } : {}),
    };
  return { id, status: "pass", messageKey: "Check_StepsEnabled", params: { count: steps.length } };
}

function userSelected(s: SetupState): CheckItem {
  const id = "user.selected";
  if (!s.savedUserId.ok) return unknown(id, s.savedUserId);
  const saved = s.savedUserId.value?.toLowerCase() ?? null;
  const chosen = s.input.chosenUserId?.toLowerCase() ?? null;
  if (saved !== chosen) return { id, status: "warn", messageKey: "Check_UserUnsaved", detailKey: "Check_UserUnsaved_Detail", params: {} };
  if (!saved) return { id, status: "fail", messageKey: "Check_UserMissing", detailKey: "Check_UserMissing_Detail", params: {}, fix: "pickUser" };
  const name = s.chosenUser?.ok ? s.chosenUser.value.fullName : saved;
  return { id, status: "pass", messageKey: "Check_UserSelected", params: { name } };
}

/** Only when signed in with Marketo's own credentials: they must sign in as the saved Marketo User. */
function userCredentials(s: SetupState): CheckItem | undefined {
  const id = "user.credentials";
  if (!s.input.signedInAsMarketo) return undefined;
  if (!s.savedUserId.ok) return unknown(id, s.savedUserId);
  const saved = s.savedUserId.value;
  if (!saved) return noUser(id);
  if (!s.currentUserId) return { id, status: "unknown", messageKey: "Check_Unknown", params: {} };
  if (saved.toLowerCase() === s.currentUserId.toLowerCase()) return { id, status: "pass", messageKey: "Check_CredentialsMatch", params: {} };
  const name = s.chosenUser?.ok ? s.chosenUser.value.fullName : saved;
  return {
    id,
    status: "fail",
    messageKey: "Check_CredentialsMismatch",
    detailKey: "Check_CredentialsMismatch_Detail",
    params: { name, signedIn: s.currentUserId },
    fix: "pickUser",
  };
}

type ChosenUser = Extract<NonNullable<SetupState["chosenUser"]>, { ok: true }>["value"];

/** Whether the user holds a copy of the role itself (Marketo checks the user, not its teams). */
function hasRoleDirectly(s: SetupState, u: ChosenUser): boolean {
  if (!s.roles.ok) return false;
  const copies = new Set(s.roles.value.map((r) => r.id.toLowerCase()));
  return u.directRoleIds.some((r) => copies.has(r.toLowerCase()));
}

/** The checks about the sync user itself: unknown until one is picked and read. */
function userCheck(id: CheckItem["id"], s: SetupState, judge: (u: ChosenUser) => CheckItem): CheckItem {
  if (!s.chosenUser) return noUser(id);
  if (!s.chosenUser.ok) return unknown(id, s.chosenUser);
  return judge(s.chosenUser.value);
}

const userEnabled = (s: SetupState): CheckItem =>
  userCheck("user.enabled", s, (u): CheckItem =>
    u.isDisabled
      ? { id: "user.enabled", status: "fail", messageKey: "Check_UserDisabled", detailKey: "Check_UserDisabled_Detail", params: { name: u.fullName } }
      : { id: "user.enabled", status: "pass", messageKey: "Check_UserEnabled", params: { name: u.fullName } },
  );

const userApplication = (s: SetupState): CheckItem =>
  userCheck("user.application", s, (u): CheckItem =>
    u.applicationId
      ? { id: "user.application", status: "pass", messageKey: "Check_UserIsApplication", params: { clientId: u.applicationId } }
      : { id: "user.application", status: "warn", messageKey: "Check_UserNotApplication", detailKey: "Check_UserNotApplication_Detail", params: { name: u.fullName } },
  );

function userRole(s: SetupState): CheckItem {
  const id = "user.role";
  return userCheck(id, s, (u) => {
    if (!s.roles.ok) return unknown(id, s.roles);
    const role = s.input.roleName;
    if (s.roles.value.length === 0) return { id, status: "fail", messageKey: "Check_RoleNotFound", detailKey: "Check_RoleNotFound_Detail", params: { role } };
    if (hasRoleDirectly(s, u)) return { id, status: "pass", messageKey: "Check_RoleAssigned", params: { role } };
    if (u.roleTeams.length)
      return {
        id,
        status: "warn",
        messageKey: "Check_RoleThroughTeam",
        detailKey: "Check_RoleThroughTeam_Detail",
        // `count` picks the plural form ("the team" / "the teams").
        params: { role, teams: u.roleTeams.join(", "), count: u.roleTeams.length },
        fix: "assignRole",
      };
    return { id, status: "fail", messageKey: "Check_RoleMissing", params: { role }, fix: "assignRole" };
  });
}

/** Enabled users other than the sync user (picked or saved) who hold any copy of the role directly. */
export function otherRoleHolders(s: SetupState): UserInfo[] {
  if (!s.roles.ok) return [];
  const sync = new Set([s.input.chosenUserId, s.savedUserId.ok ? s.savedUserId.value : undefined].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
  const seen = new Map<string, UserInfo>();
  for (const copy of s.roles.value) for (const h of copy.holders) if (!h.isDisabled && !sync.has(h.id.toLowerCase())) seen.set(h.id.toLowerCase(), h);
  return [...seen.values()].sort((a, b) => a.fullName.localeCompare(b.fullName));
}

function roleExclusive(s: SetupState): CheckItem {
  const id = "role.exclusive";
  if (!s.solution.ok) return unknown(id, s.solution);
  if (!s.roles.ok) return unknown(id, s.roles);
  const role = s.input.roleName;
  const version = s.solution.value?.version;
  if (!version) return { id, status: "unknown", messageKey: "Check_ExclusiveNoSolution", params: { role } };
  // Before 4.0.0.14 the rule is the opposite one (every user needs the role): the line is named for it.
  if (!roleMustBeExclusive(version))
    return { id, status: "info", titleKey: "CheckTitle_role_everyone", messageKey: "Check_RoleForAllUsers", detailKey: "Check_RoleForAllUsers_Detail", params: { role, version } };
  const others = otherRoleHolders(s);
  if (others.length === 0) return { id, status: "pass", messageKey: "Check_RoleExclusive", params: { role } };
  // Removal is offered only once the sync user is picked and saved: who is "other" is settled then.
  const saved = s.savedUserId.ok ? s.savedUserId.value?.toLowerCase() : undefined;
  const settled = !!saved && saved === s.input.chosenUserId?.toLowerCase();
  return {
    id,
    status: "fail",
    messageKey: "Check_RoleNotExclusive",
    detailKey: "Check_RoleNotExclusive_Detail",
    params: { role, count: others.length, names: names(others), version },
    ...(settled ? { fix: "removeRoleFromOthers" as const, affectedUsers: others } : {}),
  };
}

function configRead(s: SetupState): CheckItem {
  const id = "user.configRead";
  if (!s.chosenUser) return noUser(id);
  if (!s.configReadable) return unknown(id, s.savedUserId);
  if (!s.configReadable.ok) return unknown(id, s.configReadable);
  if (s.configReadable.value) return { id, status: "pass", messageKey: "Check_ConfigReadable", params: {} };
  const role = s.input.roleName;
  // The role grants the read: without it, assigning it is the fix; with it, the role's privileges are at fault.
  const chosen = s.chosenUser.ok ? s.chosenUser.value : undefined;
  if (chosen && s.roles.ok && s.roles.value.length && !hasRoleDirectly(s, chosen))
    return { id, status: "fail", messageKey: "Check_ConfigNotReadableNoRole", detailKey: "Check_ConfigNotReadable_Detail", params: { role }, fix: "assignRole" };
  return { id, status: "fail", messageKey: "Check_ConfigNotReadable", detailKey: "Check_ConfigNotReadableWithRole_Detail", params: { role } };
}

const latest = (...times: Array<string | undefined>) =>
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
  if (!changesHerePublished && !lastPublish) return { id, status: "fail", messageKey: "Check_PublishNeeded", params: { time: log.lastChangeAt! }, fix: "publish" };
  // Nothing says a publish is due, and nothing says one was made: not a problem found.
  if (!lastPublish) return { id, status: "unknown", messageKey: "Check_PublishUnknown", detailKey: "Check_PublishUnknown_Detail", params: {}, fix: "publish", advisory: true };
  // A synchronous publish made here leaves no job: then the browser's time is all there is.
  const recordSavePublished = !s.configModifiedOn || after(s.lastPublishJobAt, s.configModifiedOn) || after(log.lastPublishAt, s.configModifiedOn);
  if (!changesHerePublished || !recordSavePublished) return { id, status: "fail", messageKey: "Check_PublishDue", params: { time: lastPublish }, fix: "publish" };
  return { id, status: "pass", messageKey: "Check_Published", params: { time: lastPublish } };
}

function filterField(s: SetupState): CheckItem {
  const tables = Object.entries(s.syncFilter);
  const present = tables.filter(([, f]) => f.ok && f.value).map(([t]) => t);
  const unread = tables.filter(([, f]) => !f.ok).map(([t]) => t);
  return {
    id: "filter.field",
    status: "info",
    messageKey: present.length ? "Check_FilterPresent" : "Check_FilterAbsent",
    detailKey: "Check_Filter_Detail",
    params: { tables: present.join(", "), unread: unread.join(", ") },
  };
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
