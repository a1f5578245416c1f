/**
 * The stand-in's FetchXML subset, table-driven: what it answers and what it refuses with
 * Dataverse's code (powerapps-docs/developer/data-platform/fetchxml/*.md, webapi/use-fetchxml-web-api.md,
 * includes/data-service-error-codes.md).
 */
import { HttpError } from "../../../devserver/errors";
import type { ApiRequest, ServerContext } from "../../../devserver/context";
import { BU, MARKETO_STEPS, SOLUTION, STEP } from "../../../devserver/fixtures/ids";
import { readFetchXml } from "../../../devserver/routes/fetchXml";
import { loadFixture } from "../../../devserver/server";
import { Org } from "../../../devserver/store";

type Row = Record<string, unknown>;
type Body = { value: Row[]; "@odata.context": string; "@odata.count"?: number; "@Microsoft.Dynamics.CRM.morerecords"?: boolean };

const ALL_ANNOTATIONS = 'odata.include-annotations="*"';
const org = new Org(loadFixture("demo-org"));
const ctx: ServerContext = { org, origin: "http://127.0.0.1", serviceRoot: "http://127.0.0.1/api/data/v9.2/" };

function answer(set: string, xml: string, options: { prefer?: string; query?: Record<string, string>; userId?: string } = {}): { status: number; body: Body } {
  const req: ApiRequest = {
    method: "GET",
    path: set,
    query: { fetchXml: xml, ...options.query },
    rawQuery: "",
    headers: options.prefer === undefined ? {} : { prefer: options.prefer },
    body: "",
    userId: options.userId ?? org.currentUserId,
  };
  const res = readFetchXml(ctx, req, org.bySet.get(set)!);
  return { status: res.status, body: JSON.parse(res.body) as Body };
}

