/**
 * What "Fix everything" would do, as a pure function of the state and its checklist: the safe
 * fixes the checklist asks for, in an order that never leaves the setup worse half-way, and those
 * left out with the reason. (A separate module from fixes.ts: privileges.ts reads that table when
 * it loads, so fixes.ts cannot import privileges.ts back.)
 */
import { NAMING_FIXES, SAFE_FIX_ORDER, type SafeFix } from "./fixes";
import { missingPrivileges } from "./privileges";
import { disabledSteps } from "./steps";
import type { CheckId, CheckItem, RoleTeam, SetupState, UserInfo } from "./types";

export interface PlannedFix {
  fix: SafeFix;
  /** The checklist line that asked for it: its result is shown there. */
  checkId: CheckId;
  /** The role's removals and assignments: who loses or gets the role, named in the confirmation. */
  users?: UserInfo[];
  /** removeRoleFromOthers: the teams that lose the role, with the members who lose it with them. */
  teams?: RoleTeam[];
  /** enableSteps: the steps it enables, named when planned (after the run, none is disabled any more). */
  names?: string[];
}

export type HoldReason = { why: "privileges"; missing: string[] } | { why: "unsaved" } | { why: "noUser" };

export interface FixPlan {
  steps: PlannedFix[];
  /** Fixes the checklist asks for that are not run, and why. */
  held: Array<PlannedFix & { reason: HoldReason }>;
}

/**
 * Why a publish must wait: Marketo reads the saved Marketo User, so publishing a record whose
 * Marketo User is unsaved (or empty) publishes a setup Marketo cannot use.
 */
export function publishHold(state: SetupState): "unsaved" | "noUser" | undefined {
  if (!state.savedUserId.ok) return undefined;
  const saved = state.savedUserId.value?.toLowerCase() ?? null;
  if (saved !== (state.input.chosenUserId?.toLowerCase() ?? null)) return "unsaved";
  return saved ? undefined : "noUser";
}

export function planFixes(state: SetupState, items: CheckItem[]): FixPlan {
  const asked = new Map<SafeFix, PlannedFix>();
  /** Fixes the checklist names but offers only once the Marketo User is saved (who is "other" is settled then). */
  const waitForSave = new Set<SafeFix>();
  for (const item of items) {
    if (item.id === "role.exclusive" && item.status === "fail" && !item.fix && (item.affectedUsers?.length || item.affectedTeams?.length)) {
      asked.set("removeRoleFromOthers", { fix: "removeRoleFromOthers", checkId: item.id, users: item.affectedUsers ?? [], ...(item.affectedTeams ? { teams: item.affectedTeams } : {}) });
      waitForSave.add("removeRoleFromOthers");
      continue;
    }
    const fix = item.fix;
    // An advisory line (a publish nobody can tell is due) needs no attention: nothing is run for it.
    if (!fix || fix === "pickUser" || fix === "createAppUser" || item.advisory || asked.has(fix)) continue;
    // These run only on the users and teams the checklist named: the confirmation lists exactly them.
    if (NAMING_FIXES.has(fix) && !item.affectedUsers?.length && !item.affectedTeams?.length) continue;
    asked.set(fix, { fix, checkId: item.id, ...(NAMING_FIXES.has(fix) ? { users: item.affectedUsers ?? [], ...(item.affectedTeams ? { teams: item.affectedTeams } : {}) } : {}) });
    if (fix === "enableSteps" && state.steps.ok) asked.get(fix)!.names = disabledSteps(state.steps.value).fixable.map((s) => s.name);
  }
  // Any change made here is published after it, even when the publish line passed before.
  if (asked.size && !asked.has("publish")) asked.set("publish", { fix: "publish", checkId: "publish" });

  const plan: FixPlan = { steps: [], held: [] };
  for (const fix of SAFE_FIX_ORDER) {
    const step = asked.get(fix);
    if (!step) continue;
    const missing = missingPrivileges(state, fix);
    const hold = fix === "publish" || waitForSave.has(fix) ? publishHold(state) : undefined;
    // With nobody picked, everybody is "other"; not settled for another reason (a team the sync user
    // still needs): the checklist says so, and a later run offers it.
    if (waitForSave.has(fix) && hold !== "unsaved") continue;
    const reason: HoldReason | undefined = missing.length ? { why: "privileges", missing } : hold && { why: hold };
    if (reason) plan.held.push({ ...step, reason });
    else plan.steps.push(step);
  }
  // Publishing alone, after every change it was for was left out, is not what the admin asked for.
  if (plan.steps.length === 1 && plan.steps[0].fix === "publish" && !items.some((i) => i.fix === "publish")) plan.steps = [];
  return plan;
}
