/**
 * The panel's fix, publish and Fix everything orchestration, without React or a DOM: a run of
 * events in, what the panel would show out; and the runners (useSetupActions.ts) against a stub
 * service, with the events they send.
 */
import { PartialRemovalError } from "../../../core/setup/actions";
import { DataverseError } from "../../../core/dataverse/errors";
import type { ErrorMessage } from "../../../core/setup/messages";
import type { PlannedFix } from "../../../core/setup/plan";
import type { SetupService } from "../../../core/setup/service";
import { initialSetupActions, setupReducer, type SetupActionsState, type SetupEvent } from "../../../MarketoConfigControl/components/setupReducer";
import { runOne, runPlan, type FixContext } from "../../../MarketoConfigControl/components/useSetupActions";
import { passingState, user } from "../../helpers/stateBuilder";

const run = (events: SetupEvent[], from: SetupActionsState = initialSetupActions) => events.reduce(setupReducer, from);
const failure = (key: string): ErrorMessage => ({ key, params: {}, details: "HTTP 403" });
const AT = "2030-01-01T00:00:00.000Z";

describe("fixes", () => {
  it("a running fix is busy; done, it records the change (which reloads the checklist), and says what it did on its line", () => {
    const busy = run([{ type: "fixStarted", fix: "assignRole" }]);
    expect(busy.busyFix).toBe("assignRole");
    const done = setupReducer(busy, { type: "fixSucceeded", place: "user.role", at: AT, text: "Role assigned to Marketo Sync." });
    expect(done).toMatchObject({ busyFix: undefined, publishLog: { lastChangeAt: AT }, announcement: "Role assigned to Marketo Sync.", reloadRequests: 0 });
    expect(done.notice).toEqual({ id: 1, place: "user.role", text: "Role assigned to Marketo Sync." });
  });

  it("a failed fix shows its error on its own line, frees the buttons and asks for a reload; the next fix clears it", () => {
    const failed = run([
      { type: "fixStarted", fix: "enableSteps" },
      { type: "fixFailed", place: "solution.steps", at: AT, error: failure("Error_privilege") },
    ]);
    expect(failed).toMatchObject({ busyFix: undefined, notice: { place: "solution.steps", error: { key: "Error_privilege" } }, reloadRequests: 1, publishLog: {} });
    const again = run(
      [
        { type: "fixStarted", fix: "assignRole" },
        { type: "fixFailed", place: "user.role", at: AT, error: failure("Error_network") },
      ],
      failed,
    );
    expect(again.reloadRequests).toBe(2);
    expect(again.notice).toMatchObject({ place: "user.role", error: { key: "Error_network" } });
    // Each result is a new notice: the panel focuses each one once.
    expect(again.notice!.id).not.toBe(failed.notice!.id);
    expect(setupReducer(failed, { type: "fixStarted", fix: "assignRole" }).notice).toBeUndefined();
  });

  it("a change of role holders waits for the confirmation and forgets who it names once closed", () => {
    const users = [user("a", "A"), user("b", "B")];
    const step = { fix: "removeRoleFromOthers" as const, checkId: "role.exclusive" as const, users, teams: [{ id: "t", name: "T", roleIds: ["r"], members: [user("c", "C")] }] };
    const asking = run([{ type: "confirmRequested", step }]);
    expect(asking.confirmStep).toEqual(step);
    expect(asking.busyFix).toBeUndefined();
    expect(setupReducer(asking, { type: "confirmClosed" }).confirmStep).toBeNull();
  });

  it("keeps who lost the role and when, across later results, also after a removal that stopped half-way", () => {
    const state = run([
      { type: "fixSucceeded", place: "role.exclusive", at: AT, text: "", removed: [user("a", "John Smith"), user("b", "Maria Garcia")] },
      { type: "fixFailed", place: "role.exclusive", at: "2030-01-01T00:01:00.000Z", error: failure("Error_privilege"), removed: [user("c", "Kim Lee")] },
      { type: "fixSucceeded", place: "user.role", at: "2030-01-01T00:02:00.000Z", text: "" },
      { type: "noticeDismissed" },
    ]);
    expect(state.removals).toEqual([
      { names: ["John Smith", "Maria Garcia"], at: AT },
      { names: ["Kim Lee"], at: "2030-01-01T00:01:00.000Z" },
    ]);
  });

  it("a notice can be dismissed", () => {
    expect(run([{ type: "fixFailed", place: "user.role", at: AT, error: failure("Error_server") }, { type: "noticeDismissed" }]).notice).toBeUndefined();
  });
});

