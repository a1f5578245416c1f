import * as React from "react";
import { DefaultButton, MessageBar, MessageBarType, mergeStyles, Stack, Text } from "@fluentui/react";
import type { Translate } from "../i18n";

export interface ConnectionValue {
  labelKey: string;
  value?: string;
}

export interface ConnectionDetailsProps {
  t: Translate;
  values: ConnectionValue[];
  /** Writes to the clipboard; resolves false when the browser refuses. */
  copy: (text: string) => Promise<boolean>;
  announce: (message: string) => void;
}

const valueClass = mergeStyles({ fontFamily: "Consolas, 'Courier New', monospace", wordBreak: "break-all" });

/** What Marketo's step 3 asks for. Never the client secret: it is not Dynamics' to show. */
export const ConnectionDetails: React.FC<ConnectionDetailsProps> = ({ t, values, copy, announce }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <MessageBar messageBarType={MessageBarType.warning} isMultiline>
      {t("Connection_UrlWarning")}
    </MessageBar>
    <dl style={{ margin: 0 }}>
      {values.map(({ labelKey, value }) => (
        <Stack key={labelKey} horizontal verticalAlign="center" tokens={{ childrenGap: 8 }} wrap styles={{ root: { padding: "4px 0" } }}>
          <Text as="dt" styles={{ root: { fontWeight: 600, minWidth: 220 } }}>
            {t(labelKey)}
          </Text>
          <Text as="dd" className={valueClass} styles={{ root: { margin: 0, flexGrow: 1 } }} data-connection={labelKey}>
            {value ?? t("Connection_NotAvailable")}
          </Text>
          {value && (
            <DefaultButton
              text={t("Button_Copy")}
              ariaLabel={t("Button_Copy_Label", { what: t(labelKey) })}
              onClick={async () => announce((await copy(value)) ? t("Copy_Done", { what: t(labelKey) }) : t("Copy_Failed"))}
            />
          )}
        </Stack>
      ))}
    </dl>
  </Stack>
);
