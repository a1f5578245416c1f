import * as React from "react";
import { DefaultButton, MessageBar, MessageBarType, Spinner, SpinnerSize, Stack } from "@fluentui/react";
import type { Translate } from "../i18n";
import type { RetryWaits } from "../services/retryWaits";
import { useRetryWaits } from "./useRetryWaits";

export interface BusyNoticeProps {
  store?: RetryWaits;
  t: Translate;
  /** Reads the checklist again: offered on the line that says its reading was cancelled. */
  onCheckAgain?: () => void;
}

/**
 * "Dynamics 365 is busy; retrying in N seconds" with Cancel while a request waits on Retry-After, as
 * Microsoft asks of interactive clients: say the server is busy while retrying, offer to cancel
 * ("Service protection API limits", section "Interactive application re-try", Microsoft Learn).
 * Then what Cancel stopped, until it runs again or is dismissed.
 */
export const BusyNotice: React.FC<BusyNoticeProps> = ({ store, t, onCheckAgain }) => {
  const busy = useRetryWaits(store);
  return (
    <>
      {busy.seconds !== undefined && (
        <div data-busy="retrying">
          <MessageBar messageBarType={MessageBarType.warning} actions={busy.cancellable ? <DefaultButton text={t("Button_Cancel")} onClick={busy.cancel} /> : undefined}>
            {/* Said once when it appears; the count itself is not read out every second. */}
            <span aria-live="off">{t("Busy_Retrying", { count: busy.seconds })}</span>
          </MessageBar>
        </div>
      )}
      {busy.cancelled.map((operation) => (
        <div data-busy="cancelled" key={operation}>
          <MessageBar
            messageBarType={MessageBarType.info}
            isMultiline
            onDismiss={busy.dismissCancelled}
            dismissButtonAriaLabel={t("Button_Dismiss")}
            actions={operation === "load" && onCheckAgain ? <DefaultButton text={t("Button_Refresh")} onClick={onCheckAgain} /> : undefined}
          >
            {t(`Busy_Cancelled_${operation}`)}
          </MessageBar>
        </div>
      ))}
    </>
  );
};

/** Beside the checklist's heading while the checklist is read again: its lines are the old ones. */
export const CheckingLabel: React.FC<{ t: Translate }> = ({ t }) => (
  <Stack horizontal verticalAlign="center" data-busy="checking">
    <Spinner size={SpinnerSize.small} label={t("State_Checking")} labelPosition="right" />
  </Stack>
);
