import * as React from "react";
import { MessageBar, MessageBarType, PrimaryButton, ProgressIndicator, Stack, Text } from "@fluentui/react";
import type { PublishPhase } from "../../core/setup/actions";
import type { Translate } from "../i18n";
import { NOTICE_HOME } from "./ErrorNotice";

export interface PublishSectionProps {
  t: Translate;
  phase?: PublishPhase;
  /** Time of the last publish made here, already formatted. */
  publishedAt?: string;
  /** Why publishing must wait, if it must, in the user's language. */
  heldBy?: string;
  canPublish: boolean;
  onPublish: () => void;
  /** The publish's own result when it is shown here (a ResultNotice): then the standing "published at" waits. */
  notice?: React.ReactNode;
}

export const PublishSection: React.FC<PublishSectionProps> = ({ t, phase, publishedAt, heldBy, canPublish, onPublish, notice }) => {
  const running = phase !== undefined && phase !== "done";
  const waiting = phase === "waitingForOther";
  return (
    <Stack tokens={{ childrenGap: 8 }} {...NOTICE_HOME}>
      <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 12 }} wrap>
        <PrimaryButton
          text={t("Publish_Button")}
          disabled={!canPublish || running || !!heldBy}
          // Publishing, the focus stays on the button instead of falling to the page.
          allowDisabledFocus={running}
          onClick={onPublish}
          data-action="publish"
        />
        {heldBy && <Text>{heldBy}</Text>}
      </Stack>
      {running && (
        <ProgressIndicator
          // Dataverse runs one solution import or publish at a time: ours waits for the other (actions.ts publishAll).
          label={t(waiting ? "Publish_WaitingForLock" : "Publish_Running")}
          description={t(waiting ? "Publish_WaitingForLockHint" : "Publish_RunningHint")}
          ariaValueText={t("Publish_Running")}
        />
      )}
      {notice}
      {!running && !notice && publishedAt && <MessageBar messageBarType={MessageBarType.success}>{t("Publish_Done", { time: publishedAt })}</MessageBar>}
    </Stack>
  );
};
