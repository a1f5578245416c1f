/**
 * Runs the panel's fixes, its publish and Fix everything through the SetupService and feeds
 * setupReducer.ts with what happens: the component only renders the state and calls these.
 */
import * as React from "react";
import { PartialRemovalError } from "../../core/setup/actions";
import { describeError } from "../../core/setup/messages";
import { FIXES } from "../../core/setup/fixes";
import type { FixPlan, PlannedFix } from "../../core/setup/plan";
import type { SetupService } from "../../core/setup/service";
import type { SetupState } from "../../core/setup/types";
import type { Translate } from "../i18n";
import { initialSetupActions, setupReducer, type FixDone, type FixFailure, type SetupActionsState, type SetupEvent } from "./setupReducer";

export interface SetupActions extends SetupActionsState {
  /** Runs one fix of a checklist line (a change of role holders asks first: requestConfirm); its result shows on that line. */
  runFix: (step: PlannedFix, state: SetupState) => void;
  /** Opens the confirmation naming who gains or loses the role. */
  requestConfirm: (step: PlannedFix) => void;
  /** Closes it; runs the fix when confirmed. True when it started. */
  closeConfirm: (confirmed: boolean, state: SetupState | undefined) => boolean;
  /** Opens Fix everything's confirmation. */
  requestPlan: (plan: FixPlan) => void;
  /** Closes it; runs the plan when confirmed. True when it started. */
  closePlan: (confirmed: boolean, state: SetupState | undefined) => boolean;
  publish: (state: SetupState) => void;
  dismissNotice: () => void;
  announce: (text: string) => void;
}

export interface FixContext {
  service: SetupService;
  t: Translate;
  /** A time in the user's language, as the panel shows it. */
  formatTime: (iso: string) => string;
  setup: SetupState;
  dispatch: (event: SetupEvent) => void;
  signal?: AbortSignal;
  now?: () => string;
}

const stamp = (ctx: FixContext) => (ctx.now ?? (() => new Date().toISOString()))();

/** Runs one fix; resolves with what it did, in a sentence that names who it changed. */
export async function executeFix(step: PlannedFix, ctx: FixContext): Promise<FixDone> {
  const { service, t, setup } = ctx;
  const role = setup.input.roleName;
  switch (step.fix) {
    case "assignRole": {
      const { changed } = await service.assignRole(setup);
      const name = setup.chosenUser?.ok ? setup.chosenUser.value.fullName : "";
      return { at: stamp(ctx), text: t(changed ? "Done_assignRole" : "Done_assignRoleAlready", { role, name }) };
    }
    case "assignRoleToEveryone": {
      const { assigned } = await service.assignRoleToUsers(setup, step.users ?? []);
      return { at: stamp(ctx), text: t("Done_assignRoleToEveryone", { role, count: assigned.length }) };
    }
    case "removeRoleFromOthers":
    case "removeRoleFromDisabled": {
      const { removed, teams } = await service.removeRole(setup, step.users ?? [], step.teams);
      // A Microsoft Entra group team may have no member listed yet: then the teams are who changed.
      const text = removed.length
        ? t("Done_removeRole", { role, names: removed.map((u) => u.fullName).join(", ") })
        : t("Done_removeRoleTeamsOnly", { role, teams: teams.map((team) => team.name).join(", ") });
      return { at: stamp(ctx), text, removed };
    }
    case "enableSteps": {
      const { enabled } = await service.enableSteps(setup);
      return { at: stamp(ctx), text: enabled.length ? t("Done_enableSteps", { count: enabled.length, names: enabled.join(", ") }) : t("Done_enableStepsNone") };
    }
    case "publish": {
      ctx.dispatch({ type: "publishStarted" });
      await service.publish({ onProgress: (phase) => ctx.dispatch({ type: "publishProgress", phase }), signal: ctx.signal });
      const at = stamp(ctx);
      return { at, text: t("Publish_Done", { time: ctx.formatTime(at) }) };
    }
  }
}

function failure(step: PlannedFix, e: unknown, ctx: FixContext): FixFailure {
  return { at: stamp(ctx), error: describeError(e, FIXES[step.fix].operation ?? "load"), removed: e instanceof PartialRemovalError ? e.removed : undefined };
}

/** One fix, its result on the line that offered it (Publish's next to its button). */
export async function runOne(step: PlannedFix, ctx: FixContext): Promise<void> {
  const publishing = step.fix === "publish";
  if (!publishing) ctx.dispatch({ type: "fixStarted", fix: step.fix });
  try {
    const done = await executeFix(step, ctx);
    ctx.dispatch(publishing ? { type: "publishSucceeded", at: done.at, text: done.text } : { type: "fixSucceeded", place: step.checkId, ...done });
  } catch (e) {
    const failed = failure(step, e, ctx);
    ctx.dispatch(publishing ? { type: "publishFailed", error: failed.error } : { type: "fixFailed", place: step.checkId, ...failed });
  }
}

/** Fix everything: the steps in order, stopping at the first failure. */
export async function runPlan(steps: PlannedFix[], ctx: FixContext): Promise<void> {
  ctx.dispatch({ type: "runStarted", steps });
  for (const step of steps) {
    try {
      ctx.dispatch({ type: "runStepDone", ...(await executeFix(step, ctx)) });
    } catch (e) {
      ctx.dispatch({ type: "runFailed", ...failure(step, e, ctx) });
      return;
    }
  }
  ctx.dispatch({ type: "runFinished", text: ctx.t("FixAll_Done", { count: steps.length }) });
}

export interface SetupActionsOptions {
  service: SetupService;
  t: Translate;
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

  const context = React.useCallback((setup: SetupState): FixContext => {
    const signal = unmounted.current?.signal;
    return { ...latest.current, setup, signal, dispatch: (event) => !signal?.aborted && dispatch(event) };
  }, []);

  const runFix = React.useCallback((step: PlannedFix, setup: SetupState) => void runOne(step, context(setup)), [context]);

  const requestConfirm = React.useCallback((step: PlannedFix) => dispatch({ type: "confirmRequested", step }), []);
  const { confirmStep, confirmPlan } = state;
  const closeConfirm = React.useCallback(
    (confirmed: boolean, setup: SetupState | undefined) => {
      dispatch({ type: "confirmClosed" });
      if (!confirmed || !confirmStep || !setup) return false;
      void runOne(confirmStep, context(setup));
      return true;
    },
    [confirmStep, context],
  );

  const requestPlan = React.useCallback((plan: FixPlan) => dispatch({ type: "planRequested", plan }), []);
  const closePlan = React.useCallback(
    (confirmed: boolean, setup: SetupState | undefined) => {
      dispatch({ type: "planClosed" });
      if (!confirmed || !confirmPlan?.steps.length || !setup) return false;
      void runPlan(confirmPlan.steps, context(setup));
      return true;
    },
    [confirmPlan, context],
  );

  const publish = React.useCallback((setup: SetupState) => void runOne({ fix: "publish", checkId: "publish" }, context(setup)), [context]);
  const dismissNotice = React.useCallback(() => dispatch({ type: "noticeDismissed" }), []);
  const announce = React.useCallback((text: string) => dispatch({ type: "announced", text }), []);

  return { ...state, runFix, requestConfirm, closeConfirm, requestPlan, closePlan, publish, dismissNotice, announce };
}
