/**
 * Runs the panel's fixes and its publish through the SetupService and feeds setupReducer.ts
 * with what happens: the component only renders the state and calls these.
 */
import * as React from "react";
import { describeError } from "../../core/setup/messages";
import { FIXES } from "../../core/setup/fixes";
import type { SetupService } from "../../core/setup/service";
import type { FixId, SetupState, UserInfo } from "../../core/setup/types";
import type { Translate } from "../i18n";
import { initialSetupActions, setupReducer, type SetupActionsState } from "./setupReducer";

/** The fixes that run here with a click (pickUser moves the focus; removal asks first). */
export type DirectFix = Extract<FixId, "assignRole" | "enableSteps">;

export interface SetupActions extends SetupActionsState {
  runFix: (fix: DirectFix, state: SetupState) => void;
  /** Opens the confirmation for removing the role from these users. */
  requestRemoval: (users: UserInfo[]) => void;
  /** Closes it; removes the role when confirmed. True when the removal started. */
  closeRemoval: (confirmed: boolean, state: SetupState | undefined) => boolean;
  publish: () => void;
  dismissError: () => void;
  announce: (text: string) => void;
}

export interface SetupActionsOptions {
  service: SetupService;
  t: Translate;
  /** A time in the user's language, as the panel shows it. */
  formatTime: (iso: string) => string;
}

export function useSetupActions(options: SetupActionsOptions): SetupActions {
  const [state, dispatch] = React.useReducer(setupReducer, initialSetupActions);
  // The callbacks below stay the same objects across renders and read the newest options here.
  const latest = React.useRef(options);
  React.useLayoutEffect(() => {
    latest.current = options;
  });

  // A publish can outlive the form: closing it stops the following, not the publish itself.
  const unmounted = React.useRef<AbortController>();
  React.useEffect(() => {
    const controller = new AbortController();
    unmounted.current = controller;
    return () => controller.abort();
  }, []);

  const run = React.useCallback(async (fix: FixId, action: (service: SetupService) => Promise<unknown>) => {
    const { service, t } = latest.current;
    const spec = FIXES[fix];
    dispatch({ type: "fixStarted", fix });
    try {
      await action(service);
      dispatch({ type: "fixSucceeded", at: new Date().toISOString(), announcement: spec.doneKey ? t(spec.doneKey) : "" });
    } catch (e) {
      dispatch({ type: "fixFailed", error: describeError(e, spec.operation ?? "load") });
    }
  }, []);

  const runFix = React.useCallback((fix: DirectFix, setup: SetupState) => void run(fix, (service) => (fix === "assignRole" ? service.assignRole(setup) : service.enableSteps(setup))), [run]);

  const requestRemoval = React.useCallback((users: UserInfo[]) => dispatch({ type: "removalRequested", users }), []);

  const confirmUsers = state.confirmUsers;
  const closeRemoval = React.useCallback(
    (confirmed: boolean, setup: SetupState | undefined) => {
      dispatch({ type: "removalClosed" });
      if (!confirmed || !confirmUsers || !setup) return false;
      void run("removeRoleFromOthers", (service) => service.removeRole(setup, confirmUsers));
      return true;
    },
    [confirmUsers, run],
  );

  const publish = React.useCallback(() => {
    const { service, t, formatTime } = latest.current;
    const signal = unmounted.current?.signal;
    dispatch({ type: "publishStarted" });
    service.publish({ onProgress: (phase) => dispatch({ type: "publishProgress", phase }), signal }).then(
      () => {
        const at = new Date().toISOString();
        if (signal?.aborted) return;
        dispatch({ type: "publishSucceeded", at, announcement: t("Publish_Done", { time: formatTime(at) }) });
      },
      (e: unknown) => {
        if (signal?.aborted) return;
        dispatch({ type: "publishFailed", error: describeError(e, "publish") });
      },
    );
  }, []);

  const dismissError = React.useCallback(() => dispatch({ type: "errorDismissed" }), []);
  const announce = React.useCallback((text: string) => dispatch({ type: "announced", text }), []);

  return { ...state, runFix, requestRemoval, closeRemoval, publish, dismissError, announce };
}
