import * as React from "react";
import { DefaultButton, MessageBar, MessageBarType, Shimmer, Stack, Text } from "@fluentui/react";
import { attentionCount, overallStatus } from "../../core/setup/evaluate";
import { FIXES } from "../../core/setup/fixes";
import type { SetupService } from "../../core/setup/service";
import { blockedFixes } from "../../core/setup/privileges";
import type { CheckItem, ConfigRecordRef, FixId, SetupInput } from "../../core/setup/types";
import type { Translate } from "../i18n";
import { Checklist } from "./Checklist";
import { ConfirmRemoveDialog } from "./ConfirmRemoveDialog";
import { ConnectionDetails } from "./ConnectionDetails";
import { ErrorNotice } from "./ErrorNotice";
import { PublishSection } from "./PublishSection";
import { useSetup } from "./useSetup";
import { useSetupActions } from "./useSetupActions";
import { UserPicker, type PickedUser } from "./UserPicker";

export interface SetupPanelProps {
  service: SetupService;
  t: Translate;
  locale: string;
  /** null on a new record that has not been saved yet. */
  config: ConfigRecordRef | null;
  /** The Marketo User on the form right now (saved or not). */
  user: PickedUser | null;
  readOnly: boolean;
  roleName: string;
  solutionName: string;
  /** Changes when the platform says the bound value or the record changed (e.g. after a save). */
  refreshKey: number;
  clientUrl: string;
  onUserChange: (user: PickedUser | null) => void;
  onBrowse: () => Promise<PickedUser | null>;
  copy: (text: string) => Promise<boolean>;
}

const section = { root: { padding: "12px 0" } };
const heading = { root: { fontWeight: 600 as const, margin: "0 0 8px" } };

/** A titled part of the panel; `action` sits on the heading's line. */
const Section: React.FC<{ title: string; action?: React.ReactNode }> = ({ title, action, children }) => {
  const h2 = (
    <Text as="h2" variant="large" styles={heading}>
      {title}
    </Text>
  );
  return (
    <Stack styles={section}>
      {action ? (
        <Stack horizontal horizontalAlign="space-between" verticalAlign="center" wrap>
          {h2}
          {action}
        </Stack>
      ) : (
        h2
      )}
      {children}
    </Stack>
  );
};

const summaryText = (items: CheckItem[], t: Translate) => (overallStatus(items) === "pass" ? t("Summary_AllPass") : t("Summary_Attention", { count: attentionCount(items) }));

