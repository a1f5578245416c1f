/**
 * Dataverse's rules for application users (devserver/applicationUsers.ts): created from a Client ID
 * only when its service principal exists in the tenant, once per Client ID, in an existing business
 * unit, with prvCreateUser; a disabled one can be enabled again.
 */
import { APP, BU, ENTRA, ROLE, USER } from "../../../devserver/fixtures/ids";
import type { DevServer } from "../../../devserver/server";
import { call, get, start } from "./helpers";

let server: DevServer;

beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const create = (applicationid: string, bu: string | null = BU.contoso, headers: Record<string, string> = {}) =>
  call(server, "POST", "systemusers", { applicationid, ...(bu ? { "businessunitid@odata.bind": `/businessunits(${bu})` } : {}) }, headers);

const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;
const appUsers = (appId: string) => [...server.org.table(server.org.entity("systemuser")).values()].filter((u) => u.applicationid === appId);

test("creates the application user of a registered app, named after its service principal", async () => {
  const r = await create(APP.marketoSyncNew);
  expect(r.status).toBe(204);
  const id = /systemusers\(([0-9a-f-]{36})\)$/.exec(String(r.headers.get("OData-EntityId")))![1];
  const user = await get(server, `systemusers(${id})?$select=fullname,applicationid,accessmode,isdisabled,islicensed,internalemailaddress,azureactivedirectoryobjectid,_businessunitid_value`);
  expect(user.body).toMatchObject({
    fullname: "Marketo Sync (new)",
    applicationid: APP.marketoSyncNew,
    accessmode: 4,
    isdisabled: false,
    islicensed: false,
    internalemailaddress: "marketo-sync-new@contoso.onmicrosoft.com",
    azureactivedirectoryobjectid: ENTRA.marketoSyncNewServicePrincipal,
    _businessunitid_value: BU.contoso,
  });
  // And the role can be given to it in its business unit, as for any user.
  expect((await call(server, "POST", `systemusers(${id})/systemuserroles_association/$ref`, { "@odata.id": `${server.url}/api/data/v9.2/roles(${ROLE.marketoSync})` })).status).toBe(204);
});

test("a second application user for the same Client ID is refused, also when the existing one is disabled", async () => {
  expect((await create(APP.marketoSyncNew)).status).toBe(204);
  const again = await create(APP.marketoSyncNew.toUpperCase(), BU.europe);
  expect(again.status).toBe(412);
  expect(errorOf(again.body).code).toBe("0x80040237");
  expect(appUsers(APP.marketoSyncNew)).toHaveLength(1);

  const disabled = await create(APP.disabledApp);
  expect(disabled.status).toBe(412);
  expect(errorOf(disabled.body).message).toContain(`systemuserid ${USER.disabledApp}, disabled`);
});

test("no service principal in the tenant: refused, nothing created", async () => {
  for (const appId of [APP.noServicePrincipal, "0badc0de-1111-4222-8333-444455556666"]) {
    const r = await create(appId);
    expect(r.status).toBe(400);
    expect(errorOf(r.body).code).toBe("0x80040203");
    expect(errorOf(r.body).message).toContain("service principal");
    expect(appUsers(appId)).toHaveLength(0);
  }
});

test("the business unit must be given and must exist", async () => {
  const gone = await create(APP.marketoSyncNew, "b0000000-0000-0000-0000-0000000000ff");
  expect(gone.status).toBe(404);
  expect(errorOf(gone.body).code).toBe("0x80040217");
  const none = await create(APP.marketoSyncNew, null);
  expect(none.status).toBe(400);
  expect(appUsers(APP.marketoSyncNew)).toHaveLength(0);
});

test("prvCreateUser is required (403 0x80040220), and RetrieveUserPrivileges names it", async () => {
  server.org.denied[USER.limited] = [...(server.org.denied[USER.limited] ?? []), "prvCreateUser"];
  const r = await create(APP.marketoSyncNew, BU.contoso, { "x-devserver-user": USER.limited });
  expect(r.status).toBe(403);
  expect(errorOf(r.body).code).toBe("0x80040220");
  expect(errorOf(r.body).message).toContain("missing prvCreateUser privilege");
  expect(appUsers(APP.marketoSyncNew)).toHaveLength(0);

  const privileges = await get<{ RolePrivileges: Array<{ PrivilegeName: string }> }>(server, `systemusers(${USER.admin})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`);
  const names = privileges.body.RolePrivileges.map((p) => p.PrivilegeName);
  expect(names).toEqual(expect.arrayContaining(["prvCreateUser", "prvWriteUser", "prvAssignRole"]));
  expect(names).not.toContain("prvCreateSystemUser");
});

test("a disabled application user can be enabled (isdisabled is writable), with prvWriteUser", async () => {
  server.org.denied[USER.limited] = [...(server.org.denied[USER.limited] ?? []), "prvWriteUser"];
  const refused = await call(server, "PATCH", `systemusers(${USER.disabledApp})`, { isdisabled: false }, { "x-devserver-user": USER.limited });
  expect(refused.status).toBe(403);
  const r = await call(server, "PATCH", `systemusers(${USER.disabledApp})`, { isdisabled: false });
  expect(r.status).toBe(204);
  expect((await get(server, `systemusers(${USER.disabledApp})?$select=isdisabled`)).body.isdisabled).toBe(false);
});

test("ordinary (non-application) users are created as before", async () => {
  const r = await call(server, "POST", "systemusers", { fullname: "New Person", domainname: "new.person@contoso.onmicrosoft.com", "businessunitid@odata.bind": `/businessunits(${BU.contoso})` });
  expect(r.status).toBe(204);
});
