/**
 * Creating the sync user from a Client ID against the stand-in, which applies Dataverse's rules
 * for application users (service principal required, one per app, prvCreateUser).
 */
import { WebApiClient } from "../../../core/dataverse/webApiClient";
import { SetupActionError } from "../../../core/setup/actions";
import { assignRoleInBusinessUnit, createApplicationUser, enableUser, findApplicationUser, searchBusinessUnits } from "../../../core/setup/applicationUser";
import { APP, BU, ROLE, ROLE_NAME, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";

describe("createApplicationUser against the stand-in", () => {
  let server: DevServer;
  let client: WebApiClient;
  beforeAll(async () => {
    server = await startDevServer({ fixture: "demo-org", publishDurationMs: 0 });
    client = new WebApiClient({ orgUrl: server.url, sleep: async () => undefined });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const appUsers = (clientId: string) => [...server.org.table(server.org.entity("systemuser")).values()].filter((u) => String(u.applicationid ?? "").toLowerCase() === clientId);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as SetupActionError,
    );

  it("creates one application user in the chosen business unit, holding that unit's copy of the role", async () => {
    const user = await createApplicationUser(client, { clientId: APP.marketoSyncNew, businessUnitId: BU.europe, roleName: ROLE_NAME });
    const rows = appUsers(APP.marketoSyncNew);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ systemuserid: user.id, _businessunitid_value: BU.europe, isdisabled: false });
    expect(server.org.rolesOf(user.id).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSyncEurope]);
    // A second click finds it instead of creating another.
    const again = await refusal(createApplicationUser(client, { clientId: APP.marketoSyncNew, businessUnitId: BU.contoso, roleName: ROLE_NAME }));
    expect(again).toMatchObject({ key: "appUserExists", user: { id: user.id } });
    expect(appUsers(APP.marketoSyncNew)).toHaveLength(1);
  });

  it("refuses a Client ID without service principal, creating nothing", async () => {
    const e = await refusal(createApplicationUser(client, { clientId: APP.noServicePrincipal, businessUnitId: BU.contoso, roleName: ROLE_NAME }));
    expect(e).toMatchObject({ key: "appUserNoServicePrincipal" });
    expect(appUsers(APP.noServicePrincipal)).toHaveLength(0);
  });

  it("offers the disabled application user of a Client ID, which can be enabled", async () => {
    const e = await refusal(createApplicationUser(client, { clientId: APP.disabledApp, businessUnitId: BU.contoso, roleName: ROLE_NAME }));
    expect(e).toMatchObject({ key: "appUserDisabled", user: { id: USER.disabledApp, isDisabled: true } });
    await enableUser(client, USER.disabledApp);
    expect(await findApplicationUser(client, APP.disabledApp)).toMatchObject({ id: USER.disabledApp, isDisabled: false });
  });

  it("says when the business unit is gone, and when the admin may not create users", async () => {
    const gone = await refusal(createApplicationUser(client, { clientId: APP.marketoSyncNew, businessUnitId: "b0000000-0000-4000-8000-0000000000ee", roleName: ROLE_NAME }));
    expect(gone).toMatchObject({ key: "appUserBusinessUnitGone" });
    server.org.denied[USER.admin] = ["prvCreateUser"];
    await expect(createApplicationUser(client, { clientId: APP.marketoSyncNew, businessUnitId: BU.contoso, roleName: ROLE_NAME })).rejects.toMatchObject({ kind: "privilege" });
    expect(appUsers(APP.marketoSyncNew)).toHaveLength(0);
  });

  it("a role refused after the creation leaves the user, and the retry only assigns", async () => {
    server.org.denied[USER.admin] = ["prvAssignRole"];
    const e = await refusal(createApplicationUser(client, { clientId: APP.marketoSyncNew, businessUnitId: BU.contoso, roleName: ROLE_NAME }));
    expect(e).toMatchObject({ key: "appUserRoleNotAssigned" });
    expect(appUsers(APP.marketoSyncNew)).toHaveLength(1);
    server.org.denied[USER.admin] = [];
    await assignRoleInBusinessUnit(client, e!.user!.id, BU.contoso, ROLE_NAME);
    expect(server.org.rolesOf(e!.user!.id).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSync]);
    expect(appUsers(APP.marketoSyncNew)).toHaveLength(1);
  });

  it("lists the business units, the root one first", async () => {
    const units = await searchBusinessUnits(client);
    expect(units[0]).toEqual({ id: BU.contoso, name: "Contoso", isRoot: true });
    expect((await searchBusinessUnits(client, "Europe")).map((u) => u.id)).toEqual([BU.europe]);
  });
});
