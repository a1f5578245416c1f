/**
 * Forms on the devserver: a plain read returns the published form, RetrieveUnpublished(Multiple)
 * the latest saved one; a PATCH of formxml changes only the latest saved one; PublishXml of the
 * table, PublishAllXml and PublishAllXmlAsync publish it.
 */
import { FORM } from "../../../devserver/fixtures/ids";
import { publishedFormXml, saveUnpublishedForm, unpublishedFormXml } from "../../../devserver/routes/forms";
import type { DevServer } from "../../../devserver/server";
import { call, get, query, start, type Collection } from "./helpers";

let server: DevServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const EDITED = '<form><tabs><tab name="added_by_admin"/></tabs></form>';
const MULTIPLE = "systemforms/Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple()";
const mainForm = query({ $select: "formid,name,formxml", $filter: "objecttypecode eq 'mkto_marketoconfig' and type eq 2" });
const published = async () => (await get<Collection>(server, `systemforms${mainForm}`)).body.value[0].formxml;
const latest = async () => (await get<Collection>(server, `${MULTIPLE}${mainForm}`)).body.value[0].formxml;
const publishTable = () => call(server, "POST", "PublishXml", { ParameterXml: "<importexportxml><entities><entity>mkto_marketoconfig</entity></entities></importexportxml>" });

describe("unpublished and published forms", () => {
  it("without unpublished edits, both reads return the published form (the fixture's header copy included)", async () => {
    const original = await published();
    expect(original).toContain(`<control id="header_mkto_marketouserid"`);
    expect(await latest()).toBe(original);
    const one = await get(server, `systemforms(${FORM.main})/Microsoft.Dynamics.CRM.RetrieveUnpublished()?$select=formxml`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ formid: FORM.main, formxml: original });
  });

  it("a PATCH of formxml changes only the latest saved form; PublishXml of the table publishes it", async () => {
    const original = await published();
    const patch = await call(server, "PATCH", `systemforms(${FORM.main})`, { formxml: EDITED }, { "If-Match": "*" });
    expect(patch.status).toBe(204);
    expect(await published()).toBe(original);
    expect(await latest()).toBe(EDITED);
    expect((await get(server, `systemforms(${FORM.main})/Microsoft.Dynamics.CRM.RetrieveUnpublished()`)).body.formxml).toBe(EDITED);
    expect((await get(server, `systemforms(${FORM.main})?$select=formxml`)).body.formxml).toBe(original);
    // Another table's publish leaves it waiting.
    expect((await call(server, "POST", "PublishXml", { ParameterXml: "<importexportxml><entities><entity>lead</entity></entities></importexportxml>" })).status).toBe(204);
    expect(await published()).toBe(original);
    expect((await publishTable()).status).toBe(204);
    expect(await published()).toBe(EDITED);
    expect(await latest()).toBe(EDITED);
  });

  it("PublishAllXml and PublishAllXmlAsync publish every form; a failed async publish publishes nothing", async () => {
    saveUnpublishedForm(server.org, FORM.main, EDITED);
    expect((await call(server, "POST", "PublishAllXml")).status).toBe(204);
    expect(publishedFormXml(server.org, FORM.main)).toBe(EDITED);

    server.reset();
    server.faults.add({ match: { method: "POST", path: "PublishAllXmlAsync" }, times: 1, respond: "publishFail" });
    saveUnpublishedForm(server.org, FORM.main, EDITED);
    const failed = await call(server, "POST", "PublishAllXmlAsync");
    expect((await get(server, `asyncoperations(${failed.body.AsyncOperationId})?$select=statuscode`)).body.statuscode).toBe(31);
    expect(publishedFormXml(server.org, FORM.main)).not.toBe(EDITED);
    expect(unpublishedFormXml(server.org, FORM.main)).toBe(EDITED);
    const ok = await call(server, "POST", "PublishAllXmlAsync");
    expect((await get(server, `asyncoperations(${ok.body.AsyncOperationId})?$select=statuscode`)).body.statuscode).toBe(30);
    expect(publishedFormXml(server.org, FORM.main)).toBe(EDITED);
  });

  it("refuses a formxml that is not a well-formed form, and other methods and tables", async () => {
    expect((await call(server, "PATCH", `systemforms(${FORM.main})`, { formxml: "<form><tabs>" }, { "If-Match": "*" })).status).toBe(400);
    expect((await call(server, "PATCH", `systemforms(${FORM.main})`, { formxml: "<notaform/>" }, { "If-Match": "*" })).status).toBe(400);
    expect(await latest()).toBe(await published());
    expect((await call(server, "POST", MULTIPLE, {})).status).toBe(405);
    expect((await get(server, "systemusers/Microsoft.Dynamics.CRM.RetrieveUnpublishedMultiple()")).status).toBe(404);
  });
});
