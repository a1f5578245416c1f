/**
 * What the devserver's solution import refuses and accepts as Dataverse does, on variants of our
 * own packed solution (solutionZips.ts): the custom-control checks, schema failures, the managed
 * version rule, the control-version rule, and the layouts the service takes that pac does not write.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevServer } from "../../../devserver/server";
import { composeSolution, zipEntries } from "../../../pack/build";
import { dataverseExportLayout, fixtureRoot, handZipped, twoPartVersion } from "../../unit/pack/fixture";
import { buildZips } from "../cli/zips";
import { call, get, start, type Collection } from "./helpers";
import { CONTROL, MANIFEST_ENTRY, edited, replaceIn, type Entries } from "./solutionZips";

let server: DevServer;
let work: string;
let zips: ReturnType<typeof buildZips>;

beforeAll(async () => {
  server = await start();
  work = mkdtempSync(join(tmpdir(), "mss-import-rules-"));
  zips = buildZips(work);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const importSync = (base64: string) => call(server, "POST", "ImportSolution", { CustomizationFile: base64 });
const solutions = async () => (await get<Collection>(server, "solutions?$select=uniquename,version,ismanaged&$filter=uniquename eq 'MarketoConfigControl'")).body.value;
const controls = async () => (await get<Collection>(server, "customcontrols?$select=name,version,manifest")).body.value;
const v1 = (edit: (e: Entries) => void) => () => edited(zips.v1Managed, edit);

const XSD = /^The import file is invalid\. XSD validation failed with the following error: '.+'\. The validation failed at: '\.\.\..* <<<<<ERROR LOCATION>>>>> .*\.\.\.'\.$/s;

describe("devserver import: refusals", () => {
  it.each([
    [
      "a control whose prefix is not the publisher's",
      v1((e) => replaceIn(e, "solution.xml", "<CustomizationPrefix>mss</CustomizationPrefix>", "<CustomizationPrefix>abc</CustomizationPrefix>")),
      "0x80048033",
      /^CustomControls with Name MarketoSync\.MarketoConfigControl Import Solution Failed with following error: Publisher prefix mss for this control MarketoSync\.MarketoConfigControl does not match the prefix abc for the solution with Id [0-9a-f-]{36}\.$/,
    ],
    [
      "a control whose code file is missing",
      v1((e) => e.delete(`Controls/${CONTROL}/bundle.js`)),
      "0x80048033",
      /^CustomControl with name MarketoSync\.MarketoConfigControl failed to import with error: the file 'bundle\.js' listed as a <code> resource/,
    ],
    [
      "a control whose resx file is missing",
      v1((e) => e.delete(`Controls/${CONTROL}/strings/MarketoConfigControl.1033.resx`)),
      "0x80048033",
      /'strings\/MarketoConfigControl\.1033\.resx' listed as a <resx> resource .* \(expected at Controls\/mss_MarketoSync\.MarketoConfigControl\/strings\/MarketoConfigControl\.1033\.resx\)/,
    ],
    [
      "a manifest whose namespace does not give the registered name",
      v1((e) => replaceIn(e, MANIFEST_ENTRY, 'namespace="MarketoSync"', 'namespace="OtherSync"')),
      "0x80048033",
      /failed to import with error: its manifest declares namespace 'OtherSync' and constructor 'MarketoConfigControl', so the control would be named mss_OtherSync\.MarketoConfigControl, not mss_MarketoSync\.MarketoConfigControl\./,
    ],
    [
      "a manifest whose constructor does not give the registered name",
      v1((e) => replaceIn(e, MANIFEST_ENTRY, 'constructor="MarketoConfigControl"', 'constructor="Other"')),
      "0x80048033",
      /constructor 'Other'/,
    ],
    [
      "a property of an unknown of-type",
      v1((e) => replaceIn(e, MANIFEST_ENTRY, 'of-type="Lookup.Simple"', 'of-type="Lookup.Fancy"')),
      "0x8004801A",
      /'The 'of-type' attribute is invalid - The value 'Lookup\.Fancy' is invalid/,
    ],
    [
      "a solution.xml without <Publisher>",
      v1((e) => replaceIn(e, "solution.xml", /<Publisher>[\s\S]*<\/Publisher>\s*/, "")),
      "0x8004801A",
      /'The element 'SolutionManifest' has invalid child element 'RootComponents'\. List of possible elements expected: 'Publisher'\.'.*<<<<<ERROR LOCATION>>>>> <RootComponents>/s,
    ],
    [
      "a solution.xml with a bad Version",
      v1((e) => replaceIn(e, "solution.xml", "<Version>1.0.0.0</Version>", "<Version>v1</Version>")),
      "0x8004801A",
      /'The 'Version' element is invalid - The value 'v1'/,
    ],
    ["customizations.xml with another root", v1((e) => e.set("customizations.xml", "<Customizations/>")), "0x8004801A", /'The 'Customizations' element is not declared\.'/],
  ])("refuses %s, sync and async, with the code and text Dataverse gives", async (_, make, code, text) => {
    const sync = await importSync(make());
    expect(sync.status).toBe(400);
    expect(sync.body).toEqual({ error: { code, message: expect.stringMatching(text) } });
    if (code === "0x8004801A") expect((sync.body as { error: { message: string } }).error.message).toMatch(XSD);
    const started = await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: make() });
    const op = await get(server, `asyncoperations(${started.body.AsyncOperationId})?$select=statecode,statuscode,message`);
    expect(op.body).toMatchObject({ statecode: 3, statuscode: 31, message: expect.stringContaining(code) });
    const job = await get(server, `importjobs(${started.body.ImportJobKey})?$select=data`);
    expect(job.body.data).toContain(`result="failure" errorcode="${code}"`);
    expect(await solutions()).toEqual([]);
    expect(await controls()).toEqual([]);
  });

  it("refuses a lower managed version even when the installed one has a two-part version", async () => {
    const twoPart = (version: string) => edited(zips.v1Managed, (e) => replaceIn(e, "solution.xml", "<Version>1.0.0.0</Version>", `<Version>${version}</Version>`));
    expect((await importSync(twoPart("1.1"))).status).toBe(204);
    const lower = await importSync(twoPart("1.0.9.9"));
    expect(lower.body).toMatchObject({ error: { code: "0x80048541" } });
    // "1.1" and "1.1.0.0" are the same version.
    expect((await importSync(twoPart("1.1.0.0"))).body).toMatchObject({ error: { code: "0x80048541" } });
    expect((await importSync(twoPart("1.1.0.1"))).status).toBe(204);
  });

  it("accepts an unmanaged solution again at the same version (unmanaged solutions are overwritten)", async () => {
    expect((await importSync(edited(zips.v1Unmanaged, () => undefined))).status).toBe(204);
    expect((await importSync(edited(zips.v1Unmanaged, () => undefined))).status).toBe(204);
    expect(await solutions()).toEqual([expect.objectContaining({ version: "1.0.0.0", ismanaged: false })]);
  });
});

