/**
 * What the panel's fixes and publish are doing, as a pure reducer: which fix runs, how far a
 * publish is (including waiting for another solution operation's lock), how far Fix everything
 * is, the last result and where it is shown, the change of role holders awaiting confirmation, who lost the role
 * here, what this panel changed and published, and what the screen reader was last told.
 * useSetupActions.ts runs the service calls and dispatches these events; the reducer decides
 * nothing that needs React or the DOM, so it is tested on its own.
 */
import type { PublishPhase } from "../../core/setup/actions";
import type { ErrorMessage } from "../../core/setup/messages";
import type { FixPlan, PlannedFix } from "../../core/setup/plan";
import type { CheckId, FixId, PublishLog, UserInfo } from "../../core/setup/types";

/** Where a result is shown: next to the button that was clicked (a checklist line, Publish, Fix everything). */
export type NoticePlace = CheckId | "publish" | "fixAll";

export interface ActionNotice {
  /** New for each result: the panel scrolls to it and moves the focus to it once. */
  id: number;
  place: NoticePlace;
  /** Why it failed; without it, `text` says what was done. */
  error?: ErrorMessage;
  text?: string;
}

/** Fix everything under way or finished: steps before `done` are done; with `failed`, step `done` failed and the rest did not run. */
export interface FixRun {
  id: number;
  steps: PlannedFix[];
  done: number;
  failed: boolean;
  finished: boolean;
}

/** Who lost the role here, and when (ISO): kept until the page closes. */
export interface Removal {
  names: string[];
  at: string;
}

export interface SetupActionsState {
  /** The fix running now; its button says so and the other fixes wait. */
  busyFix?: FixId;
  /** A publish under way ("waitingForOther" while another solution operation holds the lock), or "done". */
  phase?: PublishPhase;
  /** The last fix's, publish's or Fix everything's result; cleared when the next one starts or when dismissed. */
  notice?: ActionNotice;
  /** A change of who holds the role (it names users and teams), while its confirmation is open. */
  confirmStep: PlannedFix | null;
  /** What Fix everything would do, while its confirmation is open. */
  confirmPlan: FixPlan | null;
  run?: FixRun;
  removals: Removal[];
  /** When this panel last changed or published something: the checklist's publish line uses it. */
  publishLog: PublishLog;
  /** The last sentence for the aria-live region. */
  announcement: string;
  /**
   * Counts the failed fixes: each asks for the setup to be read again, as what is true after a
   * failure is not known. (A fix that worked changes publishLog, which reloads it too.)
   */
  reloadRequests: number;
  /** How many notices and runs were made: their ids. */
  count: number;
}

/** What a fix did: the sentence said and shown, and the users it took the role from. */
export interface FixDone {
  at: string;
  text: string;
  removed?: UserInfo[];
}

/** Why a fix failed; a removal can fail after it took the role from some users already. */
export interface FixFailure {
  at: string;
  error: ErrorMessage;
  removed?: UserInfo[];
}

export type SetupEvent =
  | { type: "fixStarted"; fix: FixId }
  | ({ type: "fixSucceeded"; place: NoticePlace } & FixDone)
  | ({ type: "fixFailed"; place: NoticePlace } & FixFailure)
  | { type: "confirmRequested"; step: PlannedFix }
  | { type: "confirmClosed" }
  | { type: "planRequested"; plan: FixPlan }
  | { type: "planClosed" }
  | { type: "runStarted"; steps: PlannedFix[] }
  | ({ type: "runStepDone" } & FixDone)
  | ({ type: "runFailed" } & FixFailure)
  | { type: "runFinished"; text: string }
  | { type: "publishStarted" }
  | { type: "publishProgress"; phase: PublishPhase }
  | { type: "publishSucceeded"; at: string; text: string }
  | { type: "publishFailed"; error: ErrorMessage }
  | { type: "noticeDismissed" }
  | { type: "announced"; text: string };

