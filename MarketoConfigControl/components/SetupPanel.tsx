import * as React from "react";
import { DefaultButton, MessageBar, MessageBarType, Shimmer, Stack, Text } from "@fluentui/react";
import { attentionCount, overallStatus } from "../../core/setup/evaluate";
import { FIXES, NAMING_FIXES, type SafeFix } from "../../core/setup/fixes";
import type { SetupService } from "../../core/setup/service";
import { planFixes, publishHold } from "../../core/setup/plan";
import { blockedFixes } from "../../core/setup/privileges";
import type { CheckItem, ConfigRecordRef, FixId, SetupInput } from "../../core/setup/types";
import type { Translate } from "../i18n";
import type { FieldLock } from "../services/host";
import type { RetryWaits } from "../services/retryWaits";
import { BusyNotice, CheckingLabel } from "./BusyNotice";
import { Checklist } from "./Checklist";
import { ConfirmRoleDialog } from "./ConfirmRoleDialog";
import { ConnectionDetails } from "./ConnectionDetails";
import { CopyReport } from "./CopyReport";
import { CreateAppUser } from "./CreateAppUser";
import { ErrorNotice, ResultNotice } from "./ErrorNotice";
import { FixEverything, FixEverythingDialog, stoppedText } from "./FixEverything";
import { PublishSection } from "./PublishSection";
import { useSetup } from "./useSetup";
import type { NoticePlace } from "./setupReducer";
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
  /** Why the field is read-only (services/host.ts fieldLock): said to the admin; the fixes that leave the field alone stay. */
  fieldLock?: FieldLock | null;
  roleName: string;
  solutionName: string;
  /** Changes when the platform says the bound value or the record changed (e.g. after a save). */
  refreshKey: number;
  /** Requests waiting on Dynamics' Retry-After: the busy notice and its Cancel. */
  retryWaits?: RetryWaits;
  clientUrl: string;
  onUserChange: (user: PickedUser | null) => void;
  /** The saved Marketo User each load reads (null: none), so the host knows when the form holds an unsaved change. */
  onSavedUser?: (id: string | null) => void;
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
  const { onSavedUser } = props;
  React.useEffect(() => {
    if (saved !== undefined) onSavedUser?.(saved?.toLowerCase() ?? null);
  }, [saved, onSavedUser]);

  const summary = React.useMemo(() => (items ? summaryText(items, t) : undefined), [items, t]);
  React.useEffect(() => {
    if (summary && !view.loading) announce(summary);
  }, [summary, view.loading, announce]);

  function onFix(item: CheckItem) {
    if (!state || !item.fix) return;
    // A dialog's Cancel gives the focus back to the button that opened it (Fluent's focus trap).
    if (item.fix === "pickUser") focusPicker.current?.();
    else if (NAMING_FIXES.has(item.fix)) actions.requestConfirm({ fix: item.fix as SafeFix, checkId: item.id, users: item.affectedUsers ?? [], teams: item.affectedTeams });
    else if (item.fix !== "createAppUser") actions.runFix({ fix: item.fix, checkId: item.id }, state);
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
  // The unsaved choice is the form's, newer than the state's; an empty saved Marketo User is the state's.
  const hold = dirty ? "unsaved" : state && publishHold(state);
  const heldBy = hold ? t(hold === "unsaved" ? "Publish_HeldUnsaved" : "Publish_HeldNoUser") : blocked.publish;
  const plan = React.useMemo(() => (state && items ? planFixes(state, items) : undefined), [state, items]);
  const run = actions.run;
  const busy = !!busyFix || (phase !== undefined && phase !== "done") || view.loading;

  /** The last result, where it belongs; a stopped Fix everything says what it did and did not do. */
  const noticeAt = (place: NoticePlace) =>
    actions.notice?.place === place && (
      <ResultNotice key={actions.notice.id} notice={actions.notice} t={t} onDismiss={actions.dismissNotice}>
        {place === "fixAll" && run?.failed && state && <Text block>{stoppedText(run, state, t)}</Text>}
      </ResultNotice>
    );
  const createAppUser = (clientId = "") =>
    !readOnly && <CreateAppUser service={service} t={t} roleName={roleName} clientId={clientId} blockedReason={blocked.createAppUser} onPicked={props.onUserChange} />;
  const lineExtra = (item: CheckItem) => (
    <>
      {/* No Marketo User yet: it may not exist yet either. */}
      {item.id === "user.selected" && item.fix === "pickUser" && createAppUser()}
      {/* Publish's result shows beside its own button, in the Publish section, not twice. */}
      {item.id !== "publish" && noticeAt(item.id)}
      {item.id === "role.exclusive" && actions.removals.length > 0 && (
        <ul aria-label={t("Removed_Label")} data-removals style={{ margin: 0, paddingLeft: 20 }}>
          {actions.removals.map((r) => (
            <li key={r.at}>
              <Text variant="small">{t("Removed_Record", { time: formatTime(r.at), names: r.names.join(", "), role: roleName })}</Text>
            </li>
          ))}
        </ul>
      )}
    </>
  );

  return (
    <Stack tokens={{ childrenGap: 4 }} styles={{ root: { maxWidth: 960 } }} className="mss-setup-panel">
      <div id="mss-announcer" aria-live="polite" role="status" style={{ position: "absolute", left: -10000, width: 1, height: 1, overflow: "hidden" }}>
        {actions.announcement}
      </div>

      <Section title={t("Section_User")}>
        <UserPicker
          service={service}
          t={t}
          roleName={roleName}
          value={user}
          readOnly={readOnly}
          onChange={props.onUserChange}
          onBrowse={() => void browse()}
          focusRef={focusPicker}
          createAppUser={createAppUser}
        />
        {readOnly && <Text variant="small">{t(props.fieldLock === "fieldSecurity" ? "State_FieldSecured" : "State_ReadOnly")}</Text>}
      </Section>

      {!config && <MessageBar messageBarType={MessageBarType.info}>{t("State_NewRecord")}</MessageBar>}
      {dirty && (
        <MessageBar messageBarType={MessageBarType.warning} isMultiline>
          {t("State_Unsaved")}
        </MessageBar>
      )}
      {view.error && <ErrorNotice error={view.error} t={t} />}
      <BusyNotice store={props.retryWaits} t={t} onCheckAgain={view.reload} />

      {config && (
        <Section
          title={t("Section_Checklist")}
          action={
            <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 12 }}>
              {view.loading && items && <CheckingLabel t={t} />}
              <CopyReport state={state} items={view.items} t={t} locale={props.locale} formatTime={formatTime} clientUrl={props.clientUrl} copy={props.copy} announce={announce} />
              <DefaultButton text={t("Button_Refresh")} onClick={view.reload} disabled={view.loading} />
            </Stack>
          }
        >
          {items ? (
            <>
              <Text block>{summary}</Text>
              {plan && state && (
                <FixEverything plan={plan} setup={state} blocked={blocked} t={t} busy={busy} run={run} onStart={() => actions.requestPlan(plan)}>
                  {noticeAt("fixAll")}
                </FixEverything>
              )}
              <Checklist
                items={items}
                t={t}
                canFix
                busyFix={busyFix}
                blocked={blocked}
                fixesElsewhere={readOnly ? ["publish", "pickUser"] : ["publish"]}
                loading={view.loading}
                onFix={onFix}
                extra={lineExtra}
              />
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

      {config && (
        <Section title={t("Section_Publish")}>
          <PublishSection
            t={t}
            phase={phase}
            publishedAt={formatTime(publishLog.lastPublishAt)}
            heldBy={heldBy}
            canPublish={!!state && !busyFix && !view.loading}
            onPublish={() => state && actions.publish(state)}
            notice={noticeAt("publish")}
          />
        </Section>
      )}

      {config && (
        <Section title={t("Section_Connection")}>
          <ConnectionDetails
            t={t}
            copy={props.copy}
            announce={announce}
            syncUser={chosen && { id: chosen.id, name: chosen.fullName }}
            clientUrl={props.clientUrl}
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

      <ConfirmRoleDialog step={actions.confirmStep} roleName={roleName} t={t} onConfirm={() => actions.closeConfirm(true, state)} onCancel={() => actions.closeConfirm(false, state)} />
      <FixEverythingDialog plan={actions.confirmPlan} setup={state} blocked={blocked} t={t} onConfirm={() => actions.closePlan(true, state)} onCancel={() => actions.closePlan(false, state)} />
    </Stack>
  );
};
