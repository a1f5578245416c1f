/**
 * Contract tests: the devserver answers the requests core/ sends with Dataverse's shapes (the Web API pages of
 * powerapps-docs/developer/data-platform/webapi: query, $batch, associate and disassociate, errors).
 */
import { DevServer } from "../../../devserver/server";
import { APP, BU, CONFIG, MARKETO_STEPS, ROLE, SOLUTION, STEP, TEAM, USER } from "../../../devserver/fixtures/ids";
import { Collection, call, get, query, start } from "./helpers";

let server: DevServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const names = (c: Collection) => c.value.map((r) => r.fullname).sort();

describe("metadata", () => {
  it("reads the Marketo Config table by logical name, with its display name as a Label", async () => {
    const one = await get(server, `EntityDefinitions(LogicalName='mkto_marketoconfig')${query({ $select: "LogicalName,EntitySetName,PrimaryNameAttribute" })}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ LogicalName: "mkto_marketoconfig", EntitySetName: "mkto_marketoconfigs", PrimaryNameAttribute: "mkto_name" });
    const list = await get<Collection>(
      server,
      `EntityDefinitions${query({ $select: "LogicalName,EntitySetName,DisplayName", $filter: "LogicalName eq 'mkto_marketoconfig' or LogicalName eq 'lead'" })}`,
    );
    expect(list.body.value).toHaveLength(2);
    const config = list.body.value.find((e) => e.LogicalName === "mkto_marketoconfig")!;
    expect(config.DisplayName).toMatchObject({ UserLocalizedLabel: { Label: "Marketo Config", LanguageCode: 1033 }, LocalizedLabels: [{ Label: "Marketo Config", LanguageCode: 1033 }] });
  });

  it("finds new_synctomkto on lead only, 404 elsewhere", async () => {
    const lead = await get(server, `EntityDefinitions(LogicalName='lead')/Attributes(LogicalName='new_synctomkto')?$select=LogicalName`);
    expect(lead.status).toBe(200);
    expect(lead.body.LogicalName).toBe("new_synctomkto");
    const contact = await get(server, `EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_synctomkto')?$select=LogicalName`);
    expect(contact.status).toBe(404);
    expect(contact.body).toEqual({ error: { code: expect.stringMatching(/^0x8/), message: expect.any(String) } });
  });

  it("gives the lookup's navigation property", async () => {
    const r = await get<Collection>(
      server,
      `EntityDefinitions(LogicalName='mkto_marketoconfig')/ManyToOneRelationships?$select=ReferencingAttribute,ReferencingEntityNavigationPropertyName,ReferencedEntity`,
    );
    expect(r.body.value).toContainEqual(
      expect.objectContaining({ ReferencingAttribute: "mkto_marketouserid", ReferencingEntityNavigationPropertyName: "mkto_marketouserid", ReferencedEntity: "systemuser" }),
    );
  });
});

describe("reads", () => {
  it("reads a user with expanded roles and lookup annotations", async () => {
    const r = await get(
      server,
      `systemusers(${USER.maria})${query({
        $select: "systemuserid,fullname,domainname,internalemailaddress,applicationid,azureactivedirectoryobjectid,accessmode,isdisabled,_businessunitid_value",
        $expand: "systemuserroles_association($select=roleid,name,_businessunitid_value,_parentrootroleid_value)",
      })}`,
    );
    expect(r.status).toBe(200);
    expect(r.body["@odata.context"]).toContain("$metadata#systemusers(");
    expect(r.body["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(r.body._businessunitid_value).toBe(BU.contoso);
    expect(r.body["_businessunitid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Contoso");
    expect(r.body["_businessunitid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("businessunit");
    expect(r.body.systemuserroles_association).toEqual([expect.objectContaining({ roleid: ROLE.marketoSync, name: "Marketo Sync User", _parentrootroleid_value: ROLE.marketoSync })]);
  });

  it("404s an unknown id and an unknown set, 400s an unknown column and bad syntax", async () => {
    const missing = await get(server, `systemusers(00000000-0000-0000-0000-00000000dead)`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: "0x80040217", message: expect.stringContaining("With Id = 00000000-0000-0000-0000-00000000dead Does Not Exist") } });
    const set = await get(server, `nosuchthings`);
    expect(set.status).toBe(404);
    expect(set.body).toEqual({ error: { code: "0x80060888", message: "Resource not found for the segment 'nosuchthings'." } });
    const col = await get(server, `systemusers?$select=fullname,nope`);
    expect(col.status).toBe(400);
    expect(col.body).toEqual({ error: { code: "0x80060888", message: "Could not find a property named 'nope' on type 'Microsoft.Dynamics.CRM.systemuser'." } });
    const syntax = await get(server, `systemusers${query({ $filter: "fullname eq 'unterminated" })}`);
    expect(syntax.status).toBe(400);
    expect((syntax.body.error as { code: string }).code).toBe("0x80060888");
  });

  it("405s a wrong method", async () => {
    const r = await call(server, "PUT", `systemusers`, {});
    expect(r.status).toBe(405);
    expect(r.body.error).toBeDefined();
  });

  it("filters teams with lambda any on two collections", async () => {
    const r = await get<Collection>(
      server,
      `teams${query({ $select: "teamid,name", $filter: `teammembership_association/any(u:u/systemuserid eq ${USER.teamOnlyApp}) and teamroles_association/any(r:r/name eq 'Marketo Sync User')` })}`,
    );
    expect(r.body.value.map((t) => t.teamid)).toEqual([TEAM.marketoAdmins]);
  });

  it("reads role holders per business-unit copy", async () => {
    const r = await get<Collection>(
      server,
      `roles${query({ $select: "roleid,name,_businessunitid_value,_parentrootroleid_value", $filter: "name eq 'Marketo Sync User'", $expand: "systemuserroles_association($select=systemuserid,fullname,internalemailaddress,applicationid,isdisabled,_businessunitid_value)" })}`,
    );
    expect(r.body.value.map((x) => x.roleid).sort()).toEqual([ROLE.marketoSync, ROLE.marketoSyncEurope].sort());
    for (const role of r.body.value) expect(role._parentrootroleid_value).toBe(ROLE.marketoSync);
    const root = r.body.value.find((x) => x.roleid === ROLE.marketoSync)!;
    expect((root.systemuserroles_association as Array<{ systemuserid: string }>).map((u) => u.systemuserid).sort()).toEqual([USER.maria, USER.john, USER.formerEmployee].sort());
  });

  it("reads the solution with its plugin-step components", async () => {
    const r = await get<Collection>(
      server,
      `solutions${query({ $select: "solutionid,uniquename,friendlyname,version,ismanaged,installedon", $filter: "friendlyname eq 'Marketo Lead Management' or uniquename eq 'Marketo Lead Management'", $expand: "solution_solutioncomponent($select=objectid,componenttype;$filter=componenttype eq 92)" })}`,
    );
    expect(r.body.value).toHaveLength(1);
    const s = r.body.value[0];
    expect(s).toMatchObject({ solutionid: SOLUTION.marketo, version: "5.0.2.1", ismanaged: true });
    expect((s.solution_solutioncomponent as Array<{ objectid: string }>).map((c) => c.objectid).sort()).toEqual([...MARKETO_STEPS].sort());
  });

  it("reads steps by id list and the config record", async () => {
    const steps = await get<Collection>(
      server,
      `sdkmessageprocessingsteps${query({ $select: "sdkmessageprocessingstepid,name,statecode,statuscode", $filter: MARKETO_STEPS.map((id) => `sdkmessageprocessingstepid eq ${id}`).join(" or ") })}`,
    );
    expect(steps.body.value).toHaveLength(6);
    expect(steps.body.value.filter((s) => s.statecode === 1)).toEqual([
      expect.objectContaining({ sdkmessageprocessingstepid: STEP.disabled, statuscode: 2, "statecode@OData.Community.Display.V1.FormattedValue": "Disabled" }),
    ]);
    const config = await get(server, `mkto_marketoconfigs(${CONFIG.defaultRecord})?$select=_mkto_marketouserid_value,modifiedon`);
    expect(config.body._mkto_marketouserid_value).toBeNull();
    const byName = await get<Collection>(server, `mkto_marketoconfigs${query({ $select: "mkto_marketoconfigid,_mkto_marketouserid_value", $filter: "mkto_name eq 'Default'" })}`);
    expect(byName.body.value).toHaveLength(1);
  });

  it("answers WhoAmI, RetrieveVersion and RetrieveCurrentOrganization with the server's URL", async () => {
    const who = await get(server, "WhoAmI()");
    expect(who.body).toMatchObject({ UserId: USER.admin, BusinessUnitId: BU.contoso, OrganizationId: expect.any(String) });
    expect((await get(server, "RetrieveVersion()")).body.Version).toMatch(/^9\.2\./);
    const org = await get<{ Detail: Record<string, unknown> & { Endpoints: { Keys: string[]; Values: string[]; Count: number } } }>(
      server,
      `RetrieveCurrentOrganization(AccessType=@p1)?@p1=${encodeURIComponent("Microsoft.Dynamics.CRM.EndpointAccessType'Default'")}`,
    );
    expect(org.status).toBe(200);
    const d = org.body.Detail;
    expect(d.TenantId).toBeDefined();
    expect(d.Endpoints.Count).toBe(3);
    const ep = Object.fromEntries(d.Endpoints.Keys.map((k, i) => [k, d.Endpoints.Values[i]]));
    expect(ep.WebApplication).toBe(server.url + "/");
    expect(ep.OrganizationService).toBe(server.url + "/XRMServices/2011/Organization.svc");
  });

  it("answers RetrievePrincipalAccess from the roles' grants", async () => {
    const target = encodeURIComponent(JSON.stringify({ "@odata.id": `mkto_marketoconfigs(${CONFIG.defaultRecord})` }));
    const sync = await get(server, `systemusers(${USER.marketoSync})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)?@p1=${target}`);
    expect(sync.body.AccessRights).toBe("None");
    const maria = await get(
      server,
      `systemusers(${USER.maria})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)?@p1=${encodeURIComponent(`{'@odata.id':'mkto_marketoconfigs(${CONFIG.defaultRecord})'}`)}`,
    );
    expect(maria.body.AccessRights).toContain("ReadAccess");
  });
});

describe("search with Dataverse LIKE semantics", () => {
  const search = async (filter: string) =>
    get<Collection>(
      server,
      `systemusers${query({ $select: "systemuserid,fullname,internalemailaddress,applicationid,isdisabled,_businessunitid_value", $filter: filter, $orderby: "fullname", $top: "25" })}`,
    );
  const escape = (s: string) => s.replace(/[[%_]/g, (c) => `[${c}]`).replace(/'/g, "''");

  it.each([
    ["O'Brien", ["Siobhan O'Brien"]],
    ["100%", ["100% Data Bot"]],
    ["a_b", ["a_b Integration"]],
    ["R&D", ["R&D Sync"]],
  ])("contains %s matches exactly the right users", async (text, expected) => {
    const r = await search(`contains(fullname,'${escape(text)}')`);
    expect(r.status).toBe(200);
    expect(names(r.body)).toEqual(expected);
  });

  it("treats unescaped % and _ as wildcards, case-insensitively", async () => {
    // Unescaped, 'a_b' is a, any character, b: it also matches "Dat(a B)ot".
    expect(names((await search("contains(fullname,'a_b')")).body)).toEqual(["100% Data Bot", "a_b Integration"]);
    expect(names((await search("startswith(fullname,'100%')")).body)).toEqual(["100 Data", "100% Data Bot"]);
    expect(names((await search("endswith(fullname,'SYNC')")).body)).toEqual(["Marketo Sync", "R&D Sync", "RnD Sync"]);
  });

  it("runs the picker query: app users, enabled, with the role expanded", async () => {
    const r = await get<Collection>(
      server,
      `systemusers${query({
        $select: "systemuserid,fullname,internalemailaddress,applicationid,isdisabled,_businessunitid_value",
        $filter: `(contains(fullname,'sync') or contains(internalemailaddress,'sync') or applicationid eq ${APP.europeApp}) and applicationid ne null and isdisabled eq false`,
        $orderby: "fullname",
        $top: "25",
        $expand: "systemuserroles_association($select=roleid;$filter=name eq 'Marketo Sync User')",
      })}`,
    );
    expect(names(r.body)).toEqual(["Europe Integration", "Marketo Sync", "R&D Sync", "RnD Sync", "Team Sync App"]);
    expect(r.body.value.map((u) => u.fullname)).toEqual(["Europe Integration", "Marketo Sync", "R&D Sync", "RnD Sync", "Team Sync App"]);
    for (const u of r.body.value) expect(u.systemuserroles_association).toEqual([]);
  });

  it("counts, tops and pages with nextLink", async () => {
    const counted = await get<Collection>(server, `systemusers?$select=fullname&$count=true&$top=3`);
    expect(counted.body["@odata.count"]).toBe(32);
    expect(counted.body.value).toHaveLength(3);
    const first = await get<Collection>(server, `systemusers?$select=fullname&$orderby=fullname`, { Prefer: 'odata.include-annotations="*",odata.maxpagesize=10' });
    expect(first.headers.get("Preference-Applied")).toContain("odata.maxpagesize=10");
    expect(first.body.value).toHaveLength(10);
    const seen = [...first.body.value];
    let next = first.body["@odata.nextLink"];
    while (next) {
      expect(next.startsWith(server.url + "/api/data/v9.2/systemusers?")).toBe(true);
      const page = await get<Collection>(server, next, { Prefer: "odata.maxpagesize=10" });
      seen.push(...page.body.value);
      next = page.body["@odata.nextLink"];
    }
    expect(seen).toHaveLength(32);
    expect(new Set(seen.map((u) => u.systemuserid)).size).toBe(32);
  });
});

describe("writes", () => {
  const roleRef = (id: string) => ({ "@odata.id": `${server.url}/api/data/v9.2/roles(${id})` });

  it("associates a role in the user's business unit, refuses another unit's copy and a duplicate", async () => {
    const ok = await call(server, "POST", `systemusers(${USER.marketoSync})/systemuserroles_association/$ref`, roleRef(ROLE.marketoSync));
    expect(ok.status).toBe(204);
    expect(server.org.rolesOf(USER.marketoSync).direct.map((r) => r.roleid)).toEqual([ROLE.marketoSync]);
    const dup = await call(server, "POST", `systemusers(${USER.marketoSync})/systemuserroles_association/$ref`, roleRef(ROLE.marketoSync));
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error: { code: "0x80040237", message: "Cannot insert duplicate key." } });
    const wrongBu = await call(server, "POST", `systemusers(${USER.europeApp})/systemuserroles_association/$ref`, roleRef(ROLE.marketoSync));
    expect(wrongBu.status).toBe(400);
    expect((wrongBu.body.error as { code: string }).code).toBe("0x80041409");
    const del = await call(server, "DELETE", `systemusers(${USER.maria})/systemuserroles_association(${ROLE.marketoSync})/$ref`);
    expect(del.status).toBe(204);
    expect(server.org.rolesOf(USER.maria).direct).toEqual([]);
  });

  it("denies privileges the fixture withholds, in Dataverse's 403 shape", async () => {
    const r = await call(server, "POST", `systemusers(${USER.marketoSync})/systemuserroles_association/$ref`, roleRef(ROLE.marketoSync), { "x-devserver-user": USER.limited });
    expect(r.status).toBe(403);
    expect((r.body.error as { code: string; message: string }).code).toBe("0x80040220");
    expect((r.body.error as { message: string }).message).toMatch(/^Principal user \(Id=a0000000-0000-0000-0000-000000000010, type=8, roleCount=1.*missing prvAssignRole privilege/);
  });

  it("updates steps with If-Match, 404 on missing and 412 on a stale etag", async () => {
    const ok = await call(server, "PATCH", `sdkmessageprocessingsteps(${STEP.disabled})`, { statecode: 0, statuscode: 1 }, { "If-Match": "*" });
    expect(ok.status).toBe(204);
    expect(server.org.get("sdkmessageprocessingstep", STEP.disabled)).toMatchObject({ statecode: 0, statuscode: 1 });
    const missing = await call(server, "PATCH", `sdkmessageprocessingsteps(57000000-0000-0000-0000-0000000000ff)`, { statecode: 0 }, { "If-Match": "*" });
    expect(missing.status).toBe(404);
    const stale = await call(server, "PATCH", `sdkmessageprocessingsteps(${STEP.leadCreate})`, { statecode: 1 }, { "If-Match": 'W/"1"' });
    expect(stale.status).toBe(412);
  });

  it("binds and clears the Marketo User lookup", async () => {
    const bind = await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": `/systemusers(${USER.marketoSync})` }, { "If-Match": "*" });
    expect(bind.status).toBe(204);
    const read = await get(server, `mkto_marketoconfigs(${CONFIG.defaultRecord})?$select=_mkto_marketouserid_value`);
    expect(read.body._mkto_marketouserid_value).toBe(USER.marketoSync);
    expect(read.body["_mkto_marketouserid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Marketo Sync");
    // A null bind clears the lookup (associate-disassociate-entities-using-web-api.md); so does DELETE …/$ref.
    const nullBind = await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": null });
    expect(nullBind.status).toBe(204);
    expect(server.org.get("mkto_marketoconfig", CONFIG.defaultRecord)!._mkto_marketouserid_value).toBeNull();
    await call(server, "PATCH", `mkto_marketoconfigs(${CONFIG.defaultRecord})`, { "mkto_marketouserid@odata.bind": `/systemusers(${USER.marketoSync})` });
    const clear = await call(server, "DELETE", `mkto_marketoconfigs(${CONFIG.defaultRecord})/mkto_marketouserid/$ref`);
    expect(clear.status).toBe(204);
    expect(server.org.get("mkto_marketoconfig", CONFIG.defaultRecord)!._mkto_marketouserid_value).toBeNull();
  });

  it("creates with OData-EntityId and deletes", async () => {
    const created = await call(server, "POST", "leads", { fullname: "New Lead", new_synctomkto: true });
    expect(created.status).toBe(204);
    const id = /leads\(([0-9a-f-]{36})\)$/.exec(created.headers.get("OData-EntityId") ?? "")?.[1];
    expect(id).toBeDefined();
    expect((await call(server, "DELETE", `leads(${id})`)).status).toBe(204);
    expect((await get(server, `leads(${id})`)).status).toBe(404);
  });
});

describe("publish and import", () => {
  it("publishes async with progress, refuses a second start, and records the time", async () => {
    // An hour-long publish, ended by moving its start back: the second start certainly meets it running.
    server.org.publishDurationMs = 60 * 60_000;
    const started = await call(server, "POST", "PublishAllXmlAsync", {});
    expect(started.status).toBe(200);
    const opId = started.body.AsyncOperationId as string;
    const job = server.org.jobs.find((j) => j.id === opId);
    if (!job) throw new Error("the publish started no job");
    const operation = () => get(server, `asyncoperations(${opId})?$select=statecode,statuscode,message,friendlymessage,completedon`);
    const again = await call(server, "POST", "PublishAllXmlAsync", {});
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error: { code: "0x8004F063", message: expect.stringMatching(/^Cannot start another \[PublishAll\] because there is a previous \[PublishAll\] running at this moment/) },
    });
    expect((await call(server, "POST", "PublishAllXml", {})).status).toBe(400);
    expect((await operation()).body).toMatchObject({ statecode: 0, completedon: null });

    job.startedAt = Date.now() - job.durationMs / 2;
    expect((await operation()).body).toMatchObject({ statecode: 2, statuscode: 20, completedon: null });
    expect((await call(server, "POST", "PublishAllXmlAsync", {})).status).toBe(400);
    expect(server.org.lastPublishedOn).toBeNull();

    job.startedAt = Date.now() - job.durationMs;
    const done = await operation();
    expect(done.body).toMatchObject({ statecode: 3, statuscode: 30, completedon: expect.any(String) });
    expect(server.org.lastPublishedOn).toBe(done.body.completedon);
    // A synchronous publish sleeps for the org's duration: none now, the lock is free.
    server.org.publishDurationMs = 0;
    expect((await call(server, "POST", "PublishAllXml", {})).status).toBe(204);
  });

  it("fails a publish on request of a fault", async () => {
    server.faults.add({ match: { path: "PublishAllXmlAsync" }, respond: "publishFail" });
    const started = await call(server, "POST", "PublishAllXmlAsync", {});
    const op = await get(server, `asyncoperations(${started.body.AsyncOperationId})?$select=statecode,statuscode,message`);
    expect(op.body).toMatchObject({ statecode: 3, statuscode: 31, message: expect.any(String) });
    expect(server.org.lastPublishedOn).toBeNull();
  });

  it("validates and records ImportSolution files", async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]).toString("base64");
    const bad = await call(server, "POST", "ImportSolution", { CustomizationFile: Buffer.from("not a zip").toString("base64") });
    expect(bad.status).toBe(400);
    const ok = await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: zip, OverwriteUnmanagedCustomizations: true, PublishWorkflows: true });
    expect(ok.status).toBe(200);
    // An empty zip is received (recorded) but the import job fails: it has no solution.xml.
    const job = await get(server, `importjobs(${ok.body.ImportJobKey})?$select=progress,completedon,data`);
    expect(job.body.completedon).toEqual(expect.any(String));
    expect(job.body.data).toContain('errorcode="0x80048060"');
    const op = await get(server, `asyncoperations(${ok.body.AsyncOperationId})?$select=statecode,statuscode`);
    expect(op.body).toMatchObject({ statecode: 3, statuscode: 31 });
    expect(server.org.imports).toHaveLength(2);
  });
});
