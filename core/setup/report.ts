/**
 * The checklist as a report for a ticket or for Marketo support: plain text in the admin's language,
 * and JSON for tools (the CLI writes the same). Pure: the caller gives the times, nothing is read here.
 *
 * No secret can get in: the report is built field by field from the state, which holds no credential
 * (the client secret never reaches Dynamics), and errors keep their kind, status and code only.
 */
import type { Translate } from "../i18n/translate";
import { checkDocUrl } from "./docLinks";
import { attentionCount, checkTitleKey, disabledRoleHolders, latest, otherRoleHolders, otherRoleTeams, overallStatus } from "./evaluate";
import { userRecordUrl } from "./recordUrl";
import { EXCLUSIVE_ROLE_FROM_VERSION } from "./version";
import type { CheckId, CheckItem, CheckStatus, FixId, SetupState } from "./types";

/** Raised when a field changes meaning or is removed; adding a field keeps the version. */
export const REPORT_SCHEMA_VERSION = 1;

export interface ReportOptions {
  /** ISO time the checklist was read. */
  checkedAt: string;
  /** The organisation URL the admin works in (getClientUrl in the control, --url in the CLI). */
  clientUrl?: string;
  /** The admin's language (BCP 47): picks the language of the documentation links. */
  locale?: string;
  /** How times read in the text; the JSON keeps ISO 8601. */
  formatTime?: (iso: string) => string | undefined;
}

export interface ReportCheck {
  id: CheckId;
  status: CheckStatus;
  title: string;
  message: string;
  fix?: FixId;
  /** Adobe's page for a failed or warned check. */
  docUrl?: string;
  /** What the check judged, as ids and versions (stable across languages). */
  data: Record<string, unknown>;
  /** Why the check is unknown: the read that failed. */
  error?: { kind: string; status: number; code?: string };
}

export interface ReportJson {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  checkedAt: string;
  overall: "pass" | "warn" | "fail";
  organization: { name?: string; uniqueName?: string; url?: string; organizationServiceUrl?: string; organizationId?: string; tenantId?: string };
  /** null: the solution is not installed; absent: it could not be read. */
  solution?: { uniqueName: string; name: string; version: string; managed: boolean; installedOn?: string } | null;
  publish: { lastPublishedAt?: string; lastPublishJobAt?: string; lastPublishHereAt?: string; lastChangeHereAt?: string };
  /** The Marketo User on the form (saved or not); null when none is picked. */
  marketoUser: { id: string; name?: string; email?: string; clientId?: string; saved: boolean; recordUrl?: string } | null;
  /** The Marketo User stored on the record; absent when it could not be read. */
  savedMarketoUserId?: string | null;
  roleName: string;
  checks: ReportCheck[];
}

/** Unknown values are left undefined: JSON.stringify leaves them out. */
export interface SetupReport {
  text: string;
  json: string;
  data: ReportJson;
}

const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);

function checkData(id: CheckId, s: SetupState): Record<string, unknown> {
  const chosen = s.chosenUser?.ok ? s.chosenUser.value : undefined;
  switch (id) {
    case "solution.installed":
      return s.solution.ok && s.solution.value ? { uniqueName: s.solution.value.uniqueName, version: s.solution.value.version } : {};
    case "solution.steps":
      return s.steps.ok ? { stepIds: ids(s.steps.value), disabledStepIds: ids(s.steps.value.filter((x) => !x.enabled)) } : {};
    case "user.selected":
    case "user.credentials":
      return { chosenUserId: s.input.chosenUserId ?? null, savedUserId: s.savedUserId.ok ? s.savedUserId.value : undefined, signedInUserId: id === "user.credentials" ? s.currentUserId : undefined };
    case "user.enabled":
      return chosen ? { userId: chosen.id, disabled: chosen.isDisabled } : {};
    case "user.application":
      return chosen ? { userId: chosen.id, clientId: chosen.applicationId ?? null } : {};
    case "user.role":
      return { roleIds: s.roles.ok ? ids(s.roles.value) : undefined, userRoleIds: chosen?.directRoleIds, viaTeams: chosen?.roleTeams };
    case "role.exclusive":
      return {
        solutionVersion: s.solution.ok ? s.solution.value?.version : undefined,
        exclusiveFromVersion: EXCLUSIVE_ROLE_FROM_VERSION,
        otherHolderIds: s.roles.ok ? ids(otherRoleHolders(s)) : undefined,
        otherTeamIds: s.roleTeams?.ok ? ids(otherRoleTeams(s)) : undefined,
        usersWithoutRoleIds: s.usersWithoutRole?.ok ? ids(s.usersWithoutRole.value) : undefined,
      };
    case "role.disabledHolders":
      return { disabledHolderIds: s.roles.ok ? ids(disabledRoleHolders(s)) : undefined };
    case "user.configRead":
      return { readable: s.configReadable?.ok ? s.configReadable.value : undefined };
    case "publish":
      return { lastPublishJobAt: s.lastPublishJobAt, lastPublishHereAt: s.input.publishLog?.lastPublishAt, lastChangeHereAt: s.input.publishLog?.lastChangeAt, recordModifiedOn: s.configModifiedOn };
    case "filter.field":
      return { tables: Object.fromEntries(Object.entries(s.syncFilter).map(([table, f]) => [table, f.ok ? f.value : null])) };
  }
}

