import * as React from "react";
import { DefaultButton, MessageBar, MessageBarType, mergeStyles, Stack, Text } from "@fluentui/react";
import { userRecordUrl } from "../../core/setup/recordUrl";
import type { Translate } from "../i18n";
import { NewTabLink } from "./DocLink";

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
  /** The sync user, for a link to its record (roles, application ID, status are managed there). */
  syncUser?: { id: string; name: string };
  /** The organisation URL the form runs in: the record link points there. */
  clientUrl?: string;
}

/*
 * Narrow forms (a third of a form, a phone): the row wraps on its own, without measuring. The label
 * and the value each ask for a minimum width; when both do not fit on one line the value goes below
 * its label and takes the whole width. Values wrap only between their parts (see breakable).
 */
const rowClass = mergeStyles({ display: "flex", flexWrap: "wrap", alignItems: "baseline", columnGap: "12px", rowGap: "2px", padding: "6px 0" });
const labelClass = mergeStyles({ flex: "1 1 180px", maxWidth: 260, margin: 0, fontWeight: 600 });
const valueCellClass = mergeStyles({ flex: "999 1 280px", minWidth: 0, margin: 0, display: "flex", alignItems: "center", flexWrap: "wrap", gap: 8 });
// Never broken inside a word; a part longer than the box scrolls (and the Copy button has it all).
const valueClass = mergeStyles({
  fontFamily: "Consolas, 'Courier New', monospace",
  whiteSpace: "normal",
  wordBreak: "normal",
  overflowWrap: "normal",
  minWidth: 0,
  maxWidth: "100%",
  overflowX: "auto",
});
// A <dl> may hold only <dt>/<dd> pairs, optionally each in one <div>: no Stack (it adds an inner div).
const listClass = mergeStyles({ margin: 0 });

/**
 * The value with line-break opportunities after "/" and "-" and before "@": a URL, a GUID or an email
 * address wraps between its parts. (No regular-expression lookbehind: older Safari cannot parse it.)
 */
export function breakable(value: string): React.ReactNode[] {
  const parts: string[] = [];
  let part = "";
  for (const ch of value) {
    if (ch === "@" && part) {
      parts.push(part);
      part = "";
    }
    part += ch;
    if (ch === "/" || ch === "-") {
      parts.push(part);
      part = "";
    }
  }
  if (part) parts.push(part);
  return parts.map((p, i) => (
    <React.Fragment key={i}>
      {i > 0 && <wbr />}
      {p}
    </React.Fragment>
  ));
}

/** What Marketo's step 3 asks for. Never the client secret: it is not Dynamics' to show. */
export const ConnectionDetails: React.FC<ConnectionDetailsProps> = ({ t, values, copy, announce, syncUser, clientUrl }) => {
  const [copiedAll, setCopiedAll] = React.useState<string>();
  const available = values.filter((v): v is Required<ConnectionValue> => !!v.value);
  const recordUrl = syncUser ? userRecordUrl(clientUrl, syncUser.id) : undefined;

  async function copyAll() {
    // One "Label: value" line each, ready for a ticket or a password manager's notes.
    const text = available.map(({ labelKey, value }) => t("Report_Field", { label: t(labelKey), value })).join("\n");
    const message = (await copy(text)) ? t("Copy_AllDone") : t("Copy_Failed");
    setCopiedAll(message);
    announce(message);
  }

  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <MessageBar messageBarType={MessageBarType.warning} isMultiline>
        {t("Connection_UrlWarning")}
      </MessageBar>
      {available.length > 1 && (
        <Stack horizontal verticalAlign="center" wrap tokens={{ childrenGap: 8 }}>
          <DefaultButton text={t("Button_CopyAll")} ariaLabel={t("Button_CopyAll_Label")} onClick={() => void copyAll()} data-action="copy-all" />
          {copiedAll && <Text variant="small">{copiedAll}</Text>}
        </Stack>
      )}
      <dl className={listClass}>
        {values.map(({ labelKey, value }) => (
          <div key={labelKey} className={rowClass} data-connection-row={labelKey}>
            <Text as="dt" className={labelClass}>
              {t(labelKey)}
            </Text>
            <dd className={valueCellClass}>
              <Text className={valueClass} data-connection={labelKey}>
                {value ? breakable(value) : t("Connection_NotAvailable")}
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
      {syncUser && recordUrl && (
        <NewTabLink href={recordUrl} t={t} data-link="user-record">
          {t("Link_UserRecord", { name: syncUser.name })}
        </NewTabLink>
      )}
    </Stack>
  );
};