export const SetupPanel: React.FC<SetupPanelProps> = (props) => {
  const { service, t, config, user, readOnly, roleName, solutionName } = props;
  const focusPicker = React.useRef<() => void>();
  const removeButtonFocus = React.useRef<HTMLElement | null>(null);

  const formatTime = React.useCallback((iso?: string) => (iso ? new Intl.DateTimeFormat(props.locale, { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso)) : undefined), [props.locale]);
  const actions = useSetupActions({ service, t, formatTime: (iso) => formatTime(iso) ?? "" });
  const { publishLog, busyFix, phase, announce, reloadRequests } = actions;

  const input: SetupInput | null = React.useMemo(
    () => (config ? { config, chosenUserId: user?.id ?? null, roleName, solutionName, publishLog } : null),
    [config, user?.id, roleName, solutionName, publishLog],
  );
  const view = useSetup(service, input, props.refreshKey);
  // After a failed fix, what is true now is not known: read it again.
  const { reload } = view;
  React.useEffect(() => {
    if (reloadRequests) reload();
  }, [reloadRequests, reload]);
  const state = view.state;
  const items = React.useMemo(() => view.items?.map((i) => (i.params.time ? { ...i, params: { ...i.params, time: formatTime(String(i.params.time)) ?? "" } } : i)), [view.items, formatTime]);

  const saved = state?.savedUserId.ok ? (state.savedUserId.value ?? null) : undefined;
  const dirty = saved !== undefined && (saved?.toLowerCase() ?? null) !== (user?.id.toLowerCase() ?? null);

  const summary = React.useMemo(() => (items ? summaryText(items, t) : undefined), [items, t]);
  React.useEffect(() => {
    if (summary && !view.loading) announce(summary);
  }, [summary, view.loading, announce]);

  function onFix(item: CheckItem) {
    if (!state) return;
    switch (item.fix) {
      case "pickUser":
        focusPicker.current?.();
        break;
      case "assignRole":
      case "enableSteps":
        actions.runFix(item.fix, state);
        break;
      case "removeRoleFromOthers":
        removeButtonFocus.current = document.activeElement as HTMLElement | null;
        actions.requestRemoval(item.affectedUsers ?? []);
        break;
      case "publish":
        actions.publish();
        break;
    }
  }

  function closeConfirm(confirmed: boolean) {
    // Cancelled, focus returns to the button that opened the dialog.
    if (!actions.closeRemoval(confirmed, state)) removeButtonFocus.current?.focus();
  }

  async function browse() {
    const picked = await props.onBrowse().catch(() => null);
    if (picked) props.onUserChange(picked);
  }

  const chosen = state?.chosenUser?.ok ? state.chosenUser.value : undefined;
  const org = state?.organization.ok ? state.organization.value : undefined;
  // Said before the click: a fix the admin's roles do not allow is disabled with what it needs.
  const blocked = React.useMemo(() => {
    const reasons: Partial<Record<FixId, string>> = {};
    if (!state) return reasons;
    for (const [fix, missing] of Object.entries(blockedFixes(state)) as Array<[FixId, string[]]>) {
      reasons[fix] = `${t("Blocked_Privilege", { privileges: missing.join(", ") })} ${t(`Privilege_${FIXES[fix].operation}`)}`;
    }
    return reasons;
  }, [state, t]);
  const heldBy = dirty ? t("Publish_HeldUnsaved") : blocked.publish;

  return (
    <Stack tokens={{ childrenGap: 4 }} styles={{ root: { maxWidth: 960 } }} className="mss-setup-panel">
      <div id="mss-announcer" aria-live="polite" role="status" style={{ position: "absolute", left: -10000, width: 1, height: 1, overflow: "hidden" }}>
        {actions.announcement}
      </div>

      <Section title={t("Section_User")}>
        <UserPicker service={service} t={t} roleName={roleName} value={user} readOnly={readOnly} onChange={props.onUserChange} onBrowse={() => void browse()} focusRef={focusPicker} />
        {readOnly && <Text variant="small">{t("State_ReadOnly")}</Text>}
      </Section>

      {!config && <MessageBar messageBarType={MessageBarType.info}>{t("State_NewRecord")}</MessageBar>}
      {dirty && (
        <MessageBar messageBarType={MessageBarType.warning} isMultiline>
          {t("State_Unsaved")}
        </MessageBar>
      )}
      {view.error && <ErrorNotice error={view.error} t={t} />}
      {actions.error && <ErrorNotice error={actions.error} t={t} onDismiss={actions.dismissError} />}

      {config && (
        <Section title={t("Section_Checklist")} action={<DefaultButton text={t("Button_Refresh")} onClick={view.reload} disabled={view.loading} />}>
          {items ? (
            <>
              <Text block>{summary}</Text>
              <Checklist items={items} t={t} canFix={!readOnly} busyFix={busyFix} blocked={blocked} fixesElsewhere={["publish"]} loading={view.loading} onFix={onFix} />
            </>
          ) : (
            view.loading && (
              <Stack tokens={{ childrenGap: 12 }} aria-busy="true" aria-label={t("State_Loading")}>
                {Array.from({ length: 6 }, (_, i) => (
                  <Shimmer key={i} width={`${90 - i * 6}%`} />
                ))}
              </Stack>
            )
          )}
        </Section>
      )}

      {config && !readOnly && (
        <Section title={t("Section_Publish")}>
          <PublishSection t={t} phase={phase} publishedAt={formatTime(publishLog.lastPublishAt)} heldBy={heldBy} canPublish={!busyFix && !view.loading} onPublish={actions.publish} />
        </Section>
      )}

      {config && (
        <Section title={t("Section_Connection")}>
          <ConnectionDetails
            t={t}
            copy={props.copy}
            announce={announce}
            values={[
              { labelKey: "Connection_OrgUrl", value: (org?.webApplicationUrl ?? props.clientUrl).replace(/\/+$/, "") },
              { labelKey: "Connection_OrgServiceUrl", value: org?.organizationServiceUrl },
              { labelKey: "Connection_TenantId", value: org?.tenantId },
              { labelKey: "Connection_ClientId", value: chosen?.applicationId },
              { labelKey: "Connection_Username", value: chosen?.email },
            ]}
          />
        </Section>
      )}

      <ConfirmRemoveDialog users={actions.confirmUsers} roleName={roleName} t={t} onConfirm={() => closeConfirm(true)} onCancel={() => closeConfirm(false)} />
    </Stack>
  );
};