describe("devserver import: a control is replaced only when its version rises", () => {
  /** The v2 solution (1.0.1.0) with a marked manifest, at the given control version. */
  const v2WithControl = (controlVersion: string) =>
    edited(zips.v2Managed, (e) => {
      replaceIn(e, MANIFEST_ENTRY, /(<control [^>]*version=")1\.0\.1"/, `$1${controlVersion}" data-marker="new"`);
    });

  it("keeps the old control when the solution rises but the control version does not, and says so in the import log", async () => {
    expect((await importSync(edited(zips.v1Managed, () => undefined))).status).toBe(204);
    const before = await controls();
    const r = await call(server, "POST", "ImportSolution", { CustomizationFile: v2WithControl("1.0.0"), ImportJobId: "31111111-2222-3333-4444-555555555555" });
    expect(r.status).toBe(204);
    expect((await solutions())[0].version).toBe("1.0.1.0");
    const after = await controls();
    expect(after).toEqual(before);
    expect(String(after[0].manifest)).not.toContain("data-marker");
    const job = await get(server, "importjobs(31111111-2222-3333-4444-555555555555)?$select=data");
    expect(job.body.data).toContain(
      `<customControl id="${CONTROL}" name="${CONTROL}" processed="true"><result result="warning" errorcode="0" errortext="The control ${CONTROL} was not updated: the imported manifest version 1.0.0 is not higher than the installed version 1.0.0.`,
    );
    expect(job.body.data).toContain(
      '<solutionManifest languagecode="1033" id="MarketoConfigControl" processed="true"><UniqueName>MarketoConfigControl</UniqueName><Version>1.0.1.0</Version><Managed>1</Managed><result result="success"',
    );
  });

  it("replaces the control when its version rises (PATCH is enough), async too", async () => {
    expect((await importSync(edited(zips.v1Managed, () => undefined))).status).toBe(204);
    const started = await call(server, "POST", "ImportSolutionAsync", { CustomizationFile: v2WithControl("1.0.1") });
    expect(started.status).toBe(200);
    const after = await controls();
    expect(after).toEqual([expect.objectContaining({ name: CONTROL, version: "1.0.1", manifest: expect.stringContaining('data-marker="new"') })]);
    const job = await get(server, `importjobs(${started.body.ImportJobKey})?$select=data`);
    expect(job.body.data).toContain(`<customControl id="${CONTROL}" name="${CONTROL}" processed="true"><result result="success"`);
    expect(job.body.data).not.toContain('result="warning"');
  });

  it("keeps a higher installed control when an unmanaged reimport brings a lower one", async () => {
    const unmanaged = (controlVersion: string) => edited(zips.v1Unmanaged, (e) => replaceIn(e, MANIFEST_ENTRY, /(<control [^>]*version=")1\.0\.0"/, `$1${controlVersion}"`));
    expect((await importSync(unmanaged("1.2.0"))).status).toBe(204);
    expect((await importSync(unmanaged("1.1.9"))).status).toBe(204);
    expect((await controls())[0].version).toBe("1.2.0");
  });
});

describe("devserver import: layouts Dataverse accepts", () => {
  const ROOTS = ["customizations.xml", "solution.xml", "[Content_Types].xml"];
  const withoutBom = (e: Entries) => ROOTS.forEach((n) => e.set(n, String(e.get(n)).replace(/^\uFEFF/, "")));
  const withoutDeclaration = (e: Entries) => ["customizations.xml", "solution.xml"].forEach((n) => e.set(n, String(e.get(n)).replace(/^\uFEFF?<\?xml[^>]*\?>\s*/, "")));
  /** What Dataverse's own export writes: xml typed application/octet-stream, no Overrides. */
  const exportContentTypes = (e: Entries) =>
    e.set(
      "[Content_Types].xml",
      '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" /><Default Extension="js" ContentType="application/octet-stream" /><Default Extension="resx" ContentType="application/octet-stream" /></Types>',
    );

  it.each([
    [
      "entries in reverse order",
      () =>
        edited(zips.v1Managed, () => undefined, {
          order: [`Controls/${CONTROL}/strings/MarketoConfigControl.1033.resx`, `Controls/${CONTROL}/bundle.js`, MANIFEST_ENTRY, "[Content_Types].xml", "solution.xml", "customizations.xml"],
        }),
    ],
    ["stored (uncompressed) entries", () => edited(zips.v1Managed, () => undefined, { level: 0 })],
    ["no BOMs", () => edited(zips.v1Managed, withoutBom)],
    ["no XML declarations", () => edited(zips.v1Managed, (e) => (withoutBom(e), withoutDeclaration(e)))],
    [
      "Dataverse's export layout: customizations, [Content_Types], solution, Controls; no BOM or declaration; stored",
      () =>
        edited(
          zips.v1Managed,
          (e) => {
            withoutBom(e);
            withoutDeclaration(e);
            exportContentTypes(e);
          },
          { order: ["customizations.xml", "[Content_Types].xml", "solution.xml"], level: 0 },
        ),
    ],
  ])("accepts %s", async (_, make) => {
    const r = await importSync(make());
    expect(r.status).toBe(204);
    expect(await solutions()).toEqual([expect.objectContaining({ version: "1.0.0.0", ismanaged: true })]);
    expect(await controls()).toEqual([expect.objectContaining({ name: CONTROL, version: "1.0.0" })]);
  });

  describe("as the verifier's fixtures build them from our packer's entries", () => {
    let root: string;
    let pac: [string, Uint8Array][];
    beforeAll(() => {
      root = fixtureRoot("1.0.0");
      pac = composeSolution({ root }).entries(true);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

    it.each([
      ["Dataverse's own export (rwilson504/PCFControls CanvasCalendar_1.0.0.5_managed.zip's layout)", () => b64(zipEntries(dataverseExportLayout(pac)))],
      ["a hand-made zip with folder entries, stored", () => b64(handZipped(pac, 0))],
      ["a hand-made zip with folder entries, deflated", () => b64(handZipped(pac, 6))],
      ["pac's two-part version in Dataverse's export layout", () => b64(zipEntries(dataverseExportLayout(twoPartVersion(pac))))],
    ])("accepts %s", async (name, make) => {
      const r = await importSync(make());
      expect(r.status).toBe(204);
      expect(await solutions()).toEqual([expect.objectContaining({ version: name.includes("two-part") ? "1.0" : "1.0.0.0", ismanaged: true })]);
      expect(await controls()).toEqual([expect.objectContaining({ name: CONTROL, version: "1.0.0" })]);
    });
  });

  it("accepts pac's default two-part version 1.0", async () => {
    const r = await importSync(edited(zips.v1Managed, (e) => replaceIn(e, "solution.xml", "<Version>1.0.0.0</Version>", "<Version>1.0</Version>")));
    expect(r.status).toBe(204);
    expect((await solutions())[0].version).toBe("1.0");
  });
});
