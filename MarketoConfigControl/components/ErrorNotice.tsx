import * as React from "react";
import { Link, MessageBar, MessageBarType, Text } from "@fluentui/react";
import type { ErrorMessage } from "../../core/setup/messages";
import { errorText, type Translate } from "../i18n";

/** Ids for the details' aria-controls: unique on the page, the same for a notice's whole life. */
let noticeCount = 0;

/** A plain sentence in the user's language; the raw status, code and message behind a toggle. */
export const ErrorNotice: React.FC<{ error: ErrorMessage; t: Translate; onDismiss?: () => void }> = ({ error, t, onDismiss }) => {
  const [open, setOpen] = React.useState(false);
  const [id] = React.useState(() => `mss-error-${++noticeCount}`);
  return (
    <MessageBar messageBarType={error.key === "Error_publishBusy" ? MessageBarType.warning : MessageBarType.error} isMultiline onDismiss={onDismiss} dismissButtonAriaLabel={t("Button_Dismiss")}>
      <Text block>{errorText(t, error)}</Text>
      <Link onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={id}>
        {open ? t("Button_HideDetails") : t("Button_ShowDetails")}
      </Link>
      {open && (
        <pre id={id} style={{ whiteSpace: "pre-wrap", margin: "4px 0 0", fontSize: 12 }}>
          {error.details}
        </pre>
      )}
    </MessageBar>
  );
};
