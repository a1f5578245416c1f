/**
 * ImportSolution / ImportSolutionAsync on the devserver: the zip is unpacked, checked as Dataverse
 * checks it, and the solution and its control are registered; bad files are refused with the
 * import error codes.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import type { DevServer } from "../../../devserver/server";
import { buildZips } from "../cli/zips";
import { call, get, start, type Collection } from "./helpers";

let server: DevServer;
let work: string;
let zips: ReturnType<typeof buildZips>;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const file = (path: string) => b64(readFileSync(path));

beforeAll(async () => {
  server = await start();
  work = mkdtempSync(join(tmpdir(), "mss-import-"));
  zips = buildZips(work);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const solution = async () => (await get<Collection>(server, "solutions?$select=uniquename,version,ismanaged&$filter=uniquename eq 'MarketoConfigControl'")).body.value;

/** The v1 managed zip with one entry replaced (or removed with null). */
function altered(name: string, content: string | null): string {
  const entries = unzipSync(readFileSync(zips.v1Managed));
  if (content === null) delete entries[name];
  else entries[name] = strToU8(content);
  return b64(zipSync(entries));
}

describe("devserver solution import", () => {
  it("fresh install registers the solution, the control and its solution component", async () => {
    const r = await call(server, "POST", "ImportSolution", {
      CustomizationFile: file(zips.v1Managed),
      OverwriteUnmanagedCustomizations: false,
      PublishWorkflows: true,
      ImportJobId: "11111111-2222-3333-4444-555555555555",
    });
    expect(r.status).toBe(204);
    expect(await solution()).toEqual([expect.objectContaining({ uniquename: "MarketoConfigControl", version: "1.0.0.0", ismanaged: true })]);
    const controls = (await get<Collection>(server, "customcontrols?$select=name,version,compatibledatatypes,manifest,solutionid")).body.value;
    expect(controls).toHaveLength(1);
    expect(controls[0]).toMatchObject({ name: "mss_MarketoSync.MarketoConfigControl", version: "1.0.0", compatibledatatypes: "Lookup.Simple" });
    expect(String(controls[0].manifest)).toContain('constructor="MarketoConfigControl"');
    const components = (await get<Collection>(server, `solutioncomponents?$select=objectid&$filter=componenttype eq 66`)).body.value;
    expect(components.map((c) => c.objectid)).toEqual([controls[0].customcontrolid]);
    const job = await get(server, "importjobs(11111111-2222-3333-4444-555555555555)?$select=progress,completedon,data,solutionname");
    expect(job.body).toMatchObject({ progress: 100, solutionname: "MarketoConfigControl" });
    expect(job.body.data).toContain('<result result="success"');
  });

  it("managed: upgrade to a higher version; the same version and a lower one are refused with 0x80048541", async () => {
    expect((await call(server, "POST", "ImportSolution", { CustomizationFile: file(zips.v1Managed) })).status).toBe(204);
    expect((await call(server, "POST", "ImportSolution", { CustomizationFile: file(zips.v2Managed) })).status).toBe(204);
    expect((await solution())[0].version).toBe("1.0.1.0");
    // KB 4499878's text and code; a managed solution is immutable per version (powerplatform-build-tools#212).
    const refusal = { error: { code: "0x80048541", message: "The import solution must have a higher version than the existing solution it is upgrading." } };
    const same = await call(server, "POST", "ImportSolution", { CustomizationFile: file(zips.v2Managed) });
    expect(same.status).toBe(400);
    expect(same.body).toEqual(refusal);
    const lower = await call(server, "POST", "ImportSolution", { CustomizationFile: file(zips.v1Managed) });
    expect(lower.status).toBe(400);
    expect(lower.body).toEqual(refusal);
    expect((await solution())[0].version).toBe("1.0.1.0");
    const unmanagedOver = await call(server, "POST", "ImportSolution", { CustomizationFile: file(zips.v1Unmanaged) });
    expect(unmanagedOver.body.error).toMatchObject({ code: "0x80048041" });
    expect((await get<Collection>(server, "customcontrols?$select=name")).body.value).toHaveLength(1);
  });

  it("async import: progress rises to 100, then the solution is registered", async () => {
    // An hour-long import whose clock the test moves (the devserver computes progress from the job's
    // start on each request): half-way, then done. No wall-clock window decides what is seen.
    server.org.importDurationMs = 60 * 60_000;
    const r = await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: file(zips.v1Managed), ImportJobId: "21111111-2222-3333-4444-555555555555" });
    expect(r.status).toBe(200);
    const job = server.org.jobs.find((j) => j.id === r.body.AsyncOperationId);
    if (!job) throw new Error("the import started no job");
    const importJob = () => get(server, `importjobs(${r.body.ImportJobKey})?$select=progress,completedon`);
    const operation = () => get(server, `asyncoperations(${r.body.AsyncOperationId})?$select=statecode,statuscode`);

    job.startedAt = Date.now() - job.durationMs / 2;
    const midway = await importJob();
    expect(midway.body.completedon).toBeNull();
    expect(Number(midway.body.progress)).toBeGreaterThan(0);
    expect(Number(midway.body.progress)).toBeLessThan(100);
    expect((await operation()).body).toMatchObject({ statecode: 2, statuscode: 20 });
    expect(await solution()).toEqual([]);

    job.startedAt = Date.now() - job.durationMs;
    const done = await importJob();
    expect(done.body).toMatchObject({ progress: 100, completedon: expect.any(String) });
    expect((await operation()).body).toMatchObject({ statecode: 3, statuscode: 30 });
    expect(await solution()).toHaveLength(1);
  });

  it.each([
    ["a corrupted zip", () => b64(readFileSync(zips.v1Managed).subarray(0, 200)), "0x80048060"],
    ["a zip without solution.xml", () => altered("solution.xml", null), "0x80048060"],
    ["malformed customizations.xml", () => altered("customizations.xml", "<ImportExportXml><Entities></ImportExportXml>"), "0x80048013"],
    ["solution.xml without a manifest", () => altered("solution.xml", '<ImportExportXml version="9.1"></ImportExportXml>'), "0x8004801A"],
    ["a missing control manifest", () => altered("Controls/mss_MarketoSync.MarketoConfigControl/ControlManifest.xml", null), "0x8004801F"],
    ["an unparseable control manifest", () => altered("Controls/mss_MarketoSync.MarketoConfigControl/ControlManifest.xml", "<manifest><control"), "0x8004802C"],
  ])("refuses %s with a Dataverse import error, sync and async", async (_, make, code) => {
    const sync = await call(server, "POST", "ImportSolution", { CustomizationFile: make() });
    expect(sync.status).toBe(400);
    expect(sync.body.error).toMatchObject({ code });
    const started = await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: make() });
    const op = await get(server, `asyncoperations(${started.body.AsyncOperationId})?$select=statecode,statuscode,message`);
    expect(op.body).toMatchObject({ statecode: 3, statuscode: 31, message: expect.stringContaining(code) });
    const job = await get(server, `importjobs(${started.body.ImportJobKey})?$select=data,completedon`);
    expect(job.body.data).toContain(`errorcode="${code}"`);
    expect(await solution()).toEqual([]);
  });

  it("PATCH of a form's formxml must be well-formed; PublishXml names existing tables", async () => {
    const forms = (await get<Collection>(server, "systemforms?$select=formid,formxml&$filter=objecttypecode eq 'mkto_marketoconfig' and type eq 2")).body.value;
    expect(forms).toHaveLength(1);
    const bad = await call(server, "PATCH", `systemforms(${forms[0].formid})`, { formxml: "<form><tabs>" }, { "If-Match": "*" });
    expect(bad.status).toBe(400);
    const ok = await call(server, "POST", "PublishXml", { ParameterXml: "<importexportxml><entities><entity>mkto_marketoconfig</entity></entities></importexportxml>" });
    expect(ok.status).toBe(204);
    expect(server.org.publishedXml).toHaveLength(1);
    expect((await call(server, "POST", "PublishXml", { ParameterXml: "<importexportxml><entities><entity>nope</entity></entities></importexportxml>" })).status).toBe(404);
  });
});
