import * as React from "react";
import { DefaultButton, Dialog, DialogFooter, DialogType, PrimaryButton, Text } from "@fluentui/react";
import type { PlannedFix } from "../../core/setup/plan";
import type { RoleTeam, UserInfo } from "../../core/setup/types";
import type { Translate } from "../i18n";

/** A blocking confirmation: what will change (children), then the button that does it and Cancel. */
export const ConfirmDialog: React.FC<{ open: boolean; title: string; confirm: string; testId?: string; t: Translate; onConfirm: () => void; onCancel: () => void }> = (props) => (
  <Dialog
    hidden={!props.open}
    onDismiss={props.onCancel}
    // Room for "name · email · business unit" on one line where the screen allows (Fluent's default is 340 px).
    maxWidth={560}
    dialogContentProps={{ type: DialogType.normal, title: props.title, closeButtonAriaLabel: props.t("Button_Cancel") }}
    // Closed, the focus may go to what the change shows: the closing dialog must not pull it back.
    modalProps={{ isBlocking: true, forceFocusInsideTrap: props.open }}
  >
    {props.children}
    <DialogFooter>
      <PrimaryButton text={props.confirm} onClick={props.onConfirm} data-testid={props.testId} />
      <DefaultButton text={props.t("Button_Cancel")} onClick={props.onCancel} />
    </DialogFooter>
  </Dialog>
);

/** Past this many names a list scrolls (before 4.0.0.14 it can name thousands). */
const SCROLL_FROM = 8;
const WRAP_ANYWHERE: React.CSSProperties = { overflowWrap: "anywhere" };

/**
 * Users as a confirmation names them: enough to tell two John Smiths apart. A long list scrolls and
 * takes the focus, so it scrolls from the keyboard too (WCAG 2.1.1). An email has no space to wrap
 * at: it may break anywhere rather than run past the dialog's edge, cut off.
 */

export const UserList: React.FC<{ users?: UserInfo[] | null; label?: string }> = ({ users, label }) => {
  const long = (users?.length ?? 0) > SCROLL_FROM;
  return (
    <ul aria-label={label} {...(long ? { tabIndex: 0, style: { ...WRAP_ANYWHERE, maxHeight: 240, overflowY: "auto" } } : { style: WRAP_ANYWHERE })}>
      {users?.map((u) => (
        <li key={u.id}>
          <Text>{[u.fullName, u.email, u.businessUnitName].filter(Boolean).join(" · ")}</Text>
        </li>
      ))}
    </ul>
  );
};

/** Teams that lose the role, each with the members who lose it with them. */
export const TeamList: React.FC<{ teams?: RoleTeam[]; t: Translate }> = ({ teams, t }) =>
  teams?.length ? (
    <ul aria-label={t("Confirm_TeamsLabel")} data-teams>
      {teams.map((team) => (
        <li key={team.id}>
          <Text>{team.entraGroup ? t("Confirm_GroupTeam", { team: team.name }) : t("Confirm_Team", { team: team.name, count: team.members.length })}</Text>
          <UserList users={team.members} />
        </li>
      ))}
    </ul>
  ) : null;

export interface ConfirmRoleDialogProps {
  /** The change waiting for confirmation (null: closed). */
  step: PlannedFix | null;
  roleName: string;
  t: Translate;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Names every user (and team) who will get or lose the role before anything changes. */
export const ConfirmRoleDialog: React.FC<ConfirmRoleDialogProps> = ({ step, roleName, t, onConfirm, onCancel }) => {
  const assign = step?.fix === "assignRoleToEveryone";
  const users = step?.users ?? [];
  return (
    <ConfirmDialog
      open={!!step}
      title={t(assign ? "Confirm_AssignTitle" : "Confirm_Title", { role: roleName })}
      confirm={t(assign ? "Confirm_Assign" : "Confirm_Remove")}
      t={t}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {users.length > 0 && <Text block>{t(assign ? "Confirm_AssignText" : "Confirm_Text", { role: roleName, count: users.length })}</Text>}
      <UserList users={users} label={t(assign ? "Confirm_AssignListLabel" : "Confirm_ListLabel")} />
      {step?.teams?.length ? <Text block>{t("Confirm_TeamsText", { role: roleName, count: step.teams.length })}</Text> : null}
      <TeamList teams={step?.teams} t={t} />
    </ConfirmDialog>
  );
};