describe("publish", () => {
  it("goes starting → waiting for another solution operation's lock → running → done, keeps done, and says so next to its button", () => {
    const phases: Array<SetupActionsState["phase"]> = [];
    let state = initialSetupActions;
    for (const event of [
      { type: "publishStarted" },
      { type: "publishProgress", phase: "waitingForOther" },
      { type: "publishProgress", phase: "running" },
      { type: "publishProgress", phase: "done" },
      { type: "publishSucceeded", at: "2030-01-02T00:00:00.000Z", text: "Published." },
    ] as SetupEvent[]) {
      state = setupReducer(state, event);
      phases.push(state.phase);
    }
    expect(phases).toEqual(["starting", "waitingForOther", "running", "done", "done"]);
    expect(state).toMatchObject({ publishLog: { lastPublishAt: "2030-01-02T00:00:00.000Z" }, announcement: "Published.", notice: { place: "publish", text: "Published." } });
  });

  it("a failure while waiting for the lock ends the progress and shows the error next to Publish", () => {
    const state = run([{ type: "publishStarted" }, { type: "publishProgress", phase: "waitingForOther" }, { type: "publishFailed", error: failure("Action_publishLocked") }]);
    expect(state.phase).toBeUndefined();
    expect(state.notice).toMatchObject({ place: "publish", error: { key: "Action_publishLocked" } });
    expect(state.publishLog.lastPublishAt).toBeUndefined();
    expect(state.reloadRequests).toBe(0);
  });

  it("a new publish clears the last result and keeps what was changed before", () => {
    const before = run([
      { type: "fixSucceeded", place: "user.role", at: AT, text: "" },
      { type: "fixFailed", place: "solution.steps", at: AT, error: failure("Error_server") },
    ]);
    const state = setupReducer(before, { type: "publishStarted" });
    expect(state).toMatchObject({ phase: "starting", notice: undefined, publishLog: { lastChangeAt: AT } });
  });

  it("a fix and a publish keep their own state", () => {
    const state = run([{ type: "publishStarted" }, { type: "fixStarted", fix: "enableSteps" }, { type: "publishProgress", phase: "running" }]);
    expect(state).toMatchObject({ busyFix: "enableSteps", phase: "running" });
  });
});

describe("Fix everything", () => {
  const steps: PlannedFix[] = [
    { fix: "assignRole", checkId: "user.role" },
    { fix: "removeRoleFromOthers", checkId: "role.exclusive", users: [user("a", "John Smith")] },
    { fix: "enableSteps", checkId: "solution.steps" },
    { fix: "publish", checkId: "publish" },
  ];

  it("the confirmation holds the plan until closed", () => {
    const plan = { steps, held: [] };
    expect(run([{ type: "planRequested", plan }]).confirmPlan).toBe(plan);
    expect(run([{ type: "planRequested", plan }, { type: "planClosed" }]).confirmPlan).toBeNull();
  });

  it("marks the running step busy, moves on step by step, and ends with one result next to its button", () => {
    let state = run([{ type: "runStarted", steps }]);
    expect(state).toMatchObject({ busyFix: "assignRole", run: { done: 0, failed: false, finished: false } });
    state = run(
      [
        { type: "runStepDone", at: "2030-01-01T00:00:01.000Z", text: "a" },
        { type: "runStepDone", at: "2030-01-01T00:00:02.000Z", text: "b", removed: [user("a", "John Smith")] },
        { type: "runStepDone", at: "2030-01-01T00:00:03.000Z", text: "c" },
      ],
      state,
    );
    expect(state).toMatchObject({ busyFix: "publish", run: { done: 3 }, publishLog: { lastChangeAt: "2030-01-01T00:00:03.000Z" }, removals: [{ names: ["John Smith"] }] });
    state = run([{ type: "publishStarted" }, { type: "runStepDone", at: "2030-01-01T00:00:04.000Z", text: "d" }, { type: "runFinished", text: "All done." }], state);
    expect(state).toMatchObject({ busyFix: undefined, run: { done: 4, finished: true, failed: false }, notice: { place: "fixAll", text: "All done." }, announcement: "All done." });
    expect(state.publishLog).toEqual({ lastChangeAt: "2030-01-01T00:00:03.000Z", lastPublishAt: "2030-01-01T00:00:04.000Z" });
  });

  it("stops at the first failure: what was done stays done, the error shows next to Fix everything, the checklist is read again", () => {
    const state = run([
      { type: "runStarted", steps },
      { type: "runStepDone", at: AT, text: "a" },
      { type: "runFailed", at: AT, error: failure("Error_privilege") },
    ]);
    expect(state).toMatchObject({ busyFix: undefined, run: { done: 1, failed: true, finished: true }, notice: { place: "fixAll", error: { key: "Error_privilege" } }, reloadRequests: 1 });
  });
});

