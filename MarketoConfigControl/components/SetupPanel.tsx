import * as React from "react";
import { Stack, Text } from "@fluentui/react";

export interface SetupPanelProps {
  /** The Marketo User currently on the form, or null. */
  user: { id: string; name: string } | null;
  disabled: boolean;
  getString: (key: string) => string;
}

/** Placeholder panel: shows the bound value. The full setup panel replaces it (issue 4). */
export const SetupPanel: React.FC<SetupPanelProps> = ({ user, disabled, getString }) => (
  <Stack tokens={{ childrenGap: 4 }}>
    <Text variant="medium">{user ? user.name : getString("Picker_NoUser")}</Text>
    {disabled && <Text variant="small">{getString("State_ReadOnly")}</Text>}
  </Stack>
);
