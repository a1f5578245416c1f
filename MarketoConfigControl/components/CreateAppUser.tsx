/**
 * "Create the application user": from an app registration's Client ID, creates the application user
 * in a business unit, gives it that unit's copy of the sync role and picks it as the Marketo User
 * (the admin saves the form as usual). Its result shows beside its button and takes the focus, like
 * the checklist's fixes; a refusal offers what to do next (pick or enable the existing user, assign
 * the role again) without ever creating a second user.
 */
import * as React from "react";
import { ComboBox, DefaultButton, PrimaryButton, Spinner, SpinnerSize, Stack, TextField } from "@fluentui/react";
import { isGuid } from "../../core/dataverse/odata";
import { SetupActionError } from "../../core/setup/actions";
import { BUSINESS_UNIT_PAGE, type BusinessUnit } from "../../core/setup/applicationUser";
import { describeError } from "../../core/setup/messages";
import type { SetupService } from "../../core/setup/service";
import type { UserInfo } from "../../core/setup/types";
import type { Translate } from "../i18n";
import { ErrorNotice, ResultNotice } from "./ErrorNotice";
import type { ActionNotice } from "./setupReducer";
import type { PickedUser } from "./UserPicker";

export interface CreateAppUserProps {
  service: SetupService;
  t: Translate;
  roleName: string;
  /** Pre-filled Client ID (the GUID searched for). */
  clientId?: string;
  /** Why the admin cannot do it (missing privileges), already in their language. */
  blockedReason?: string;
  onPicked: (user: PickedUser) => void;
}

/** What the last refusal offers: the user it is about, and what to do with it. */
type Offer = { kind: "pick" | "enable" | "retryRole"; user: UserInfo; businessUnitId: string };

let noticeId = 0;

