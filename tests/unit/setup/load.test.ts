import { DataverseClient } from "../../../core/dataverse/client";
import { completeExpansion, EXPANDED_ROWS_LIMIT, loadSetupState } from "../../../core/setup/load";
import { batchResponder, fakeFetch } from "../../helpers/fakeFetch";
import { IDS } from "../../helpers/stateBuilder";

const ORG = "https://org.example";

function answer(path: string): [number, unknown] {
  if (path.startsWith("EntityDefinitions(LogicalName='x_config')")) return [200, { EntitySetName: "x_configs" }];
  if (path.includes("/Attributes(")) return path.includes("'lead'") ? [200, { LogicalName: "new_synctomkto" }] : [404, { error: { code: "0x80040217", message: "not found" } }];
  if (path.startsWith("roles?")) return [200, { value: [{ roleid: IDS.roleRoot, name: "Marketo Sync User", _businessunitid_value: IDS.buRoot, systemuserroles_association: [] }] }];
  if (path.startsWith("solutions?"))
    return [
      200,
      {
        value: [
          { solutionid: "s", uniquename: "M", friendlyname: "Marketo Lead Management", version: "5.0.2.1", ismanaged: true, solution_solutioncomponent: [{ objectid: IDS.step1, componenttype: 92 }] },
        ],
      },
    ];
  if (path.startsWith("RetrieveCurrentOrganization"))
    return [
      200,
      { Detail: { TenantId: "tenant-1", Endpoints: { Keys: ["WebApplication", "OrganizationService"], Values: ["https://org.example/", "https://org.example/XRMServices/2011/Organization.svc"] } } },
    ];
  if (path.startsWith("WhoAmI")) return [200, { UserId: IDS.other1 }];
  if (path.startsWith("asyncoperations?")) return [200, { value: [{ completedon: "2026-11-27T08:00:00Z" }] }];
  if (path.startsWith("privileges?")) return [200, { value: [{ privilegeid: "77777777-0000-4000-8000-000000000001", name: "prvAssignRole" }] }];
  if (path.includes("RetrieveUserPrivileges"))
    return [
      200,
      {
        RolePrivileges: [
          { Depth: "Global", PrivilegeId: "77777777-0000-4000-8000-000000000001" },
          { Depth: "Global", PrivilegeId: "x", PrivilegeName: "prvReadRole" },
        ],
      },
    ];
  if (path.startsWith("systemusers(") && path.includes("RetrievePrincipalAccess")) return [200, { AccessRights: "ReadAccess, WriteAccess" }];
  if (path.startsWith("systemusers(")) return [200, { systemuserid: IDS.syncUser, fullname: "Marketo Sync", isdisabled: false, applicationid: IDS.clientId, systemuserroles_association: [] }];
  if (path.startsWith("teams?")) return [200, { value: [] }];
  if (path.startsWith("x_configs(")) return [200, { _x_user_value: IDS.syncUser, modifiedon: "2026-11-27T09:00:00Z" }];
  if (path.startsWith("sdkmessageprocessingsteps?")) return [200, { value: [{ sdkmessageprocessingstepid: IDS.step1, name: "Create", statecode: 1 }] }];
  throw new Error(`unexpected ${path}`);
}

const input = {
  config: { entity: "x_config", id: IDS.config, attribute: "x_user" },
  chosenUserId: IDS.syncUser,
  roleName: "Marketo Sync User",
  solutionName: "Marketo Lead Management",
};