export function buildReport(state: SetupState, items: CheckItem[], t: Translate, options: ReportOptions): SetupReport {
  // A time already formatted (items as a checklist shows them) is left as it is.
  const time = (iso: string | undefined) => (iso ? (!Number.isNaN(Date.parse(iso)) && options.formatTime?.(iso)) || iso : undefined);
  const org = state.organization.ok ? state.organization.value : undefined;
  const sol = state.solution.ok ? state.solution.value : undefined;
  const chosen = state.chosenUser?.ok ? state.chosenUser.value : undefined;
  const savedId = state.savedUserId.ok ? state.savedUserId.value : undefined;
  const chosenId = state.input.chosenUserId ?? null;
  const url = (org?.webApplicationUrl ?? options.clientUrl)?.replace(/\/+$/, "");
  const lastPublishedAt = latest(state.lastPublishJobAt, state.input.publishLog?.lastPublishAt);

  const checks: ReportCheck[] = items.map((item) => {
    const attention = item.status === "fail" || item.status === "warn";
    const docUrl = attention ? checkDocUrl(item.id, options.locale) : undefined;
    // The checklist shows times in the admin's format; the text does too.
    const params = item.params.time ? { ...item.params, time: time(String(item.params.time)) ?? "" } : item.params;
    return {
      id: item.id,
      status: item.status,
      title: t(checkTitleKey(item)),
      message: t(item.messageKey, params),
      ...(item.fix ? { fix: item.fix } : {}),
      ...(docUrl ? { docUrl } : {}),
      data: checkData(item.id, state),
      ...(item.error ? { error: { kind: item.error.kind, status: item.error.status, code: item.error.code } } : {}),
    };
  });

  const data: ReportJson = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    checkedAt: options.checkedAt,
    overall: overallStatus(items),
    organization: { name: org?.friendlyName, uniqueName: org?.uniqueName, url, organizationServiceUrl: org?.organizationServiceUrl, organizationId: org?.organizationId, tenantId: org?.tenantId },
    ...(state.solution.ok ? { solution: sol ? { uniqueName: sol.uniqueName, name: sol.friendlyName, version: sol.version, managed: sol.isManaged, installedOn: sol.installedOn } : null } : {}),
    publish: { lastPublishedAt, lastPublishJobAt: state.lastPublishJobAt, lastPublishHereAt: state.input.publishLog?.lastPublishAt, lastChangeHereAt: state.input.publishLog?.lastChangeAt },
    marketoUser: chosenId
      ? {
          id: chosenId,
          name: chosen?.fullName,
          email: chosen?.email,
          clientId: chosen?.applicationId,
          saved: !!savedId && savedId.toLowerCase() === chosenId.toLowerCase(),
          recordUrl: userRecordUrl(options.clientUrl ?? url, chosenId),
        }
      : null,
    ...(savedId !== undefined ? { savedMarketoUserId: savedId } : {}),
    roleName: state.input.roleName,
    checks,
  };

  return { text: reportText(data, items, t, time), json: JSON.stringify(data, null, 2), data };
}

function reportText(r: ReportJson, items: CheckItem[], t: Translate, time: (iso: string | undefined) => string | undefined): string {
  const notKnown = t("Report_NotKnown");
  const org = r.organization;
  const orgLine = [org.name ?? org.uniqueName, org.url].filter(Boolean).join(" — ") || notKnown;
  const solution = r.solution === undefined ? notKnown : r.solution === null ? t("Report_SolutionMissing") : `${r.solution.name} ${r.solution.version}`;
  const u = r.marketoUser;
  const user = u
    ? `${u.name ?? u.id} (${[`${t("Report_UserId")} ${u.id}`, u.clientId ? `${t("Report_ClientId")} ${u.clientId}` : undefined].filter(Boolean).join(", ")})${u.saved ? "" : ` ${t("Report_Unsaved")}`}`
    : t("Report_None");
  // "Label: value" in English, "Libellé : valeur" in French.
  const field = (labelKey: string, value: string | undefined) => t("Report_Field", { label: t(labelKey), value: value ?? notKnown });
  const lines = [
    t("Report_Title"),
    "",
    field("Report_Organization", orgLine),
    ...(org.organizationId ? [field("Report_OrgId", org.organizationId)] : []),
    field("Report_Solution", solution),
    field("Report_CheckedAt", time(r.checkedAt)),
    field("Report_LastPublish", time(r.publish.lastPublishedAt)),
    field("Report_MarketoUser", user),
    "",
    r.overall === "pass" ? t("Summary_AllPass") : t("Summary_Attention", { count: attentionCount(items) }),
    "",
  ];
  for (const c of r.checks) {
    lines.push(`[${t(`Status_${c.status}`)}] ${t("Report_Field", { label: c.title, value: c.message })}`);
    if (c.error) lines.push(`    ${field("Report_Error", [c.error.status, c.error.code, c.error.kind].filter(Boolean).join(" "))}`);
    if (c.docUrl) lines.push(`    ${field("Report_Doc", c.docUrl)}`);
  }
  return lines.join("\n");
}
