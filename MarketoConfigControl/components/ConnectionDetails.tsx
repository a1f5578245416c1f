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

const valueClass = mergeStyles({ fontFamily: "Consolas, 'Courier New', monospace", wordBreak: "break-all", flexGrow: 1 });
// A <dl> may hold only <dt>/<dd> pairs, optionally each in one <div>: no Stack (it adds an inner div).
const listClass = mergeStyles({ margin: 0 });
const rowClass = mergeStyles({ display: "grid", gridTemplateColumns: "minmax(160px, 260px) 1fr", alignItems: "center", columnGap: "12px", padding: "4px 0" });
const valueCellClass = mergeStyles({ margin: 0, display: "flex", alignItems: "center", flexWrap: "wrap", gap: 8 });

/** What Marketo's step 3 asks for. Never the client secret: it is not Dynamics' to show. */
export const ConnectionDetails: React.FC<ConnectionDetailsProps> = ({ t, values, copy, announce }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <MessageBar messageBarType={MessageBarType.warning} isMultiline>
      {t("Connection_UrlWarning")}
    </MessageBar>
    <dl className={listClass}>
      {values.map(({ labelKey, value }) => (
        <div key={labelKey} className={rowClass}>
          <Text as="dt" styles={{ root: { fontWeight: 600 } }}>
            {t(labelKey)}
          </Text>
          <dd className={valueCellClass}>
            <Text className={valueClass} data-connection={labelKey}>
              {value ?? t("Connection_NotAvailable")}
            </Text>
            {value && (
              <DefaultButton
                text={t("Button_Copy")}
                ariaLabel={t("Button_Copy_Label", { what: t(labelKey) })}
                onClick={async () => announce((await copy(value)) ? t("Copy_Done", { what: t(labelKey) }) : t("Copy_Failed"))}
              />
            )}
          </dd>
        </div>
      ))}
    </dl>
  </Stack>
);
