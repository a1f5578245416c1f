/**
 * The panel's fix and publish orchestration, without React or a DOM: a run of events in,
 * what the panel would show out.
 */
import type { ErrorMessage } from "../../../core/setup/messages";
import { initialSetupActions, setupReducer, type SetupActionsState, type SetupEvent } from "../../../MarketoConfigControl/components/setupReducer";
import { user } from "../../helpers/stateBuilder";

const run = (events: SetupEvent[], from: SetupActionsState = initialSetupActions) => events.reduce(setupReducer, from);
const failure = (key: string): ErrorMessage => ({ key, params: {}, details: "HTTP 403" });

describe("fixes", () => {
  it("a running fix is busy; done, it records the change (which reloads the checklist) and is announced", () => {
    const busy = run([{ type: "fixStarted", fix: "assignRole" }]);
    expect(busy.busyFix).toBe("assignRole");
    const done = setupReducer(busy, { type: "fixSucceeded", at: "2030-01-01T00:00:00.000Z", announcement: "Role assigned." });
    expect(done).toMatchObject({ busyFix: undefined, publishLog: { lastChangeAt: "2030-01-01T00:00:00.000Z" }, announcement: "Role assigned.", reloadRequests: 0 });
  });

  it("a failed fix shows its error, frees the buttons and asks for a reload; the next fix clears the error", () => {
    const failed = run([
      { type: "fixStarted", fix: "enableSteps" },
      { type: "fixFailed", error: failure("Error_privilege") },
    ]);
    expect(failed).toMatchObject({ busyFix: undefined, error: { key: "Error_privilege" }, reloadRequests: 1, publishLog: {} });
    const again = run(
      [
        { type: "fixStarted", fix: "assignRole" },
        { type: "fixFailed", error: failure("Error_network") },
      ],
      failed,
    );
    expect(again.reloadRequests).toBe(2);
    expect(again.error?.key).toBe("Error_network");
    expect(setupReducer(failed, { type: "fixStarted", fix: "assignRole" }).error).toBeUndefined();
  });

  it("removing the role from others waits for the confirmation and forgets the users once closed", () => {
    const users = [user("a", "A"), user("b", "B")];
    const asking = run([{ type: "removalRequested", users }]);
    expect(asking.confirmUsers).toEqual(users);
    expect(asking.busyFix).toBeUndefined();
    expect(setupReducer(asking, { type: "removalClosed" }).confirmUsers).toBeNull();
  });

  it("an error can be dismissed", () => {
    expect(run([{ type: "fixFailed", error: failure("Error_server") }, { type: "errorDismissed" }]).error).toBeUndefined();
  });
});

describe("publish", () => {
  it("goes starting → waiting for another solution operation's lock → running → done, and keeps done", () => {
    const phases: Array<SetupActionsState["phase"]> = [];
    let state = initialSetupActions;
    for (const event of [
      { type: "publishStarted" },
      { type: "publishProgress", phase: "waitingForOther" },
      { type: "publishProgress", phase: "running" },
      { type: "publishProgress", phase: "done" },
      { type: "publishSucceeded", at: "2030-01-02T00:00:00.000Z", announcement: "Published." },
    ] as SetupEvent[]) {
      state = setupReducer(state, event);
      phases.push(state.phase);
    }
    expect(phases).toEqual(["starting", "waitingForOther", "running", "done", "done"]);
    expect(state).toMatchObject({ publishLog: { lastPublishAt: "2030-01-02T00:00:00.000Z" }, announcement: "Published.", error: undefined });
  });

  it("a failure while waiting for the lock ends the progress and shows the error", () => {
    const state = run([{ type: "publishStarted" }, { type: "publishProgress", phase: "waitingForOther" }, { type: "publishFailed", error: failure("Action_publishLocked") }]);
    expect(state.phase).toBeUndefined();
    expect(state.error?.key).toBe("Action_publishLocked");
    expect(state.publishLog.lastPublishAt).toBeUndefined();
    expect(state.reloadRequests).toBe(0);
  });

  it("a new publish clears the last error and keeps what was changed before", () => {
    const before = run([
      { type: "fixSucceeded", at: "2030-01-01T00:00:00.000Z", announcement: "" },
      { type: "fixFailed", error: failure("Error_server") },
    ]);
    const state = setupReducer(before, { type: "publishStarted" });
    expect(state).toMatchObject({ phase: "starting", error: undefined, publishLog: { lastChangeAt: "2030-01-01T00:00:00.000Z" } });
  });

  it("a fix and a publish keep their own state", () => {
    const state = run([{ type: "publishStarted" }, { type: "fixStarted", fix: "enableSteps" }, { type: "publishProgress", phase: "running" }]);
    expect(state).toMatchObject({ busyFix: "enableSteps", phase: "running" });
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
  const frozen = Object.freeze({ ...initialSetupActions, publishLog: Object.freeze({}) });
  expect(() =>
    run(
      [
        { type: "fixStarted", fix: "assignRole" },
        { type: "fixSucceeded", at: "x", announcement: "" },
      ],
      frozen,
    ),
  ).not.toThrow();
  expect(frozen).toEqual(initialSetupActions);
});
