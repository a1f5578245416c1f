/**
 * FetchXML through the Web API (powerapps-docs/developer/data-platform/webapi/use-fetchxml-web-api.md):
 * `GET <entitySet>?fetchXml=<encodeURIComponent(fetch)>`, on its own and as a `$batch` part. The
 * loader's query (a plugin step's solution through solutioncomponent.objectid, a join without a
 * relationship) must give exactly the steps the OData route gives for the same solution.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import { MARKETO_STEPS, SOLUTION, STEP } from "../../../devserver/fixtures/ids";
import { DevServer } from "../../../devserver/server";
import { Collection, get, query, start } from "./helpers";

jest.setTimeout(60_000);

type Row = Record<string, unknown>;

const COLUMNS = ["sdkmessageprocessingstepid", "name", "statecode", "statuscode", "ismanaged", "iscustomizable"];

const stepsOf = (name: string) => `<fetch><entity name="sdkmessageprocessingstep">${COLUMNS.map((c) => `<attribute name="${c}"/>`).join("")}
 <link-entity name="solutioncomponent" from="objectid" to="sdkmessageprocessingstepid" link-type="inner" alias="sc">
   <filter><condition attribute="componenttype" operator="eq" value="92"/></filter>
   <link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="s">
     <filter type="or"><condition attribute="uniquename" operator="eq" value="${name}"/><condition attribute="friendlyname" operator="eq" value="${name}"/></filter>
   </link-entity></link-entity></entity></fetch>`;

const fetchPath = (name: string) => `sdkmessageprocessingsteps?fetchXml=${encodeURIComponent(stepsOf(name))}`;

const byId = (rows: Row[]) => [...rows].sort((a, b) => String(a.sdkmessageprocessingstepid).localeCompare(String(b.sdkmessageprocessingstepid)));
const withoutNulls = (row: Row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));

describe("FetchXML on the Web API", () => {
  let server: DevServer;
  let client: DataverseClient;
  beforeAll(async () => {
    server = await start();
    client = new DataverseClient({ orgUrl: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  /** The same steps read the OData way: the solution's type-92 components, then those steps. */
  async function odataSteps(uniqueName: string): Promise<Row[]> {
    const solutions = await get<Collection>(
      server,
      `solutions${query({ $select: "solutionid", $filter: `uniquename eq '${uniqueName}'`, $expand: "solution_solutioncomponent($select=objectid;$filter=componenttype eq 92)" })}`,
    );
    expect(solutions.status).toBe(200);
    const objectIds = solutions.body.value.flatMap((s) => (s.solution_solutioncomponent as Row[]).map((c) => String(c.objectid)));
    const filter = `Microsoft.Dynamics.CRM.In(PropertyName='sdkmessageprocessingstepid',PropertyValues=[${objectIds.map((id) => `'${id}'`).join(",")}])`;
    const steps = await get<Collection>(server, `sdkmessageprocessingsteps${query({ $select: COLUMNS.join(","), $filter: filter })}`);
    expect(steps.status).toBe(200);
    return steps.body.value;
  }

  it("a plain GET returns exactly the Marketo solution's steps, as the OData route does", async () => {
    const odata = await odataSteps(SOLUTION.uniqueName);
    expect(odata.map((r) => r.sdkmessageprocessingstepid).sort()).toEqual([...MARKETO_STEPS].sort());
    const r = await get<Collection>(server, fetchPath(SOLUTION.uniqueName));
    expect(r.status).toBe(200);
    expect(r.body["@odata.context"]).toBe(`${server.url}/api/data/v9.2/$metadata#sdkmessageprocessingsteps(${COLUMNS.join(",")})`);
    expect(byId(r.body.value)).toEqual(byId(odata).map(withoutNulls));
    expect(r.body.value.map((s) => s.sdkmessageprocessingstepid)).not.toContain(STEP.unrelated);
  });

  it("answers the same query as the first part of a $batch, in one round trip, also by friendly name", async () => {
    const odata = await odataSteps(SOLUTION.uniqueName);
    server.resetCount();
    const [byUniqueName, byFriendlyName, whoAmI] = await client.batchGet([fetchPath(SOLUTION.uniqueName), fetchPath(SOLUTION.friendlyName), "WhoAmI()"]);
    expect(server.requestCount()).toBe(1);
    for (const part of [byUniqueName, byFriendlyName]) {
      expect(part).toMatchObject({ ok: true, status: 200 });
      expect(byId((part.data as Collection).value)).toEqual(byId(odata).map(withoutNulls));
    }
    expect(whoAmI.ok).toBe(true);
  });

  it("follows the organisation's data: a step added to the solution is found, one removed is not", async () => {
    const components = server.org.table(server.org.entity("solutioncomponent"));
    const removed = [...components.values()].find((c) => c.objectid === STEP.leadCreate)!;
    components.delete(String(removed.solutioncomponentid));
    server.org.insert(server.org.entity("solutioncomponent"), { objectid: STEP.unrelated, componenttype: 92, _solutionid_value: SOLUTION.marketo });
    const r = await get<Collection>(server, fetchPath(SOLUTION.uniqueName));
    const found = r.body.value.map((s) => s.sdkmessageprocessingstepid);
    expect(found).toContain(STEP.unrelated);
    expect(found).not.toContain(STEP.leadCreate);
    expect((await odataSteps(SOLUTION.uniqueName)).map((s) => s.sdkmessageprocessingstepid).sort()).toEqual([...found].sort());
  });

  it("a refused fetch fails its part with Dataverse's error; the other parts still answer", async () => {
    const bad = `sdkmessageprocessingsteps?fetchXml=${encodeURIComponent(stepsOf("x").replace('name="statecode"', 'name="nosuchcolumn"'))}`;
    const [part, other] = await client.batchGet([bad, "WhoAmI()"]);
    expect(part).toMatchObject({ ok: false, status: 400 });
    expect(part.error?.code).toBe("0x80041103");
    expect(other.ok).toBe(true);
  });

  it("the table's read privilege applies, as for OData reads (403 0x80040220)", async () => {
    server.org.denied[server.org.currentUserId] = ["prvReadSdkMessageProcessingStep"];
    const r = await get(server, fetchPath(SOLUTION.uniqueName));
    expect(r.status).toBe(403);
    expect((r.body.error as { code: string }).code).toBe("0x80040220");
  });
});
