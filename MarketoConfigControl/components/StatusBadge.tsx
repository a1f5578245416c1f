import * as React from "react";
import { mergeStyles } from "@fluentui/react";
import type { CheckStatus } from "../../core/setup/types";
import type { Translate } from "../i18n";

/** Symbol and colour per status; the status word is always there too, so colour is never the only signal. */
const LOOK: Record<CheckStatus, { symbol: string; color: string }> = {
  pass: { symbol: "✓", color: "#107c10" },
  warn: { symbol: "!", color: "#8a5d00" },
  fail: { symbol: "✕", color: "#a4262c" },
  unknown: { symbol: "?", color: "#605e5c" },
  info: { symbol: "i", color: "#005a9e" },
};

const badge = mergeStyles({ display: "inline-flex", alignItems: "center", gap: 4, minWidth: 96, fontWeight: 600 });
const symbolClass = mergeStyles({ display: "inline-block", width: 18, height: 18, lineHeight: "18px", textAlign: "center", borderRadius: 9, color: "#fff" });

export const StatusBadge: React.FC<{ status: CheckStatus; t: Translate }> = ({ status, t }) => (
  <span className={badge} style={{ color: LOOK[status].color }} data-status={status}>
    <span className={symbolClass} style={{ background: LOOK[status].color }} aria-hidden="true">
      {LOOK[status].symbol}
    </span>
    {t(`Status_${status}`)}
  </span>
);