describe("the runners", () => {
  const t = (key: string, params: Record<string, unknown> = {}) => `${key}${JSON.stringify(params)}`;

  function stub(fail?: keyof SetupService, error: unknown = new DataverseError("privilege", { status: 403, message: "denied" })) {
    const calls: string[] = [];
    const act =
      <T>(name: keyof SetupService, value: T) =>
      async () => {
        calls.push(name);
        if (name === fail) throw error;
        return value;
      };
    const service = {
      load: async () => passingState(),
      searchUsers: async () => [],
      assignRole: act("assignRole", { changed: true }),
      removeRole: act("removeRole", { removed: [user("a", "John Smith")] }),
      enableSteps: act("enableSteps", { enabled: ["Create lead"] }),
      publish: act("publish", { completedOn: AT, joined: false }),
    } as unknown as SetupService;
    const events: SetupEvent[] = [];
    const ctx: FixContext = { service, t, formatTime: (iso) => `time(${iso})`, setup: passingState(), dispatch: (e) => events.push(e), now: () => AT };
    return { calls, events, ctx, state: () => run(events) };
  }

  const steps: PlannedFix[] = [
    { fix: "assignRole", checkId: "user.role" },
    { fix: "removeRoleFromOthers", checkId: "role.exclusive", users: [user("a", "John Smith")] },
    { fix: "enableSteps", checkId: "solution.steps" },
    { fix: "publish", checkId: "publish" },
  ];

  it("Fix everything runs every step in order and says what each did, naming the sync user", async () => {
    const s = stub();
    await runPlan(steps, s.ctx);
    expect(s.calls).toEqual(["assignRole", "removeRole", "enableSteps", "publish"]);
    const said = s.events.filter((e) => e.type === "runStepDone").map((e) => (e as { text: string }).text);
    expect(said[0]).toBe('Done_assignRole{"role":"Marketo Sync User","name":"Marketo Sync"}');
    expect(said[1]).toContain('"names":"John Smith"');
    expect(s.state()).toMatchObject({ run: { done: 4, finished: true, failed: false }, notice: { place: "fixAll", text: 'FixAll_Done{"count":4}' }, removals: [{ names: ["John Smith"], at: AT }] });
  });

  it("stops at the first failure and runs nothing after it", async () => {
    const s = stub("enableSteps");
    await runPlan(steps, s.ctx);
    expect(s.calls).toEqual(["assignRole", "removeRole", "enableSteps"]);
    expect(s.state()).toMatchObject({ run: { done: 2, failed: true }, notice: { place: "fixAll", error: { key: "Error_privilege", hintKey: "Privilege_enableSteps" } } });
  });

  it("a removal that failed half-way still records who lost the role", async () => {
    const s = stub("removeRole", new PartialRemovalError([user("a", "John Smith")], user("b", "Maria Garcia"), new DataverseError("privilege", { status: 403, message: "x" })));
    await runOne(steps[1], s.ctx);
    expect(s.state()).toMatchObject({ notice: { place: "role.exclusive", error: { key: "Action_partialRemoval" } }, removals: [{ names: ["John Smith"] }] });
  });

  it("one fix shows its result on the line that offered it; a publish next to its button", async () => {
    const s = stub();
    await runOne({ fix: "assignRole", checkId: "user.configRead" }, s.ctx);
    expect(s.state().notice).toMatchObject({ place: "user.configRead", text: expect.stringContaining("Marketo Sync") });
    await runOne({ fix: "publish", checkId: "publish" }, s.ctx);
    expect(s.state().notice).toMatchObject({ place: "publish", text: `Publish_Done{"time":"time(${AT})"}` });
  });
});

it("announcements replace each other", () => {
  expect(
    run([
      { type: "announced", text: "one" },
      { type: "announced", text: "two" },
    ]).announcement,
  ).toBe("two");
});

it("never changes the state it was given", () => {
  const frozen = Object.freeze({ ...initialSetupActions, publishLog: Object.freeze({}), removals: Object.freeze([]) as never });
  expect(() =>
    run(
      [
        { type: "fixStarted", fix: "assignRole" },
        { type: "fixSucceeded", place: "user.role", at: "x", text: "", removed: [user("a", "A")] },
        { type: "runStarted", steps: [{ fix: "publish", checkId: "publish" }] },
        { type: "runStepDone", at: "y", text: "" },
        { type: "runFinished", text: "" },
      ],
      frozen,
    ),
  ).not.toThrow();
  expect(frozen).toEqual(initialSetupActions);
});