export const initialSetupActions: SetupActionsState = { confirmStep: null, confirmPlan: null, removals: [], publishLog: {}, announcement: "", reloadRequests: 0, count: 0 };

/** A finished publish keeps "done" (its success is shown); any other phase ends with it. */
const afterPublish = (phase: PublishPhase | undefined): PublishPhase | undefined => (phase === "done" ? phase : undefined);

/** A new result at `place`, announced too when it is a success. */
function notify(state: SetupActionsState, place: NoticePlace, result: { error: ErrorMessage } | { text: string }): SetupActionsState {
  const count = state.count + 1;
  return { ...state, count, notice: { id: count, place, ...result }, announcement: "text" in result ? result.text : state.announcement };
}

function recordRemoval(state: SetupActionsState, at: string, removed: UserInfo[] | undefined): SetupActionsState {
  return removed?.length ? { ...state, removals: [...state.removals, { names: removed.map((u) => u.fullName || u.email || u.id), at }] } : state;
}

const changedAt = (state: SetupActionsState, fix: FixId | undefined, at: string): PublishLog =>
  fix === "publish" ? { ...state.publishLog, lastPublishAt: at } : { ...state.publishLog, lastChangeAt: at };

export function setupReducer(state: SetupActionsState, event: SetupEvent): SetupActionsState {
  switch (event.type) {
    case "fixStarted":
      return { ...state, busyFix: event.fix, notice: undefined };
    case "fixSucceeded":
      // A new lastChangeAt changes the setup input, so the checklist reloads.
      return notify(recordRemoval({ ...state, busyFix: undefined, publishLog: changedAt(state, undefined, event.at) }, event.at, event.removed), event.place, { text: event.text });
    case "fixFailed":
      return notify(recordRemoval({ ...state, busyFix: undefined, reloadRequests: state.reloadRequests + 1 }, event.at, event.removed), event.place, { error: event.error });
    case "confirmRequested":
      return { ...state, confirmStep: event.step };
    case "confirmClosed":
      return { ...state, confirmStep: null };
    case "planRequested":
      return { ...state, confirmPlan: event.plan };
    case "planClosed":
      return { ...state, confirmPlan: null };
    case "runStarted":
      return { ...state, count: state.count + 1, run: { id: state.count + 1, steps: event.steps, done: 0, failed: false, finished: false }, busyFix: event.steps[0]?.fix, notice: undefined };
    case "runStepDone": {
      if (!state.run) return state;
      const fix = state.run.steps[state.run.done]?.fix;
      const done = state.run.done + 1;
      return recordRemoval(
        {
          ...state,
          run: { ...state.run, done },
          busyFix: state.run.steps[done]?.fix,
          phase: fix === "publish" ? afterPublish(state.phase) : state.phase,
          publishLog: changedAt(state, fix, event.at),
          announcement: event.text,
        },
        event.at,
        event.removed,
      );
    }
    case "runFailed": {
      if (!state.run) return state;
      const failed = { ...state, run: { ...state.run, failed: true, finished: true }, busyFix: undefined, phase: afterPublish(state.phase), reloadRequests: state.reloadRequests + 1 };
      return notify(recordRemoval(failed, event.at, event.removed), "fixAll", { error: event.error });
    }
    case "runFinished":
      return state.run ? notify({ ...state, run: { ...state.run, finished: true }, busyFix: undefined }, "fixAll", { text: event.text }) : state;
    case "publishStarted":
      return { ...state, phase: "starting", notice: state.run && !state.run.finished ? state.notice : undefined };
    case "publishProgress":
      return { ...state, phase: event.phase };
    case "publishSucceeded":
      return notify({ ...state, phase: afterPublish(state.phase), publishLog: changedAt(state, "publish", event.at) }, "publish", { text: event.text });
    case "publishFailed":
      return notify({ ...state, phase: afterPublish(state.phase) }, "publish", { error: event.error });
    case "noticeDismissed":
      return { ...state, notice: undefined };
    case "announced":
      return { ...state, announcement: event.text };
  }
}
