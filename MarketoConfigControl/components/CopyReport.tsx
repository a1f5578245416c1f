import * as React from "react";
import { DefaultButton, Stack, Text, type IContextualMenuProps } from "@fluentui/react";
import { buildReport } from "../../core/setup/report";
import type { CheckItem, SetupState } from "../../core/setup/types";
import type { Translate } from "../i18n";

export interface CopyReportProps {
  state?: SetupState;
  /** The checklist as evaluated (times in ISO: the report formats them). */
  items?: CheckItem[];
  t: Translate;
  locale: string;
  /** The panel's: the report shows times as the checklist does. */
  formatTime: (iso: string) => string | undefined;
  clientUrl: string;
  copy: (text: string) => Promise<boolean>;
  announce: (message: string) => void;
}

type Format = "text" | "json";

/** "Copy report": the checklist as text for a ticket or Marketo support, or as JSON for tools. */
export const CopyReport: React.FC<CopyReportProps> = ({ state, items, t, locale, formatTime, clientUrl, copy, announce }) => {
  // When this result was read, not when it is copied: a report copied an hour later says so.
  const checkedAt = React.useMemo(() => (state ? new Date().toISOString() : undefined), [state]);
  // The confirmation belongs to the result it copied: a new check clears it.
  const [copied, setCopied] = React.useState<{ of: SetupState; message: string }>();
  const done = copied && copied.of === state ? copied.message : undefined;

  const run = React.useCallback(
    async (format: Format) => {
      if (!state || !items || !checkedAt) return;
      const report = buildReport(state, items, t, { checkedAt, clientUrl, locale, formatTime });
      const ok = await copy(format === "text" ? report.text : report.json);
      const message = ok ? t(format === "text" ? "Copy_ReportTextDone" : "Copy_ReportJsonDone") : t("Copy_ReportFailed");
      setCopied({ of: state, message });
      announce(message);
    },
    [state, items, checkedAt, t, locale, formatTime, clientUrl, copy, announce],
  );

  const menuProps: IContextualMenuProps = {
    items: [
      { key: "text", text: t("CopyReport_Text"), onClick: () => void run("text") },
      { key: "json", text: t("CopyReport_Json"), onClick: () => void run("json") },
    ],
  };
  return (
    <Stack horizontal verticalAlign="center" wrap tokens={{ childrenGap: 8 }}>
      {/* Seen as well as heard: the announcer speaks it, this line shows it until the next check. */}
      {done && <Text variant="small">{done}</Text>}
      <DefaultButton text={t("Button_CopyReport")} menuProps={menuProps} disabled={!state || !items} data-action="copy-report" />
    </Stack>
  );
};
