import * as React from "react";
import { Link, MessageBar, MessageBarType, Text } from "@fluentui/react";
import type { ErrorMessage } from "../../core/setup/messages";
import { detailsText, errorText, type Translate } from "../i18n";
import type { ActionNotice } from "./setupReducer";

/** Ids for the details' aria-controls: unique on the page, the same for a notice's whole life. */
let noticeCount = 0;

/** A plain sentence in the user's language; the raw status, code and message behind a toggle. */
export const ErrorNotice: React.FC<{ error: ErrorMessage; t: Translate; onDismiss?: () => void }> = ({ error, t, onDismiss, children }) => {
  const [open, setOpen] = React.useState(false);
  const [id] = React.useState(() => `mss-error-${++noticeCount}`);
  return (
    <MessageBar messageBarType={error.key === "Error_publishBusy" ? MessageBarType.warning : MessageBarType.error} isMultiline onDismiss={onDismiss} dismissButtonAriaLabel={t("Button_Dismiss")}>
      <Text block>{errorText(t, error)}</Text>
      {children}
      <Link onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={id}>
        {open ? t("Button_HideDetails") : t("Button_ShowDetails")}
      </Link>
      {open && (
        <pre id={id} style={{ whiteSpace: "pre-wrap", margin: "4px 0 0", fontSize: 12 }}>
          {detailsText(t, error)}
        </pre>
      )}
    </MessageBar>
  );
};

/** Marks what a notice belongs to (a checklist line, a section): dismissing it gives the focus back there. */
export const NOTICE_HOME = { "data-notice-home": true, tabIndex: -1 };

/**
 * The result of what the admin clicked, shown next to it: scrolled into view and given the focus
 * when it appears (render it with `key={notice.id}`), so a result far from the top is never missed.
 */
export const ResultNotice: React.FC<{ notice: ActionNotice; t: Translate; onDismiss: () => void }> = ({ notice, t, onDismiss, children }) => {
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    ref.current?.scrollIntoView?.({ block: "nearest" });
    ref.current?.focus({ preventScroll: true });
  }, []);
  const dismiss = () => {
    ref.current?.parentElement?.closest<HTMLElement>("[data-notice-home]")?.focus();
    onDismiss();
  };
  return (
    <div ref={ref} tabIndex={-1} data-notice={notice.error ? "error" : "done"}>
      {notice.error ? (
        <ErrorNotice error={notice.error} t={t} onDismiss={dismiss}>
          {children}
        </ErrorNotice>
      ) : (
        <MessageBar messageBarType={MessageBarType.success} isMultiline onDismiss={dismiss} dismissButtonAriaLabel={t("Button_Dismiss")}>
          {notice.text}
          {children}
        </MessageBar>
      )}
    </div>
  );
};
