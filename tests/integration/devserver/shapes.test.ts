/**
 * The stand-in answers like the examples on Microsoft's pages (tests/unit/contract/examples.ts
 * names each page): same property and annotation names and JSON types, same `$batch` layout
 * (delimiters, header names, status lines, blank lines, CRLF). Values are not compared. If the
 * stand-in drifts from Dataverse's documented shapes, this fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { run } from "../../../cli/main";
import { APP, CONFIG, ORG, SECRET, USER } from "../../../devserver/fixtures/ids";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { buildZips } from "../cli/zips";
import * as docs from "../../unit/contract/examples";
import { contextFragment, multipartSkeleton, shapeDiff } from "../../unit/contract/shape";
import { call, get, start, type Got } from "./helpers";

let server: DevServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const example = (e: docs.DocExample) => JSON.parse(e.body) as Record<string, unknown>;

/** Same status, same shape, same `$metadata#` fragment, same Content-Type when the example shows one. */
function expectLike(got: Got, doc: docs.DocExample, allowExtra: string[] = []) {
  expect(got.status).toBe(doc.status);
  expect(shapeDiff(example(doc), got.body, allowExtra)).toEqual([]);
  expect(contextFragment(got.body)).toBe(contextFragment(example(doc)));
  expect(got.headers.get("OData-Version")).toBe("4.0");
  if (doc.headers["Content-Type"]) expect(got.headers.get("Content-Type")).toBe(doc.headers["Content-Type"]);
}

describe("functions and actions", () => {
  it("WhoAmI: three Edm.Guid (webapi/use-web-api-functions.md)", async () => {
    const r = await get(server, "WhoAmI()");
    expectLike(r, docs.whoAmI);
    for (const key of ["BusinessUnitId", "UserId", "OrganizationId"]) expect(r.body[key]).toMatch(GUID);
  });

  it("RetrieveUserPrivileges: RolePrivileges with Depth as a member name (webapi/use-web-api-functions.md)", async () => {
    const r = await get<{ RolePrivileges: Array<Record<string, string>> }>(server, `systemusers(${USER.admin})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`);
    expectLike(r, docs.retrieveUserPrivileges);
    expect(r.body.RolePrivileges.length).toBeGreaterThan(0);
    for (const p of r.body.RolePrivileges) {
      expect(["Basic", "Local", "Deep", "Global"]).toContain(p.Depth);
      expect(p.PrivilegeId).toMatch(GUID);
      expect(p.BusinessUnitId).toMatch(GUID);
    }
  });

  it("RetrievePrincipalAccess: AccessRights as comma-separated flag names (security-access-coding.md)", async () => {
    const target = encodeURIComponent(`{'@odata.id':'mkto_marketoconfigs(${CONFIG.defaultRecord})'}`);
    const r = await get(server, `systemusers(${USER.marketoSync})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)?@p1=${target}`);
    // The example's headers show no Content-Type; the stand-in's is the one every JSON answer has.
    expectLike(r, docs.retrievePrincipalAccess);
    expect(r.body.AccessRights).toMatch(/^(None|[A-Za-z]+Access(, [A-Za-z]+Access)*)$/);
  });

  it("RetrieveCurrentOrganization, with the parameter as an alias as in the sample (webapi/samples/webapiservice-functions-and-actions.md)", async () => {
    const r = await get(server, `RetrieveCurrentOrganization(AccessType=@p1)?@p1=${encodeURIComponent("Microsoft.Dynamics.CRM.EndpointAccessType'Default'")}`);
    // OrganizationType and SchemaType: listed on webapi/reference/organizationdetail.md, newer than the sample.
    expectLike(r, docs.retrieveCurrentOrganization, docs.ORGANIZATION_DETAIL_LATER_PROPERTIES);
    const detail = r.body.Detail as { Endpoints: { Count: number; Keys: string[]; Values: string[] }; State: string };
    expect(detail.Endpoints.Keys).toEqual(["WebApplication", "OrganizationService", "OrganizationDataService"]);
    expect(detail.Endpoints.Values).toHaveLength(detail.Endpoints.Count);
    expect(detail.State).toBe("Enabled");
  });

  it("PublishAllXmlAsync: AsyncOperationId, an Edm.Guid (webapi/reference/publishallxmlasyncresponse.md)", async () => {
    const r = await call(server, "POST", "PublishAllXmlAsync", {});
    expectLike(r, docs.publishAllXmlAsync);
    expect(r.body.AsyncOperationId).toMatch(GUID);
  });

  it("ImportSolutionAsync: AsyncOperationId (Edm.Guid) and ImportJobKey (Edm.String) (webapi/reference/importsolutionasyncresponse.md)", async () => {
    const r = await call(server, "POST", "ImportSolutionAsync", {
      CustomizationFile: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
      OverwriteUnmanagedCustomizations: false,
      PublishWorkflows: true,
      ImportJobId: "11111111-2222-3333-4444-555555555555",
    });
    expectLike(r, docs.importSolutionAsync);
    expect(r.body.AsyncOperationId).toMatch(GUID);
    expect(typeof r.body.ImportJobKey).toBe("string");
  });
});

