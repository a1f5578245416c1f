import * as React from "react";
import { DefaultButton, Dialog, DialogFooter, DialogType, PrimaryButton, Text } from "@fluentui/react";
import type { UserInfo } from "../../core/setup/types";
import type { Translate } from "../i18n";

/** A blocking confirmation: what will change (children), then the button that does it and Cancel. */
export const ConfirmDialog: React.FC<{ open: boolean; title: string; confirm: string; testId?: string; t: Translate; onConfirm: () => void; onCancel: () => void }> = (props) => (
  <Dialog
    hidden={!props.open}
    onDismiss={props.onCancel}
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

/** Users as a confirmation names them: enough to tell two John Smiths apart. */
export const UserList: React.FC<{ users?: UserInfo[] | null; label?: string }> = ({ users, label }) => (
  <ul aria-label={label}>
    {users?.map((u) => (
      <li key={u.id}>
        <Text>{[u.fullName, u.email, u.businessUnitName].filter(Boolean).join(" · ")}</Text>
      </li>
    ))}
  </ul>
);

export interface ConfirmRemoveDialogProps {
  users: UserInfo[] | null;
  roleName: string;
  t: Translate;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Names every user who will lose the role before anything is removed. */
export const ConfirmRemoveDialog: React.FC<ConfirmRemoveDialogProps> = ({ users, roleName, t, onConfirm, onCancel }) => (
  <ConfirmDialog open={!!users} title={t("Confirm_Title", { role: roleName })} confirm={t("Confirm_Remove")} t={t} onConfirm={onConfirm} onCancel={onCancel}>
    <Text block>{t("Confirm_Text", { role: roleName, count: users?.length ?? 0 })}</Text>
    <UserList users={users} label={t("Confirm_ListLabel")} />
  </ConfirmDialog>
);
