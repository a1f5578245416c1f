/** Fix everything's plan (core/setup/plan.ts): which safe fixes, in which order, and what is left out and why. */
import { evaluate } from "../../../core/setup/evaluate";
import { planFixes, publishHold } from "../../../core/setup/plan";
import type { SetupState } from "../../../core/setup/types";
import { IDS, passingState, user } from "../../helpers/stateBuilder";

/** The demo organisation's kind of state: no role, two other holders, a disabled step, changes since the last publish. */
function brokenState(): SetupState {
  const s = passingState();
  if (s.chosenUser?.ok) s.chosenUser.value.directRoleIds = [];
  if (s.roles.ok) s.roles.value[0].holders = [user(IDS.other2, "Maria Garcia"), user(IDS.other1, "John Smith")];
  if (s.steps.ok) s.steps.value[1].enabled = false;
  s.input.publishLog = { lastChangeAt: "2030-01-01T00:00:00Z" };
  s.lastPublishJobAt = "2029-01-01T00:00:00Z";
  return s;
}

const plan = (s: SetupState) => planFixes(s, evaluate(s));
const fixes = (s: SetupState) => plan(s).steps.map((step) => step.fix);

it("assigns the role, then takes it from the others, enables the steps, and publishes last", () => {
  const s = brokenState();
  const p = plan(s);
  expect(p.steps.map((x) => [x.fix, x.checkId])).toEqual([
    ["assignRole", "user.role"],
    ["removeRoleFromOthers", "role.exclusive"],
    ["enableSteps", "solution.steps"],
    ["publish", "publish"],
  ]);
  expect(p.steps[1].users?.map((u) => u.fullName)).toEqual(["John Smith", "Maria Garcia"]);
  expect(p.held).toEqual([]);
});

it("offers nothing when every check passes", () => {
  expect(plan(passingState())).toEqual({ steps: [], held: [] });
});

it("does not publish for an advisory publish line alone", () => {
  const s = passingState();
  const items = evaluate(s).map((i) => (i.id === "publish" ? { ...i, status: "unknown" as const, fix: "publish" as const, advisory: true } : i));
  expect(planFixes(s, items).steps).toEqual([]);
  expect(
    planFixes(
      s,
      items.map((i) => (i.id === "publish" ? { ...i, advisory: false } : i)),
    ).steps.map((x) => x.fix),
  ).toEqual(["publish"]);
});

it("publishes after any change, even when the publish line passed", () => {
  const s = passingState();
  if (s.steps.ok) s.steps.value[0].enabled = false;
  expect(fixes(s)).toEqual(["enableSteps", "publish"]);
});

it("runs each fix once, even when two lines offer it", () => {
  const s = brokenState();
  const items = evaluate(s).map((i) => (i.id === "user.configRead" ? { ...i, status: "fail" as const, fix: "assignRole" as const } : i));
  expect(planFixes(s, items).steps.filter((x) => x.fix === "assignRole")).toHaveLength(1);
});

it("leaves out the removal before 4.0.0.14 and while the sync user is not saved", () => {
  const old = brokenState();
  if (old.solution.ok && old.solution.value) old.solution.value.version = "4.0.0.13";
  expect(fixes(old)).not.toContain("removeRoleFromOthers");
  const unsaved = brokenState();
  unsaved.savedUserId = { ok: true, value: IDS.other1 };
  expect(fixes(unsaved)).not.toContain("removeRoleFromOthers");
  // Not silently: it is among what is left out, with the reason and the people it would be for.
  const held = plan(unsaved).held.find((h) => h.fix === "removeRoleFromOthers");
  expect(held).toMatchObject({ checkId: "role.exclusive", reason: { why: "unsaved" } });
  expect(held!.users!.length + (held!.teams?.length ?? 0)).toBeGreaterThan(0);
});

it("names the plugin steps to enable when it plans them: the run's progress names them after they are enabled", () => {
  const s = brokenState();
  const step = plan(s).steps.find((x) => x.fix === "enableSteps")!;
  const disabled = s.steps.ok ? s.steps.value.filter((x) => !x.enabled).map((x) => x.name) : [];
  expect(disabled.length).toBeGreaterThan(0);
  expect(step.names).toEqual(disabled);
});

it("leaves out what the admin's roles do not allow, saying which privileges are missing", () => {
  const s = brokenState();
  s.adminPrivileges = { ok: true, value: ["prvReadRole", "prvAssignRole", "prvWriteSdkMessageProcessingStep"] };
  const p = plan(s);
  expect(p.steps.map((x) => x.fix)).toEqual(["assignRole", "removeRoleFromOthers", "enableSteps"]);
  expect(p.held).toEqual([expect.objectContaining({ fix: "publish", reason: { why: "privileges", missing: ["prvPublishCustomization"] } })]);
});

it("holds the publish back while the Marketo User is unsaved or empty", () => {
  const unsaved = brokenState();
  unsaved.savedUserId = { ok: true, value: null };
  expect(publishHold(unsaved)).toBe("unsaved");
  expect(plan(unsaved).held.map((h) => [h.fix, h.reason])).toEqual([
    ["removeRoleFromOthers", { why: "unsaved" }],
    ["publish", { why: "unsaved" }],
  ]);

  const empty = passingState();
  empty.input.chosenUserId = null;
  empty.chosenUser = undefined;
  empty.savedUserId = { ok: true, value: null };
  if (empty.steps.ok) empty.steps.value[0].enabled = false;
  expect(publishHold(empty)).toBe("noUser");
  expect(fixes(empty)).toEqual(["enableSteps"]);
  expect(plan(empty).held).toEqual([expect.objectContaining({ fix: "publish", reason: { why: "noUser" } })]);
  expect(publishHold(passingState())).toBeUndefined();
});

it("does not publish alone when every change it was for is left out", () => {
  const s = passingState();
  if (s.steps.ok) s.steps.value[0].enabled = false;
  s.adminPrivileges = { ok: true, value: ["prvPublishCustomization"] };
  const p = plan(s);
  expect(p.steps).toEqual([]);
  expect(p.held.map((h) => h.fix)).toEqual(["enableSteps"]);
});
