import * as React from "react";
import { PrimaryButton, Stack, Text } from "@fluentui/react";
import type { FixPlan, PlannedFix } from "../../core/setup/plan";
import type { FixId, SetupState } from "../../core/setup/types";
import type { Translate } from "../i18n";
import { ConfirmDialog, TeamList, UserList } from "./ConfirmRoleDialog";
import { NOTICE_HOME } from "./ErrorNotice";
import type { FixRun } from "./setupReducer";

/** A step of Fix everything in words: what changes, for whom. */
export function stepText(step: PlannedFix, setup: SetupState, t: Translate): string {
  const role = setup.input.roleName;
  switch (step.fix) {
    case "assignRole":
      return t("FixAll_assignRole", { role, name: setup.chosenUser?.ok ? setup.chosenUser.value.fullName : "" });
    case "assignRoleToEveryone":
      return t("FixAll_assignRoleToEveryone", { role, count: step.users?.length ?? 0 });
    case "removeRoleFromOthers": {
      // Everybody who loses it: the users, and the teams' members (once each). A Microsoft Entra group
      // team may have no member listed yet: then only the teams are named.
      const count = new Set([...(step.users ?? []), ...(step.teams ?? []).flatMap((team) => team.members)].map((u) => u.id)).size;
      if (count === 0) return t("FixAll_removeRoleFromTeamsOnly", { role, teams: (step.teams ?? []).map((team) => team.name).join(", ") });
      return t(step.teams?.length ? "FixAll_removeRoleFromOthersTeams" : "FixAll_removeRoleFromOthers", { role, count });
    }
    case "removeRoleFromDisabled":
      return t("FixAll_removeRoleFromDisabled", { role, count: step.users?.length ?? 0 });
    case "enableSteps": {
      const names = step.names ?? [];
      return t("FixAll_enableSteps", { count: names.length, names: names.join(", ") });
    }
    case "publish":
      return t("Fix_publish");
  }
}

interface PlanProps {
  plan: FixPlan;
  setup: SetupState;
  /** Why a fix the admin's roles do not allow is left out, in words (SetupPanel's `blocked`). */
  blocked: Partial<Record<FixId, string>>;
  t: Translate;
}

/** Why each left-out fix is left out. */
function heldTexts({ plan, setup, blocked, t }: PlanProps): string[] {
  return plan.held.map((h) =>
    t("FixAll_Line", { step: stepText(h, setup, t), state: h.reason.why === "privileges" ? (blocked[h.fix] ?? "") : t(h.reason.why === "unsaved" ? "Publish_HeldUnsaved" : "Publish_HeldNoUser") }),
  );
}

type StepState = "pending" | "running" | "done" | "failed" | "notRun";

function stepState(run: FixRun, i: number): StepState {
  if (i < run.done) return "done";
  if (i > run.done) return run.failed ? "notRun" : "pending";
  return run.failed ? "failed" : "running";
}

/** What a stopped run did and did not do, in one sentence. */
export function stoppedText(run: FixRun, setup: SetupState, t: Translate): string {
  const list = (steps: PlannedFix[]) => (steps.length ? steps.map((s) => stepText(s, setup, t)).join("; ") : t("FixAll_None"));
  return t("FixAll_Stopped", { done: list(run.steps.slice(0, run.done)), notDone: list(run.steps.slice(run.done)) });
}

/** Each step of the last run with its state; focused when the run starts, so the progress is where the admin looks. */
const Progress: React.FC<{ run: FixRun; setup: SetupState; t: Translate }> = ({ run, setup, t }) => {
  const ref = React.useRef<HTMLOListElement>(null);
  React.useEffect(() => ref.current?.focus(), []);
  return (
    <ol ref={ref} tabIndex={-1} aria-label={t("FixAll_Progress")} style={{ margin: 0 }}>
      {run.steps.map((step, i) => (
        <li key={step.fix} data-step={step.fix} data-state={stepState(run, i)}>
          <Text>{t("FixAll_Line", { step: stepText(step, setup, t), state: t(`FixAll_State_${stepState(run, i)}`) })}</Text>
        </li>
      ))}
    </ol>
  );
};

/** The button, why it is off when it is, the progress of the last run, and its result (children). */
export const FixEverything: React.FC<PlanProps & { busy: boolean; run?: FixRun; onStart: () => void }> = (props) => {
  const { plan, t, busy, run, setup } = props;
  const reasons = plan.steps.length ? [] : plan.held.length ? heldTexts(props) : [t("FixAll_NothingToDo")];
  return (
    <Stack tokens={{ childrenGap: 8 }} styles={{ root: { padding: "8px 0" } }} {...NOTICE_HOME}>
      <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 12 }} wrap>
        <PrimaryButton text={t("FixAll_Button")} disabled={busy || !plan.steps.length} onClick={props.onStart} data-testid="fix-everything" />
        {reasons.map((r) => (
          <Text key={r} variant="small">
            {r}
          </Text>
        ))}
      </Stack>
      {run && <Progress key={run.id} run={run} setup={setup} t={t} />}
      {props.children}
    </Stack>
  );
};

/** One confirmation for the whole run: every change, in order, and everybody who would lose the role. */
export const FixEverythingDialog: React.FC<Omit<PlanProps, "plan" | "setup"> & { plan: FixPlan | null; setup?: SetupState; onConfirm: () => void; onCancel: () => void }> = (props) => {
  const { plan, setup, t } = props;
  const held = plan && setup ? heldTexts({ ...props, plan, setup }) : [];
  return (
    <ConfirmDialog open={!!plan} title={t("FixAll_Title")} confirm={t("FixAll_Confirm")} testId="fix-everything-confirm" t={t} onConfirm={props.onConfirm} onCancel={props.onCancel}>
      <Text block>{t("FixAll_Intro")}</Text>
      <ol aria-label={t("FixAll_ListLabel")}>
        {setup &&
          plan?.steps.map((step) => (
            <li key={step.fix} data-step={step.fix}>
              <Text>{stepText(step, setup, t)}</Text>
              {step.users && <UserList users={step.users} />}
              <TeamList teams={step.teams} t={t} />
            </li>
          ))}
      </ol>
      {held.length > 0 && (
        <>
          <Text block>{t("FixAll_LeftOut")}</Text>
          <ul>
            {held.map((h) => (
              <li key={h}>
                <Text>{h}</Text>
              </li>
            ))}
          </ul>
        </>
      )}
    </ConfirmDialog>
  );
};