function refusal(set: string, xml: string, options: { query?: Record<string, string>; userId?: string } = {}): HttpError {
  try {
    answer(set, xml, options);
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error(`accepted: ${xml}`);
}

const steps = (inner: string, fetchAttrs = "") => `<fetch${fetchAttrs}><entity name='sdkmessageprocessingstep'>${inner}</entity></fetch>`;
const ids = (b: Body, key = "sdkmessageprocessingstepid") => b.value.map((r) => r[key]);
const sorted = (xs: unknown[]) => [...xs].map(String).sort();

/** The loader's query: the steps of a solution named by unique or friendly name, joined without a relationship. */
const marketoSteps = (
  name: string,
) => `<fetch><entity name="sdkmessageprocessingstep"><attribute name="sdkmessageprocessingstepid"/><attribute name="name"/><attribute name="statecode"/><attribute name="statuscode"/><attribute name="ismanaged"/><attribute name="iscustomizable"/>
 <link-entity name="solutioncomponent" from="objectid" to="sdkmessageprocessingstepid" link-type="inner" alias="sc">
   <filter><condition attribute="componenttype" operator="eq" value="92"/></filter>
   <link-entity name="solution" from="solutionid" to="solutionid" link-type="inner" alias="s">
     <filter type="or"><condition attribute="uniquename" operator="eq" value="${name}"/><condition attribute="friendlyname" operator="eq" value="${name}"/></filter>
   </link-entity></link-entity></entity></fetch>`;

describe("answered queries", () => {
  const valid: Array<[string, string, string, { prefer?: string; query?: Record<string, string> }, (b: Body) => void]> = [
    [
      "the loader's join on objectid: exactly the solution's steps, by unique name",
      "sdkmessageprocessingsteps",
      marketoSteps(SOLUTION.uniqueName),
      { prefer: ALL_ANNOTATIONS },
      (b) => {
        expect(sorted(ids(b))).toEqual(sorted(MARKETO_STEPS));
        const step = b.value.find((r) => r.sdkmessageprocessingstepid === STEP.disabled)!;
        expect(step.iscustomizable).toEqual({ Value: true, CanBeChanged: false, ManagedPropertyLogicalName: "iscustomizable" });
        expect(step["statecode@OData.Community.Display.V1.FormattedValue"]).toBe("Disabled");
        expect(Object.keys(step).filter((k) => k.startsWith("sc.") || k.startsWith("s."))).toEqual([]);
        expect(b["@odata.context"]).toBe("http://127.0.0.1/api/data/v9.2/$metadata#sdkmessageprocessingsteps(sdkmessageprocessingstepid,name,statecode,statuscode,ismanaged,iscustomizable)");
      },
    ],
    [
      "… and by friendly name (filter type='or' in a nested link-entity)",
      "sdkmessageprocessingsteps",
      marketoSteps(SOLUTION.friendlyName),
      {},
      (b) => expect(sorted(ids(b))).toEqual(sorted(MARKETO_STEPS)),
    ],
    ["… and nothing for another solution's name", "sdkmessageprocessingsteps", marketoSteps("NoSuchSolution"), {}, (b) => expect(b.value).toEqual([])],
    [
      "no formatted values unless Prefer asks for them",
      "sdkmessageprocessingsteps",
      marketoSteps(SOLUTION.uniqueName),
      {},
      (b) => expect(Object.keys(b.value[0]).filter((k) => k.includes("@"))).toEqual(["@odata.etag"]),
    ],
    [
      "outer join keeps rows without a match; the link's filter is part of the join; its lookup comes back as alias.column",
      "sdkmessageprocessingsteps",
      steps(
        `<attribute name='name'/><link-entity name='solutioncomponent' from='objectid' to='sdkmessageprocessingstepid' link-type='outer' alias='sc'><attribute name='solutionid'/><filter><condition attribute='solutionid' operator='eq' value='{${SOLUTION.default.toUpperCase()}}'/></filter></link-entity>`,
      ),
      { prefer: ALL_ANNOTATIONS },
      (b) => {
        expect(b.value).toHaveLength(MARKETO_STEPS.length + 1);
        const linked = b.value.filter((r) => "sc.solutionid" in r);
        expect(ids({ value: linked } as Body)).toEqual([STEP.unrelated]);
        expect(linked[0]["sc.solutionid"]).toBe(SOLUTION.default);
        expect(linked[0]["sc.solutionid@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("solution");
        expect(linked[0]["sc.solutionid@OData.Community.Display.V1.AttributeName"]).toBe("solutionid");
        expect(linked[0]["sc.solutionid@OData.Community.Display.V1.FormattedValue"]).toBe("Default Solution");
      },
    ],
    [
      "records not in a set: an outer join tested after the join with entityname (join-tables.md)",
      "sdkmessageprocessingsteps",
      steps(
        `<attribute name='name'/><filter><condition entityname='m' attribute='solutioncomponentid' operator='null'/></filter><link-entity name='solutioncomponent' from='objectid' to='sdkmessageprocessingstepid' link-type='outer' alias='m'><filter><condition attribute='solutionid' operator='eq' value='${SOLUTION.marketo}'/></filter></link-entity>`,
      ),
      {},
      (b) => expect(ids(b)).toEqual([STEP.unrelated]),
    ],
    [
      "an inner join repeats the parent once per match; a link-entity without alias is named <table><n>",
      "businessunits",
      `<fetch><entity name='businessunit'><attribute name='name'/><link-entity name='role' from='businessunitid' to='businessunitid'><attribute name='name'/></link-entity></entity></fetch>`,
      {},
      (b) => {
        expect(b.value).toHaveLength(6);
        expect(b.value.filter((r) => r.businessunitid === BU.contoso).map((r) => r["role1.name"])).toHaveLength(3);
      },
    ],
    [
      "exists returns each parent once, without the link's columns",
      "businessunits",
      `<fetch><entity name='businessunit'><attribute name='name'/><link-entity name='role' from='businessunitid' to='businessunitid' link-type='exists'><attribute name='name'/><filter><condition attribute='name' operator='eq' value='Salesperson'/></filter></link-entity></entity></fetch>`,
      {},
      (b) => {
        expect(b.value).toHaveLength(2);
        expect(Object.keys(b.value[0]).filter((k) => k.startsWith("role"))).toEqual([]);
      },
    ],
    [
      "in / not-in with <value> children",
      "sdkmessageprocessingsteps",
      steps(
        `<filter><condition attribute='sdkmessageprocessingstepid' operator='in'><value>${STEP.leadCreate}</value><value>{${STEP.unrelated}}</value></condition><condition attribute='name' operator='not-in'><value>Contoso.Plugins.Audit: Update of account</value></condition></filter>`,
      ),
      {},
      (b) => expect(ids(b)).toEqual([STEP.leadCreate]),
    ],
    [
      "like (case-insensitive, SQL wildcards)",
      "sdkmessageprocessingsteps",
      steps(`<filter><condition attribute='name' operator='like' value='%create OF _ead'/></filter>`),
      {},
      (b) => expect(ids(b)).toEqual([STEP.leadCreate]),
    ],
    ["not-like", "sdkmessageprocessingsteps", steps(`<filter><condition attribute='name' operator='not-like' value='Marketo%'/></filter>`), {}, (b) => expect(ids(b)).toEqual([STEP.unrelated])],
    [
      "ne on a choice column",
      "sdkmessageprocessingsteps",
      steps(`<filter><condition attribute='statecode' operator='ne' value='0'/></filter>`),
      {},
      (b) => expect(sorted(ids(b))).toEqual(sorted([STEP.disabled, STEP.unrelated])),
    ],
    [
      "lt / le / gt / ge, nested and/or filters",
      "sdkmessageprocessingsteps",
      steps(
        `<filter type='or'><filter><condition attribute='statecode' operator='gt' value='0'/><condition attribute='ismanaged' operator='eq' value='1'/></filter><filter><condition attribute='statecode' operator='lt' value='1'/><condition attribute='statecode' operator='ge' value='0'/><condition attribute='name' operator='like' value='%account'/><condition attribute='rank' operator='le' value='1'/></filter></filter>`,
      ),
      {},
      (b) => expect(sorted(ids(b))).toEqual(sorted([STEP.disabled, STEP.accountUpdate])),
    ],
    [
      "null and not-null; a null column is left out of the row",
      "systemusers",
      `<fetch><entity name='systemuser'><attribute name='fullname'/><attribute name='title'/><filter><condition attribute='title' operator='null'/><condition attribute='fullname' operator='not-null'/></filter></entity></fetch>`,
      {},
      (b) => {
        expect(b.value.length).toBeGreaterThan(0);
        for (const r of b.value) expect(r).not.toHaveProperty("title");
      },
    ],
    [
      "choices sort by label: Disabled before Enabled",
      "sdkmessageprocessingsteps",
      steps(`<attribute name='statecode'/><order attribute='statecode'/><order attribute='name' descending='true'/>`),
      {},
      (b) => expect(ids(b).slice(0, 2)).toEqual([STEP.disabled, STEP.unrelated]),
    ],
    [
      "useraworderby sorts choices by value",
      "sdkmessageprocessingsteps",
      steps(`<attribute name='statecode'/><order attribute='statecode' descending='true'/><order attribute='name'/>`, " useraworderby='1'"),
      {},
      (b) => expect(ids(b).slice(0, 2)).toEqual([STEP.unrelated, STEP.disabled]),
    ],
    [
      "top",
      "sdkmessageprocessingsteps",
      steps(`<attribute name='name'/><order attribute='name'/>`, " top='2' no-lock='true'"),
      {},
      (b) => expect(b.value.map((r) => r.name)).toEqual(["Contoso.Plugins.Audit: Update of account", "Marketo.Crm.Plugins.SyncPlugin: Create of contact"]),
    ],
    [
      "count and page, $count and morerecords",
      "sdkmessageprocessingsteps",
      steps(`<attribute name='name'/><order attribute='name'/>`, " count='3' page='2'"),
      { prefer: ALL_ANNOTATIONS, query: { $count: "true" } },
      (b) => {
        expect(b.value.map((r) => r.name)).toEqual([
          "Marketo.Crm.Plugins.SyncPlugin: Delete of lead",
          "Marketo.Crm.Plugins.SyncPlugin: Update of account",
          "Marketo.Crm.Plugins.SyncPlugin: Update of contact",
        ]);
        expect(b["@odata.count"]).toBe(7);
        expect(b["@Microsoft.Dynamics.CRM.morerecords"]).toBe(true);
      },
    ],
    [
      "the last page has no morerecords",
      "sdkmessageprocessingsteps",
      steps(`<attribute name='name'/>`, " count='3' page='3'"),
      { prefer: ALL_ANNOTATIONS },
      (b) => {
        expect(b.value).toHaveLength(1);
        expect(b).not.toHaveProperty("@Microsoft.Dynamics.CRM.morerecords");
      },
    ],
    [
      "distinct: duplicates gone, no primary key",
      "systemusers",
      `<fetch distinct='true'><entity name='systemuser'><attribute name='businessunitid'/><order attribute='businessunitid'/></entity></fetch>`,
      {},
      (b) => {
        expect(b.value.map((r) => r._businessunitid_value)).toEqual([BU.contoso, BU.europe]);
        expect(b.value[0]).not.toHaveProperty("systemuserid");
      },
    ],
    [
      "an attribute alias names the value and keeps the raw GUID of a lookup",
      "systemusers",
      `<fetch top='1'><entity name='systemuser'><attribute name='businessunitid' alias='bu'/><filter><condition attribute='businessunitid' operator='eq' value='${BU.europe}'/></filter></entity></fetch>`,
      { prefer: ALL_ANNOTATIONS },
      (b) => {
        expect(b.value[0].bu).toBe(BU.europe);
        expect(b.value[0]["bu@OData.Community.Display.V1.AttributeName"]).toBe("businessunitid");
        expect(b.value[0]).not.toHaveProperty("_businessunitid_value");
      },
    ],
    [
      "no attribute element, or all-attributes: every column",
      "solutions",
      `<fetch><entity name='solution'><filter><condition attribute='uniquename' operator='eq' value='${SOLUTION.uniqueName}'/></filter><link-entity name='solution' from='solutionid' to='solutionid' alias='same'><all-attributes/></link-entity></entity></fetch>`,
      {},
      (b) => {
        expect(b.value[0]).toMatchObject({ uniquename: SOLUTION.uniqueName, version: SOLUTION.version, ismanaged: true });
        expect(b.value[0]["same.friendlyname"]).toBe(SOLUTION.friendlyName);
      },
    ],
  ];
  it.each(valid)("%s", (_name, set, xml, options, check) => {
    const r = answer(set, xml, options);
    expect(r.status).toBe(200);
    check(r.body);
  });
});

const links = (n: number) => Array.from({ length: n }, (_, i) => `<link-entity name='solution' from='solutionid' to='solutionid' alias='l${i}'/>`).join("");
const conditions = (n: number) => Array.from({ length: n }, () => `<condition attribute='name' operator='not-null'/>`).join("");

describe("refused queries, each with Dataverse's code", () => {
  const invalid: Array<[string, string, string, string, RegExp]> = [
    ["malformed XML", "sdkmessageprocessingsteps", "<fetch><entity name='sdkmessageprocessingstep'>", "0x80040201", /^Invalid XML\.$/],
    ["an empty query", "sdkmessageprocessingsteps", "", "0x80040201", /Invalid XML/],
    ["an unknown table", "sdkmessageprocessingsteps", "<fetch><entity name='nosuchtable'/></fetch>", "0x80041102", /The entity with a name = 'nosuchtable' with namemapping = 'Logical' was not found/],
    ["a table other than the entity set's", "sdkmessageprocessingsteps", "<fetch><entity name='solution'/></fetch>", "0x80041128", /does not match the entity name/],
    [
      "an unknown column",
      "sdkmessageprocessingsteps",
      steps("<attribute name='nosuchcolumn'/>"),
      "0x80041103",
      /'sdkmessageprocessingstep' entity doesn't contain attribute with Name = 'nosuchcolumn'/,
    ],
    ["a lookup named as its Web API property", "systemusers", "<fetch><entity name='systemuser'><attribute name='_businessunitid_value'/></entity></fetch>", "0x80041103", /_businessunitid_value/],
    ["an unknown column in a condition", "sdkmessageprocessingsteps", steps("<filter><condition attribute='nope' operator='eq' value='1'/></filter>"), "0x80041103", /Name = 'nope'/],
    [
      "an unknown link-entity column",
      "sdkmessageprocessingsteps",
      steps("<link-entity name='solutioncomponent' from='nope' to='sdkmessageprocessingstepid'/>"),
      "0x80041103",
      /'solutioncomponent' entity doesn't contain attribute with Name = 'nope'/,
    ],
    ["an unknown link-entity table", "sdkmessageprocessingsteps", steps("<link-entity name='nope' from='a' to='b'/>"), "0x80041102", /name = 'nope'/],
    ["an unknown operator", "sdkmessageprocessingsteps", steps("<filter><condition attribute='name' operator='equals' value='x'/></filter>"), "0x80041120", /Unsupported condition operator/],
    [
      "a documented operator the stand-in does not emulate",
      "sdkmessageprocessingsteps",
      steps("<filter><condition attribute='rank' operator='between'><value>1</value><value>2</value></condition></filter>"),
      "0x80060888",
      /'between' is not emulated/,
    ],
    ["a filter type other than and/or", "sdkmessageprocessingsteps", steps("<filter type='xor'/>"), "0x80041122", /Unsupported filter type/],
    ["an unknown link-type", "sdkmessageprocessingsteps", steps("<link-entity name='solution' from='solutionid' to='sdkmessageprocessingstepid' link-type='left'/>"), "0x80041117", /link-type/],
    ["distinct='yes'", "sdkmessageprocessingsteps", steps("", " distinct='yes'"), "0x80041115", /distinct attribute/],
    ["descending='maybe'", "sdkmessageprocessingsteps", steps("<order attribute='name' descending='maybe'/>"), "0x80041119", /descending attribute/],
    [
      "a duplicate alias",
      "sdkmessageprocessingsteps",
      steps("<link-entity name='solution' from='solutionid' to='sdkmessageprocessingstepid' alias='a'/><link-entity name='solution' from='solutionid' to='sdkmessageprocessingstepid' alias='a'/>"),
      "0x80041130",
      /unique aliases/,
    ],
    ["a condition on an unknown alias", "sdkmessageprocessingsteps", steps("<filter><condition entityname='zz' attribute='name' operator='null'/></filter>"), "0x8004110A", /alias/],
    ["an unknown element", "sdkmessageprocessingsteps", steps("<select name='x'/>"), "0x8004111C", /element node encountered is invalid/],
    ["no entity element", "sdkmessageprocessingsteps", "<fetch/>", "0x80041123", /required element/],
    ["a link-entity without from", "sdkmessageprocessingsteps", steps("<link-entity name='solution' to='sdkmessageprocessingstepid'/>"), "0x8004111E", /required attribute/],
    ["16 link-entities", "solutions", `<fetch><entity name='solution'>${links(16)}</entity></fetch>`, "0x8004430D", /Number of link entities in query exceeded maximum limit/],
    ["501 conditions", "sdkmessageprocessingsteps", steps(`<filter>${conditions(501)}</filter>`), "0x8004430C", /Number of conditions in query exceeded maximum limit/],
    [
      "an aggregate query (not emulated)",
      "sdkmessageprocessingsteps",
      steps("<attribute name='name' alias='n' aggregate='count'/>", " aggregate='true'"),
      "0x80060888",
      /aggregate query is not emulated/,
    ],
    ["top above 5,000", "sdkmessageprocessingsteps", steps("", " top='5001'"), "0x80060888", /5000/],
    ["top with page", "sdkmessageprocessingsteps", steps("", " top='5' page='1'"), "0x80060888", /top attribute can't be used with the page or count/],
    ["top='0'", "sdkmessageprocessingsteps", steps("", " top='0'"), "0x8004110C", /greater than zero/],
    [
      "a value that is not a GUID for a GUID column",
      "sdkmessageprocessingsteps",
      steps("<filter><condition attribute='sdkmessageprocessingstepid' operator='eq' value='abc'/></filter>"),
      "0x80041108",
      /Invalid value/,
    ],
    [
      "a value that is not a number for a choice",
      "sdkmessageprocessingsteps",
      steps("<filter><condition attribute='statecode' operator='eq' value='Enabled'/></filter>"),
      "0x80041108",
      /Invalid value/,
    ],
  ];
  it.each(invalid)("%s", (_name, set, xml, code, message) => {
    const e = refusal(set, xml);
    expect(e.status).toBe(400);
    expect({ code: e.code, message: e.message }).toEqual({ code, message: expect.stringMatching(message) });
  });

  it("refuses another query option beside fetchXml", () => {
    const e = refusal("sdkmessageprocessingsteps", steps(""), { query: { $select: "name" } });
    expect([e.status, e.code]).toEqual([400, "0x80060888"]);
  });

  it("checks the read privilege of the entity set's table and of each joined table (403 0x80040220)", () => {
    const user = org.currentUserId;
    org.denied[user] = ["prvReadSolution"];
    try {
      const joined = refusal("sdkmessageprocessingsteps", marketoSteps(SOLUTION.uniqueName));
      expect([joined.status, joined.code]).toEqual([403, "0x80040220"]);
      expect(joined.message).toMatch(/prvReadSolution privilege/);
      const root = refusal("solutions", "<fetch><entity name='solution'/></fetch>");
      expect([root.status, root.code]).toEqual([403, "0x80040220"]);
      expect(answer("sdkmessageprocessingsteps", steps("<attribute name='name'/>")).status).toBe(200);
    } finally {
      delete org.denied[user];
    }
  });
});
