import * as React from "react";
import { DefaultButton, getTheme, Link, mergeStyles, Stack, Text } from "@fluentui/react";
import { checkTitleKey } from "../../core/setup/evaluate";
import { FIXES } from "../../core/setup/fixes";
import type { CheckItem, FixId } from "../../core/setup/types";
import { describeError } from "../../core/setup/messages";
import { detailsText, errorText, type Translate } from "../i18n";
import { NOTICE_HOME } from "./ErrorNotice";
import { StatusBadge } from "./StatusBadge";
import { DocLink } from "./DocLink";

export interface ChecklistProps {
  items: CheckItem[];
  t: Translate;
  /** Fixes offered; none when the form is read-only. */
  canFix: boolean;
  busyFix?: FixId;
  /** Fixes that cannot run right now, with the reason, already in the user's language. */
  blocked?: Partial<Record<FixId, string>>;
  /** Fixes with their own button elsewhere on the panel: not repeated on the line. */
  fixesElsewhere?: FixId[];
  /** The state is being read again: a fix now would act on what was true before. */
  loading?: boolean;
  onFix: (item: CheckItem) => void;
  /** Shown under a line: the result of its fix, what it changed. */
  extra?: (item: CheckItem) => React.ReactNode;
}

const row = mergeStyles({ padding: "8px 0", borderBottom: `1px solid ${getTheme().semanticColors.bodyDivider}` });

const Line: React.FC<Omit<ChecklistProps, "items"> & { item: CheckItem }> = ({ item, t, canFix, busyFix, blocked, fixesElsewhere, loading, onFix, extra }) => {
  const [open, setOpen] = React.useState(false);
  const detailsId = `mss-check-${item.id.replace(".", "-")}-details`;
  const hasDetails = !!item.detailKey || !!item.error;
  const fix = item.fix && !fixesElsewhere?.includes(item.fix) ? item.fix : undefined;
  const blockedReason = fix ? blocked?.[fix] : undefined;
  return (
    <li className={row} data-check={item.id} data-status={item.status} {...NOTICE_HOME}>
      <Stack horizontal verticalAlign="start" tokens={{ childrenGap: 12 }} wrap>
        <StatusBadge status={item.status} t={t} />
        <Stack grow tokens={{ childrenGap: 4 }} styles={{ root: { minWidth: 200, flexBasis: 0 } }}>
          <Text block styles={{ root: { fontWeight: 600 } }}>
            {t(checkTitleKey(item))}
          </Text>
          <Text>{t(item.messageKey, item.params)}</Text>
          <DocLink checkId={item.id} status={item.status} t={t} />
          {hasDetails && (
            <Link onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={detailsId}>
              {open ? t("Button_HideDetails") : t("Button_ShowDetails")}
            </Link>
          )}
          {open && (
            <div id={detailsId}>
              {item.detailKey && <Text block>{t(item.detailKey, item.params)}</Text>}
              {item.error && (
                <>
                  <Text block>{errorText(t, describeError(item.error, "load"))}</Text>
                  <pre style={{ whiteSpace: "pre-wrap", fontSize: 12, margin: 0 }}>{detailsText(t, describeError(item.error, "load"))}</pre>
                </>
              )}
            </div>
          )}
          {blockedReason && canFix && <Text variant="small">{blockedReason}</Text>}
          {extra?.(item)}
        </Stack>
        {fix && canFix && (
          <DefaultButton
            text={busyFix === fix ? t("Fix_Working") : t(FIXES[fix].labelKey)}
            disabled={busyFix !== undefined || !!blockedReason || loading}
            // The focus stays on the button while it works, instead of falling to the page.
            allowDisabledFocus={busyFix === fix}
            onClick={() => onFix(item)}
            data-fix={fix}
          />
        )}
      </Stack>
    </li>
  );
};

export const Checklist: React.FC<ChecklistProps> = (props) => (
  // While it is read again the old lines stay, faded and marked busy: stale, not gone.
  <ul style={{ listStyle: "none", margin: 0, padding: 0, opacity: props.loading ? 0.5 : 1 }} aria-label={props.t("Checklist_Label")} aria-busy={props.loading || undefined}>
    {props.items.map((item) => (
      <Line key={item.id} item={item} {...props} />
    ))}
  </ul>
);