describe("loadSetupState", () => {
  it("on a client's first load, reads a complete state in two $batch round trips", async () => {
    const f = fakeFetch(batchResponder(answer));
    const state = await loadSetupState(new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), input);
    expect(f.calls).toHaveLength(2);
    expect(f.calls.every((c) => c.url === `${ORG}/api/data/v9.2/$batch`)).toBe(true);
    expect(state.roundTrips).toBe(2);
    expect(state.configEntitySet).toBe("x_configs");
    expect(state.savedUserId).toEqual({ ok: true, value: IDS.syncUser });
    expect(state.steps).toEqual({ ok: true, value: [{ id: IDS.step1, name: "Create", enabled: false }] });
    expect(state.configReadable).toEqual({ ok: true, value: true });
    expect(state.organization.ok && state.organization.value).toMatchObject({ tenantId: "tenant-1", organizationServiceUrl: "https://org.example/XRMServices/2011/Organization.svc" });
    expect(Object.fromEntries(Object.entries(state.syncFilter).map(([k, v]) => [k, v.ok && v.value]))).toEqual({ lead: true, contact: false, account: false });
    expect(state.currentUserId).toBe(IDS.other1);
    expect(state.lastPublishJobAt).toBe("2026-11-27T08:00:00Z");
    // Held privileges are matched by id, or by name where the org sends it.
    expect(state.adminPrivileges).toEqual({ ok: true, value: ["prvAssignRole", "prvReadRole"] });
  });

  it("asks the second round only what depends on the first", async () => {
    const f = fakeFetch(batchResponder(answer));
    await loadSetupState(new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), input);
    const second = [...f.calls[1].body!.matchAll(/^GET \S+\/v9\.2\/([^?( ]+)/gm)].map((m) => m[1]);
    expect(second).toEqual(["x_configs", "systemusers", "systemusers"]);
    // The steps come from the FetchXML join in the first round, not by ids in the second.
    expect(f.calls[0].body).toContain("sdkmessageprocessingsteps?fetchXml=");
  });

  it("with the host's hints (entity set, user id), a first load takes one round trip", async () => {
    const f = fakeFetch(batchResponder(answer));
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const state = await loadSetupState(client, input, { hints: { entitySets: { x_config: "x_configs" }, callerId: `{${IDS.other1.toUpperCase()}}` } });
    expect(f.calls).toHaveLength(1);
    expect(state.roundTrips).toBe(1);
    expect(state.savedUserId).toEqual({ ok: true, value: IDS.syncUser });
    expect(state.configReadable).toEqual({ ok: true, value: true });
    expect(state.adminPrivileges).toEqual({ ok: true, value: ["prvAssignRole", "prvReadRole"] });
    expect(state.steps).toEqual({ ok: true, value: [{ id: IDS.step1, name: "Create", enabled: false }] });
  });

  it("a hint the same batch proves wrong is not kept: its reads go again in a second round", async () => {
    const wrongSet = (p: string): [number, unknown] => (p.startsWith("x_wrongs(") ? [404, { error: { code: "0x80060888", message: "Resource not found for the segment 'x_wrongs'." } }] : answer(p));
    const f = fakeFetch(batchResponder(wrongSet));
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const state = await loadSetupState(client, input, { hints: { entitySets: { x_config: "x_wrongs" }, callerId: IDS.syncUser } });
    expect(state.roundTrips).toBe(2);
    const second = [...f.calls[1].body!.matchAll(/^GET \S+\/v9\.2\/([^?( ]+)/gm)].map((m) => m[1]);
    expect(second).toEqual(["x_configs", "systemusers", "systemusers"]);
    expect(state.savedUserId).toEqual({ ok: true, value: IDS.syncUser });
  });

  it("on a later load of the same client, reads the whole checklist in one $batch round trip", async () => {
    const f = fakeFetch(batchResponder(answer));
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const cold = await loadSetupState(client, input);
    f.calls.length = 0;
    const warm = await loadSetupState(client, input);
    expect(f.calls).toHaveLength(1);
    expect(warm.roundTrips).toBe(1);
    const { roundTrips: _c, ...coldFacts } = cold;
    const { roundTrips: _w, ...warmFacts } = warm;
    expect(warmFacts).toEqual(coldFacts);
  });

  it("when the service refuses the FetchXML join, reads the steps by the ids the solution lists", async () => {
    const refusing = (p: string): [number, unknown] => (p.startsWith("sdkmessageprocessingsteps?fetchXml=") ? [400, { error: { code: "0x80041103", message: "refused" } }] : answer(p));
    const f = fakeFetch(batchResponder(refusing));
    const client = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 });
    const state = await loadSetupState(client, input, { hints: { entitySets: { x_config: "x_configs" }, callerId: IDS.other1 } });
    expect(state.roundTrips).toBe(2);
    const second = [...f.calls[1].body!.matchAll(/^GET \S+\/v9\.2\/(\S+) HTTP/gm)].map((m) => decodeURIComponent(m[1]));
    expect(second).toHaveLength(1);
    expect(second[0]).toMatch(/^sdkmessageprocessingsteps\?\$select=/);
    expect(second[0]).toContain(IDS.step1);
    expect(state.steps).toEqual({ ok: true, value: [{ id: IDS.step1, name: "Create", enabled: false }] });
  });

  it("keeps a failed read as an unknown fact instead of failing the whole load", async () => {
    const f = fakeFetch(batchResponder((p) => (p.startsWith("roles?") ? [403, { error: { code: "0x80040220", message: "no prvReadRole" } }] : answer(p))));
    const state = await loadSetupState(new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), input);
    expect(state.roles.ok).toBe(false);
    expect(!state.roles.ok && state.roles.error.kind).toBe("privilege");
    expect(state.solution.ok).toBe(true);
  });

  it("without a chosen user, does not ask about one", async () => {
    const f = fakeFetch(batchResponder(answer));
    const state = await loadSetupState(new DataverseClient({ orgUrl: ORG, fetch: f.fetch, maxRetries: 0 }), { ...input, chosenUserId: null });
    expect(state.chosenUser).toBeUndefined();
    // Only the admin's own privileges are asked about a user.
    expect(f.calls.map((c) => c.body).join("")).not.toContain(`systemusers(${IDS.syncUser})`);
  });
});

