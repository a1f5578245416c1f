import * as React from "react";
import { getTheme, mergeStyles, type ITheme } from "@fluentui/react";
import type { CheckStatus } from "../../core/setup/types";
import type { Translate } from "../i18n";

/**
 * Symbol and colour per status; the status word is always there too, so colour is never the only signal.
 * Colours come from the form's Fluent theme (read at render, so a theme loaded later is followed); in the
 * default theme each is at least 4.5:1 on white, as text and as the circle behind the white symbol.
 */
const LOOK: Record<CheckStatus, { symbol: string; color: (theme: ITheme) => string }> = {
  pass: { symbol: "✓", color: (th) => th.semanticColors.successIcon },
  warn: { symbol: "!", color: (th) => th.semanticColors.severeWarningIcon },
  fail: { symbol: "✕", color: (th) => th.semanticColors.errorText },
  unknown: { symbol: "?", color: (th) => th.semanticColors.bodySubtext },
  info: { symbol: "i", color: (th) => th.palette.themeDark },
};

const badge = mergeStyles({ display: "inline-flex", alignItems: "center", gap: 4, minWidth: 96, fontWeight: 600 });
const symbolClass = mergeStyles({ display: "inline-block", width: 18, height: 18, lineHeight: "18px", textAlign: "center", borderRadius: 9 });

export const StatusBadge: React.FC<{ status: CheckStatus; t: Translate }> = ({ status, t }) => {
  const theme = getTheme();
  const color = LOOK[status].color(theme);
  return (
    <span className={badge} style={{ color }} data-status={status}>
      <span className={symbolClass} style={{ background: color, color: theme.semanticColors.bodyBackground }} aria-hidden="true">
        {LOOK[status].symbol}
      </span>
      {t(`Status_${status}`)}
    </span>
  );
};