describe("errors", () => {
  it("an error is {error:{code,message}}; the detail annotations are optional (webapi/compose-http-requests-handle-errors.md)", async () => {
    const r = await get(server, "systemusers(00000000-0000-0000-0000-00000000dead)", { Prefer: 'odata.include-annotations="*"' });
    expect(r.headers.get("Content-Type")).toBe(docs.errorWithAnnotations.headers["Content-Type"]);
    expect(shapeDiff(example(docs.errorWithAnnotations), r.body).filter((d) => !docs.ERROR_DETAIL_ANNOTATIONS.some((a) => d.includes(a)))).toEqual([]);
    expect((r.body.error as { code: string }).code).toMatch(/^0x[0-9a-fA-F]{8}$/);
  });

  it.each([
    ["requests", "requests"],
    ["executionTime", "time"],
    ["concurrency", "concurrency"],
  ] as const)("the throttling preset (%s) is the page's 429: Retry-After in whole seconds, its code and text (api-limits.md)", async (limit, page) => {
    server.faults.add({ match: { path: "WhoAmI" }, respond: server.faults.presets.throttle(20, limit) });
    const r = await get(server, "WhoAmI()");
    const doc = docs.throttled(page, 20);
    expect(r.status).toBe(429);
    expect(r.headers.get("Retry-After")).toBe(doc.headers["Retry-After"]);
    expect(r.body).toEqual(JSON.parse(doc.body));
  });
});