export const CreateAppUser: React.FC<CreateAppUserProps> = ({ service, t, roleName, clientId: initial = "", blockedReason, onPicked }) => {
  const [open, setOpen] = React.useState(false);
  const [clientId, setClientId] = React.useState(initial);
  const [units, setUnits] = React.useState<BusinessUnit[]>();
  const [unitsError, setUnitsError] = React.useState<ReturnType<typeof describeError>>();
  const [unitId, setUnitId] = React.useState<string>();
  const [busy, setBusy] = React.useState(false);
  const [notice, setNotice] = React.useState<ActionNotice & { offer?: Offer }>();
  const [badId, setBadId] = React.useState(false);
  const firstField = React.useRef<{ focus: () => void } | null>(null);

  // A new GUID searched for: the form follows it (set while rendering, as React advises for state that follows a prop).
  const [initialSeen, setInitialSeen] = React.useState(initial);
  if (initialSeen !== initial) {
    setInitialSeen(initial);
    setClientId(initial);
  }
  // Typed in the business unit box when the first page did not hold them all: searched on the server.
  const [unitQuery, setUnitQuery] = React.useState("");
  React.useEffect(() => {
    if (open) firstField.current?.focus();
  }, [open]);
  React.useEffect(() => {
    if (!open) return undefined;
    const controller = new AbortController();
    service.searchBusinessUnits(unitQuery, controller.signal).then(
      (list) => {
        if (controller.signal.aborted) return;
        setUnits((old = []) => [...old, ...list.filter((u) => !old.some((o) => o.id === u.id))]);
        // The root business unit is the default home of a new user.
        setUnitId((id) => id ?? list.find((u) => u.isRoot)?.id ?? list[0]?.id);
      },
      (e) => !controller.signal.aborted && setUnitsError(describeError(e, "createAppUser")),
    );
    return () => controller.abort();
  }, [open, service, unitQuery]);

  const unitName = (id: string) => units?.find((u) => u.id === id)?.name ?? "";
  const show = (n: Omit<ActionNotice, "id" | "place"> & { offer?: Offer }) => setNotice({ ...n, id: ++noticeId, place: "user.selected" });
  const fail = (e: unknown, businessUnitId: string) => {
    const user = e instanceof SetupActionError ? e.user : undefined;
    const kind = e instanceof SetupActionError ? ({ appUserExists: "pick", appUserDisabled: "enable", appUserRoleNotAssigned: "retryRole" } as const)[e.key as "appUserExists"] : undefined;
    show({ error: describeError(e, "createAppUser"), offer: user && kind ? { kind, user, businessUnitId } : undefined });
  };
  const pickWith = (user: UserInfo, text: string) => {
    onPicked({ id: user.id, name: user.fullName });
    show({ text });
  };
  /** Runs one step, busy meanwhile; its outcome replaces the last one. */
  const step = async (businessUnitId: string, work: () => Promise<void>) => {
    setBusy(true);
    setNotice(undefined);
    try {
      await work();
    } catch (e) {
      fail(e, businessUnitId);
    } finally {
      setBusy(false);
    }
  };
  const done = (user: UserInfo, businessUnitId: string) =>
    pickWith(user, t("Done_createAppUser", { name: user.fullName, businessUnit: unitName(businessUnitId) || user.businessUnitName || "", role: roleName }));

  const create = () => {
    if (!isGuid(clientId)) return setBadId(true);
    const businessUnitId = unitId;
    if (!businessUnitId) return;
    void step(businessUnitId, async () => done(await service.createAppUser({ clientId: clientId.trim(), businessUnitId, roleName }), businessUnitId));
  };
  const follow = ({ kind, user, businessUnitId }: Offer) =>
    void step(businessUnitId, async () => {
      if (kind === "retryRole") {
        await service.assignRoleInBusinessUnit(user.id, businessUnitId, roleName);
        return done(user, businessUnitId);
      }
      if (kind === "enable") await service.enableUser(user.id);
      pickWith(user, t("AppUser_Picked", { name: user.fullName }));
    });
  const offer = notice?.offer;
  const offerLabel = offer && t(offer.kind === "retryRole" ? "AppUser_RetryRole" : offer.kind === "enable" ? "AppUser_Enable" : "AppUser_Pick", { name: offer.user.fullName });

  return (
    <Stack tokens={{ childrenGap: 8 }} data-create-app-user>
      <DefaultButton text={t("Fix_createAppUser")} onClick={() => setOpen(!open)} aria-expanded={open} disabled={!!blockedReason} styles={{ root: { alignSelf: "start" } }} />
      {blockedReason}
      {open && !blockedReason && (
        <Stack tokens={{ childrenGap: 8 }} role="group" aria-label={t("Fix_createAppUser")}>
          <TextField
            componentRef={(c) => (firstField.current = c)}
            label={t("AppUser_ClientId")}
            value={clientId}
            autoComplete="off"
            errorMessage={badId ? t("AppUser_BadClientId") : undefined}
            onChange={(_e, v) => {
              setClientId(v ?? "");
              setBadId(false);
            }}
          />
          {unitsError ? (
            <ErrorNotice error={unitsError} t={t} />
          ) : (
            <ComboBox
              label={t("AppUser_BusinessUnit")}
              autoComplete="on"
              selectedKey={unitId ?? null}
              options={(units ?? []).map((u) => ({ key: u.id, text: u.isRoot ? t("AppUser_Root", { name: u.name }) : u.name }))}
              onChange={(_e, option) => option && setUnitId(String(option.key))}
              onInputValueChange={(text) => (units?.length ?? 0) >= BUSINESS_UNIT_PAGE && setUnitQuery(text.trim())}
            />
          )}
          <Stack horizontal tokens={{ childrenGap: 8 }} verticalAlign="center">
            <PrimaryButton text={t("AppUser_Create")} onClick={create} disabled={busy || !unitId} />
            {busy && <Spinner size={SpinnerSize.small} label={t("AppUser_Working")} labelPosition="right" />}
          </Stack>
        </Stack>
      )}
      {notice && (
        <ResultNotice key={notice.id} notice={notice} t={t} onDismiss={() => setNotice(undefined)}>
          {offer && <DefaultButton text={offerLabel} onClick={() => follow(offer)} disabled={busy} />}
        </ResultNotice>
      )}
    </Stack>
  );
};
