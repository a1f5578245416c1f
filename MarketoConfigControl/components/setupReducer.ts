/**
 * What the panel's fixes and publish are doing, as a pure reducer: which fix runs, how far a
 * publish is (including waiting for another solution operation's lock), the last action's
 * error, the users a removal waits on, what this panel changed and published, and what the
 * screen reader was last told. useSetupActions.ts runs the service calls and dispatches these
 * events; the reducer decides nothing that needs React or the DOM, so it is tested on its own.
 */
import type { PublishPhase } from "../../core/setup/actions";
import type { ErrorMessage } from "../../core/setup/messages";
import type { FixId, PublishLog, UserInfo } from "../../core/setup/types";

export interface SetupActionsState {
  /** The fix running now; its button says so and the other fixes wait. */
  busyFix?: FixId;
  /** A publish under way ("waitingForOther" while another solution operation holds the lock), or "done". */
  phase?: PublishPhase;
  /** Why the last fix or publish failed; cleared when the next one starts or when dismissed. */
  error?: ErrorMessage;
  /** Users the role would be removed from, while the confirmation dialog is open. */
  confirmUsers: UserInfo[] | null;
  /** When this panel last changed or published something: the checklist's publish line uses it. */
  publishLog: PublishLog;
  /** The last sentence for the aria-live region. */
  announcement: string;
  /**
   * Counts the failed fixes: each asks for the setup to be read again, as what is true after a
   * failure is not known. (A fix that worked changes publishLog, which reloads it too.)
   */
  reloadRequests: number;
}

export type SetupEvent =
  | { type: "fixStarted"; fix: FixId }
  | { type: "fixSucceeded"; at: string; announcement: string }
  | { type: "fixFailed"; error: ErrorMessage }
  | { type: "removalRequested"; users: UserInfo[] }
  | { type: "removalClosed" }
  | { type: "publishStarted" }
  | { type: "publishProgress"; phase: PublishPhase }
  | { type: "publishSucceeded"; at: string; announcement: string }
  | { type: "publishFailed"; error: ErrorMessage }
  | { type: "errorDismissed" }
  | { type: "announced"; text: string };

export const initialSetupActions: SetupActionsState = { confirmUsers: null, publishLog: {}, announcement: "", reloadRequests: 0 };

/** A finished publish keeps "done" (its success is shown); any other phase ends with it. */
const afterPublish = (phase: PublishPhase | undefined): PublishPhase | undefined => (phase === "done" ? phase : undefined);

export function setupReducer(state: SetupActionsState, event: SetupEvent): SetupActionsState {
  switch (event.type) {
    case "fixStarted":
      return { ...state, busyFix: event.fix, error: undefined };
    case "fixSucceeded":
      // A new lastChangeAt changes the setup input, so the checklist reloads.
      return { ...state, busyFix: undefined, publishLog: { ...state.publishLog, lastChangeAt: event.at }, announcement: event.announcement };
    case "fixFailed":
      return { ...state, busyFix: undefined, error: event.error, reloadRequests: state.reloadRequests + 1 };
    case "removalRequested":
      return { ...state, confirmUsers: event.users };
    case "removalClosed":
      return { ...state, confirmUsers: null };
    case "publishStarted":
      return { ...state, phase: "starting", error: undefined };
    case "publishProgress":
      return { ...state, phase: event.phase };
    case "publishSucceeded":
      return {
        ...state,
        phase: afterPublish(state.phase),
        publishLog: { ...state.publishLog, lastPublishAt: event.at },
        announcement: event.announcement,
      };
    case "publishFailed":
      return { ...state, phase: afterPublish(state.phase), error: event.error };
    case "errorDismissed":
      return { ...state, error: undefined };
    case "announced":
      return { ...state, announcement: event.text };
  }
}