describe("$batch (webapi/execute-batch-operations-using-web-api.md)", () => {
  const boundary = "batch_80dd1615-2a10-428a-bb6f-0e559792721f";
  const changeset = "changeset_246e6bfe-89a4-4c77-b293-7a433f082e8a";
  const part = (request: string, body?: string, contentId?: string, delimiter = boundary) =>
    [
      `--${delimiter}`,
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      ...(contentId ? [`Content-ID: ${contentId}`] : []),
      "",
      request,
      ...(body ? ["Content-Type: application/json; type=entry", "", body] : ["", ""]),
    ].join("\r\n");
  const create = (name: string, contentId?: string, delimiter?: string) => part("POST /api/data/v9.2/teams HTTP/1.1", JSON.stringify({ name }), contentId, delimiter);
  const invalid = () => part("POST /api/data/v9.2/teams HTTP/1.1", JSON.stringify({ name: "x", nosuchcolumn: 1 }));
  const read = () => part("GET /api/data/v9.2/teams?$select=name HTTP/1.1");
  const end = (delimiter: string) => `--${delimiter}--\r\n`;

  async function batch(body: string, prefer?: string) {
    return call(server, "POST", "$batch", body, { "Content-Type": `multipart/mixed; boundary="${boundary}"`, ...(prefer ? { Prefer: prefer } : {}) });
  }
  const skeleton = (r: Got) => multipartSkeleton(r.headers.get("Content-Type") ?? "", r.text);
  const docSkeleton = (e: docs.DocExample) => multipartSkeleton(e.headers["Content-Type"], e.body);

  it("creates and a GET outside change sets: 204s with Location and OData-EntityId, then the 200 (Batch responses)", async () => {
    const r = await batch([create("T1"), create("T2"), read()].join("\r\n") + "\r\n" + end(boundary));
    expect(r.status).toBe(docs.batchResponse.status);
    expect(r.headers.get("OData-Version")).toBe("4.0");
    expect(skeleton(r)).toEqual(docSkeleton(docs.batchResponse));
  });

  it("a change set comes back nested, its parts with their Content-ID (Change sets)", async () => {
    const body = [
      `--${boundary}`,
      `Content-Type: multipart/mixed; boundary="${changeset}"`,
      "",
      create("T1", "1", changeset),
      create("T2", "2", changeset),
      end(changeset),
      read(),
      end(boundary),
    ].join("\r\n");
    const r = await batch(body);
    expect(r.status).toBe(docs.changeSetResponse.status);
    expect(skeleton(r)).toEqual(docSkeleton(docs.changeSetResponse));
  });

  it("without odata.continue-on-error: the first failure ends the batch and gives it its status (Handling errors)", async () => {
    const r = await batch([invalid(), create("T2"), create("T3")].join("\r\n") + "\r\n" + end(boundary));
    expect(r.status).toBe(docs.batchStoppedResponse.status);
    expect(skeleton(r)).toEqual(docSkeleton(docs.batchStoppedResponse));
  });

  it("with odata.continue-on-error: 200, the error in its part, the rest run (Handling errors)", async () => {
    const r = await batch([invalid(), create("T2")].join("\r\n") + "\r\n" + end(boundary), "odata.continue-on-error");
    expect(r.status).toBe(docs.batchContinuedResponse.status);
    expect(skeleton(r)).toEqual(docSkeleton(docs.batchContinuedResponse));
  });
});

describe("ImportJobKey is an Edm.String key (webapi/reference/importsolutionasyncresponse.md)", () => {
  let tokenServer: DevServer;
  let work: string;
  beforeAll(async () => {
    tokenServer = await startDevServer({ auth: "token", publishDurationMs: 0, importDurationMs: 50 });
    work = mkdtempSync(join(tmpdir(), "mss-shapes-"));
  });
  afterAll(() => {
    tokenServer.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("deploy follows the import job by the ImportJobId it sent (the id of the job created, reference/importsolutionasync.md), whatever the key looks like", async () => {
    const zips = buildZips(work);
    const capture = () => ({
      text: "",
      isTTY: false,
      write(s: string) {
        this.text += s;
        return true;
      },
    });
    const stdout = capture();
    const stderr = capture();
    // An org whose key is not the job's GUID: the stand-in's answer with another Edm.String in ImportJobKey.
    const fetchImpl = async (url: string, init: RequestInit) => {
      const response = await fetch(url, init);
      if (!url.endsWith("/ImportSolutionAsync") || !response.ok) return response;
      const body = { ...(await response.json()), ImportJobKey: "SolutionImport:MarketoConfigControl" };
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const args = [
      "deploy",
      "--json",
      "--no-publish",
      zips.v1Managed,
      "--url",
      tokenServer.url,
      "--tenant",
      ORG.tenantId,
      "--client-id",
      APP.marketoSync,
      "--authority",
      `${tokenServer.url}/${ORG.tenantId}`,
    ];
    const code = await run(args, { stdout, stderr, stdin: Readable.from([]), env: { MARKETO_DYNAMICS_CLIENT_SECRET: SECRET.marketoSync }, fetch: fetchImpl, retryDelayMs: 5, pollIntervalMs: 20 });
    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    const { imported } = JSON.parse(stdout.text) as { imported: { uniqueName: string; importJobId: string } };
    expect(imported.uniqueName).toBe("MarketoConfigControl");
    expect(imported.importJobId).toMatch(GUID);
    expect(tokenServer.org.get("importjob", imported.importJobId)).toMatchObject({ progress: 100, solutionname: "MarketoConfigControl" });
  }, 60_000);
});
