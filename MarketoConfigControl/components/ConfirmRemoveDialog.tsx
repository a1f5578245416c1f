import * as React from "react";
import { DefaultButton, Dialog, DialogFooter, DialogType, PrimaryButton, Text } from "@fluentui/react";
import type { UserInfo } from "../../core/setup/types";
import type { Translate } from "../i18n";

export interface ConfirmRemoveDialogProps {
  users: UserInfo[] | null;
  roleName: string;
  t: Translate;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Names every user who will lose the role before anything is removed. */
export const ConfirmRemoveDialog: React.FC<ConfirmRemoveDialogProps> = ({ users, roleName, t, onConfirm, onCancel }) => (
  <Dialog
    hidden={!users}
    onDismiss={onCancel}
    dialogContentProps={{
      type: DialogType.normal,
      title: t("Confirm_Title", { role: roleName }),
      closeButtonAriaLabel: t("Button_Cancel"),
    }}
    modalProps={{ isBlocking: true }}
  >
    <Text block>{t("Confirm_Text", { role: roleName, count: users?.length ?? 0 })}</Text>
    <ul aria-label={t("Confirm_ListLabel")}>
      {users?.map((u) => (
        <li key={u.id}>
          <Text>{[u.fullName, u.email, u.businessUnitName].filter(Boolean).join(" · ")}</Text>
        </li>
      ))}
    </ul>
    <DialogFooter>
      <PrimaryButton text={t("Confirm_Remove")} onClick={onConfirm} />
      <DefaultButton text={t("Button_Cancel")} onClick={onCancel} />
    </DialogFooter>
  </Dialog>
);