describe("completeExpansion", () => {
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
  const pager = (pages: Record<string, { value: unknown[]; "@odata.nextLink"?: string }>) => {
    const asked: string[] = [];
    const client = { get: async (url: string) => (asked.push(url), pages[url]) } as unknown as DataverseClient;
    return { client, asked };
  };

  it("leaves a collection below the limit alone, link or not", async () => {
    const { client, asked } = pager({});
    const row = { nav: rows(0, EXPANDED_ROWS_LIMIT - 1), "nav@odata.nextLink": "https://o/x" };
    expect(await completeExpansion(client, row, "nav")).toBe(0);
    expect(asked).toEqual([]);
    expect(row.nav).toHaveLength(EXPANDED_ROWS_LIMIT - 1);
  });

  it("a link without paging information answers every row again: they replace the cut list", async () => {
    const { client, asked } = pager({
      "https://o/all": { value: rows(0, 5000), "@odata.nextLink": "https://o/all?$skiptoken=2" },
      "https://o/all?$skiptoken=2": { value: rows(5000, 7) },
    });
    const row: Record<string, unknown> = { nav: rows(0, 5000), "nav@odata.nextLink": "https://o/all" };
    expect(await completeExpansion(client, row, "nav")).toBe(2);
    expect(asked).toEqual(["https://o/all", "https://o/all?$skiptoken=2"]);
    expect((row.nav as Array<{ id: number }>).map((r) => r.id)).toEqual(rows(0, 5007).map((r) => r.id));
    expect(row["nav@odata.nextLink"]).toBeUndefined();
  });

  it("a link with a $skiptoken (nested $expand) answers the rows after the cut: they are appended", async () => {
    const { client } = pager({ "https://o/rest?$skiptoken=x": { value: rows(5000, 3) } });
    const row: Record<string, unknown> = { nav: rows(0, 5000), "nav@odata.nextLink": "https://o/rest?$skiptoken=x" };
    expect(await completeExpansion(client, row, "nav")).toBe(1);
    expect((row.nav as unknown[]).length).toBe(5003);
  });
});
