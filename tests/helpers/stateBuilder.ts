/** Hand-made SetupStates for unit tests of the checklist and the actions: all passing by default. */
import type { RoleCopy, SetupState, UserInfo } from "../../core/setup/types";

export const IDS = {
  config: "11111111-0000-4000-8000-000000000001",
  syncUser: "22222222-0000-4000-8000-000000000001",
  other1: "22222222-0000-4000-8000-000000000002",
  other2: "22222222-0000-4000-8000-000000000003",
  disabledHolder: "22222222-0000-4000-8000-000000000004",
  buRoot: "33333333-0000-4000-8000-000000000001",
  buChild: "33333333-0000-4000-8000-000000000002",
  roleRoot: "44444444-0000-4000-8000-000000000001",
  roleChild: "44444444-0000-4000-8000-000000000002",
  step1: "55555555-0000-4000-8000-000000000001",
  step2: "55555555-0000-4000-8000-000000000002",
  clientId: "66666666-0000-4000-8000-000000000001",
};

export const user = (id: string, name: string, extra: Partial<UserInfo> = {}): UserInfo => ({
  id,
  fullName: name,
  isDisabled: false,
  businessUnitId: IDS.buRoot,
  ...extra,
});

export function passingState(): SetupState {
  const sync = user(IDS.syncUser, "Marketo Sync", { applicationId: IDS.clientId, email: "marketo.sync@contoso.com" });
  const roles: RoleCopy[] = [
    { id: IDS.roleRoot, name: "Marketo Sync User", businessUnitId: IDS.buRoot, rootRoleId: IDS.roleRoot, holders: [sync] },
    { id: IDS.roleChild, name: "Marketo Sync User", businessUnitId: IDS.buChild, rootRoleId: IDS.roleRoot, holders: [] },
  ];
  return {
    input: {
      config: { entity: "x_config", id: IDS.config, attribute: "x_user" },
      chosenUserId: IDS.syncUser,
      roleName: "Marketo Sync User",
      solutionName: "Marketo Lead Management",
      publishLog: { lastChangeAt: "2026-11-27T10:00:00Z", lastPublishAt: "2026-11-27T10:05:00Z" },
    },
    configEntitySet: "x_configs",
    savedUserId: { ok: true, value: IDS.syncUser },
    configModifiedOn: "2026-11-27T09:00:00Z",
    chosenUser: { ok: true, value: { ...sync, directRoleIds: [IDS.roleRoot], roleTeams: [] } },
    roles: { ok: true, value: roles },
    solution: {
      ok: true,
      value: { id: "s1", uniqueName: "MarketoLeadManagement", friendlyName: "Marketo Lead Management", version: "5.0.2.1", isManaged: true, stepIds: [IDS.step1, IDS.step2] },
    },
    steps: {
      ok: true,
      value: [
        { id: IDS.step1, name: "Create lead", enabled: true },
        { id: IDS.step2, name: "Update lead", enabled: true },
      ],
    },
    configReadable: { ok: true, value: true },
    organization: { ok: true, value: { tenantId: "t", webApplicationUrl: "https://org/", organizationServiceUrl: "https://org/XRMServices/2011/Organization.svc" } },
    syncFilter: { lead: { ok: true, value: true }, contact: { ok: true, value: false }, account: { ok: true, value: false } },
    roundTrips: 2,
  };
}
