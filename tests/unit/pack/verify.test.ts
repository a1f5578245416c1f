/**
 * The verifier against zips made from the packer's own entries. First in each layout a real,
 * imported solution has (each must pass with no error; the differences from `npm run pack` are
 * notes), then broken one rule at a time: each break must be reported as an error, by name.
 */
import { rmSync } from "node:fs";
import { zipSync } from "fflate";
import { composeSolution, zipEntries } from "../../../pack/build";
import { renderFinding, verifySolutionZip as verifyFindings, type Finding } from "../../../formats/verify";
import { readResx } from "../../helpers/resx";
import { dataverseExportLayout, fixtureRoot, handZipped, twoPartVersion, type Entries } from "./fixture";

// Findings are keys and parameters; these tests read their English rendering (the resx's 1033 text,
// as npm run pack -- --verify prints it). Every key a finding names must have a text.
const english = readResx("1033");
const seenKeys = new Set<string>();
const render = (finding: Finding) => (seenKeys.add(`Verify_${finding.key}`), renderFinding(finding, english));
const verifySolutionZip = (...args: Parameters<typeof verifyFindings>) => {
  const result = verifyFindings(...args);
  return { ...result, errors: result.errors.map(render), notes: result.notes.map(render) };
};
afterAll(() => expect([...seenKeys].filter((k) => !english.has(k))).toEqual([]));

const root = fixtureRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const composed = composeSolution({ root });
const CONTROL = "mss_MarketoSync.MarketoConfigControl";
const MANIFEST = `Controls/${CONTROL}/ControlManifest.xml`;
const BUNDLE = `Controls/${CONTROL}/bundle.js`;
const RESX = `Controls/${CONTROL}/strings/MarketoConfigControl.1033.resx`;
const MANAGED_NAME = "MarketoConfigControl_1_0_0_0_managed.zip";
const SUMMARY = { uniqueName: "MarketoConfigControl", version: "1.0.0.0", managed: true, controls: [CONTROL], controlVersions: { [CONTROL]: "1.0.0" } };
const pac = (managed = true): Entries => composed.entries(managed).map(([n, b]) => [n, Uint8Array.from(b)]);
const text = (s: string) => Buffer.from(s, "utf8");
const edit = (entries: Entries, name: string, f: (s: string) => string): Entries => entries.map(([n, b]) => [n, n === name ? text(f(Buffer.from(b).toString("utf8"))) : b]);
const without = (entries: Entries, name: string): Entries => entries.filter(([n]) => n !== name);
const verify = (entries: Entries, fileName?: string) => verifySolutionZip(zipEntries(entries), { fileName });
const errorsOf = (entries: Entries) => verify(entries).errors;

describe("verifySolutionZip: layouts Dataverse imports pass, their differences are notes", () => {
  it("pac's layout (what npm run pack writes, like bthompson-365/PCF-Metadata's pac-built zips): no error, no note", () => {
    for (const managed of [true, false]) {
      const result = verify(pac(managed), `MarketoConfigControl_1_0_0_0_${managed ? "managed" : "unmanaged"}.zip`);
      expect(result).toEqual({ ok: true, errors: [], notes: [], solution: { ...SUMMARY, managed } });
    }
  });

  it("Dataverse's own export layout (rwilson504/PCFControls CanvasCalendar_1.0.0.5_managed.zip): no error; each difference is a note", () => {
    const result = verify(dataverseExportLayout(pac()), MANAGED_NAME);
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.solution).toEqual(SUMMARY);
    // Each of these refused the zip before: the verifier held every zip to pac's layout.
    expect(result.notes).toEqual([
      "the entries come in the order customizations.xml, [Content_Types].xml, solution.xml, Controls/…; npm run pack writes customizations.xml, solution.xml, Controls/…, [Content_Types].xml",
      "customizations.xml does not begin with a UTF-8 byte-order mark; npm run pack writes one",
      'customizations.xml has no XML declaration (<?xml version="1.0" encoding="utf-8"?>); npm run pack writes one',
      "solution.xml does not begin with a UTF-8 byte-order mark; npm run pack writes one",
      'solution.xml has no XML declaration (<?xml version="1.0" encoding="utf-8"?>); npm run pack writes one',
      "customizations.xml: there is no <SolutionPluginAssemblies>; npm run pack writes it, empty when there is nothing to list",
      '[Content_Types].xml: .xml files are typed "application/octet-stream"; npm run pack types them "text/xml"',
      `[Content_Types].xml: there is no <Override> for ${MANIFEST}; npm run pack writes one per control manifest`,
    ]);
  });

  it("the export's other components (CanvasCalendar_1.0.0.5: entities, a canvas app beside the controls): notes, not errors", () => {
    const entries = dataverseExportLayout(pac());
    const withApp = edit(entries, "solution.xml", (s) =>
      s.replace("<RootComponents>", '<RootComponents><RootComponent type="1" schemaName="mss_events" behavior="0" /><RootComponent type="300" schemaName="mss_app_1" behavior="0" />'),
    );
    const result = verify([...withApp, ["CanvasApps/mss_app_1_DocumentUri.msapp", text("PK")], ["CanvasApps/mss_app_1_BackgroundImageUri", text("png")]]);
    expect(result.errors).toEqual([]);
    expect(result.notes).toEqual(
      expect.arrayContaining([
        "the zip also holds 2 files outside Controls/ (CanvasApps/mss_app_1_DocumentUri.msapp, CanvasApps/mss_app_1_BackgroundImageUri); npm run pack writes none, and this check does not look into them",
        "solution.xml: besides custom controls, the solution holds components of type 1, 300; npm run pack writes controls only, and this check leaves the others to Dataverse",
        '[Content_Types].xml: there is no <Default Extension="msapp"> although the zip has .msapp files; npm run pack writes one per extension',
        "[Content_Types].xml: CanvasApps/mss_app_1_BackgroundImageUri has no extension and no <Override>",
      ]),
    );
  });

  it("pac's default two-part version (microsoft/PowerApps-Samples CodeInterpreterControl): a note", () => {
    const result = verify(twoPartVersion(pac()), MANAGED_NAME);
    expect(result).toEqual({
      ok: true,
      errors: [],
      notes: ["solution.xml: <Version> 1.0 has 2 parts; npm run pack writes four (major.minor.build.revision)"],
      solution: { ...SUMMARY, version: "1.0" },
    });
  });

  it("zipped again by hand with folder entries (CanvasCalendar_1_0_0_4.zip), deflated or stored: notes", () => {
    const folders = `the zip has 3 folder entries (Controls/, Controls/${CONTROL}/, Controls/${CONTROL}/strings/); npm run pack writes file entries only`;
    const order =
      "the entries come in the order Controls/…, [Content_Types].xml, customizations.xml, solution.xml; npm run pack writes customizations.xml, solution.xml, Controls/…, [Content_Types].xml";
    const deflated = verifySolutionZip(handZipped(pac(), 6));
    expect(deflated).toMatchObject({ ok: true, errors: [], notes: [folders, order], solution: SUMMARY });
    const stored = verifySolutionZip(handZipped(pac(), 0));
    expect(stored).toMatchObject({
      ok: true,
      errors: [],
      notes: [folders, `6 entries are stored without compression (${MANIFEST}, ${BUNDLE}, ${RESX}, …); npm run pack compresses every entry`, order],
    });
  });

  it("a file name that disagrees with <Managed> is a note: Dataverse goes by solution.xml", () => {
    expect(verify(pac(false), MANAGED_NAME)).toMatchObject({
      ok: true,
      errors: [],
      notes: ["the file name MarketoConfigControl_1_0_0_0_managed.zip says managed, but solution.xml says unmanaged (<Managed>0</Managed>); Dataverse goes by solution.xml"],
    });
    expect(verify(pac(false), "MarketoConfigControl_1_0_0_0.zip").notes).toEqual([]);
  });
});

describe("verifySolutionZip: errors", () => {
  it("a corrupted zip", () => {
    const bytes = zipEntries(pac());
    expect(verifySolutionZip(Buffer.from("not a zip at all")).errors).toEqual(["the file is not a readable zip: not a zip file (no end of central directory record)"]);
    expect(verifySolutionZip(bytes.subarray(0, bytes.length - 30)).errors[0]).toMatch(/^the file is not a readable zip/);
    const damaged = Uint8Array.from(bytes);
    damaged.fill(0x41, 40, 400); // inside the first entry's compressed data
    expect(verifySolutionZip(damaged).ok).toBe(false);
  });

  it("a missing root file", () => {
    for (const name of ["customizations.xml", "solution.xml", "[Content_Types].xml"]) {
      const result = verify(without(pac(), name));
      expect(result.ok).toBe(false);
      expect(result.errors).toContain(`${name} is missing: a solution zip needs customizations.xml, solution.xml, [Content_Types].xml at its root`);
    }
  });

  it("an entry held twice", () => {
    const copy = `Controls/${CONTROL}/bundle.jz`;
    const entries = pac();
    const bytes = Buffer.from(zipEntries([...entries.slice(0, -1), [copy, entries.find(([n]) => n === BUNDLE)![1]], entries[entries.length - 1]]));
    // Rename the copy in the local header and the central directory (same length).
    const renamed = Buffer.from(bytes.toString("latin1").split(copy).join(BUNDLE), "latin1");
    expect(verifySolutionZip(renamed).errors).toEqual([`the zip holds "${BUNDLE}" more than once`]);
  });

  it("malformed XML, naming the file and the place", () => {
    const errors = errorsOf(edit(pac(), "customizations.xml", (s) => s.replace("</Languages>", "</Language>")));
    expect(errors.some((p) => /^customizations\.xml is not well-formed XML: .*line \d+/.test(p))).toBe(true);
    expect(errorsOf(edit(pac(), RESX, (s) => s.replace("</root>", ""))).some((p) => p.startsWith(`${RESX} is not well-formed XML`))).toBe(true);
  });

  it("solution.xml fields Dataverse refuses", () => {
    const errors = errorsOf(
      edit(pac(), "solution.xml", (s) =>
        s
          .replace("<UniqueName>MarketoConfigControl</UniqueName>", "<UniqueName>Marketo Config</UniqueName>")
          .replace("<Version>1.0.0.0</Version>", "<Version>1</Version>")
          .replace("<Managed>1</Managed>", "<Managed>2</Managed>")
          .replace("48210", "123"),
      ),
    );
    expect(errors).toEqual([
      'solution.xml: <UniqueName> "Marketo Config" is empty or not a valid name (letters, digits and _, not starting with a digit)',
      'solution.xml: <Version> "1" is not a version Dataverse accepts (two to four whole numbers, such as 1.0 or 1.0.0.0)',
      'solution.xml: <Managed> is "2"; it must be 0 (unmanaged) or 1 (managed)',
      "solution.xml: the publisher's <CustomizationOptionValuePrefix> is not a whole number from 10000 to 99999",
    ]);
    for (const version of ["1.0.0.0.0", "1.a", "1.0.0.2147483648", ""])
      expect(errorsOf(edit(pac(), "solution.xml", (s) => s.replace("<Version>1.0.0.0</Version>", `<Version>${version}</Version>`)))).toEqual([
        `solution.xml: <Version> "${version}" is not a version Dataverse accepts (two to four whole numbers, such as 1.0 or 1.0.0.0)`,
      ]);
  });

  it("a missing or invalid publisher", () => {
    expect(errorsOf(edit(pac(), "solution.xml", (s) => s.replace(/<Publisher>[\s\S]*<\/Publisher>/, "")))).toEqual(["solution.xml: there is no <Publisher>"]);
    const prefix = (p: string) => edit(pac(), "solution.xml", (s) => s.replace("<CustomizationPrefix>mss</CustomizationPrefix>", `<CustomizationPrefix>${p}</CustomizationPrefix>`));
    for (const bad of ["m", "mscrmx", "1ab", "abcdefghi"])
      expect(errorsOf(prefix(bad))).toContain(`solution.xml: the publisher's <CustomizationPrefix> "${bad}" is not 2 to 8 letters or digits starting with a letter (and not starting with "mscrm")`);
  });

  it("a control whose prefix is not the publisher's", () => {
    const entries = edit(pac(), "solution.xml", (s) => s.replace("<CustomizationPrefix>mss</CustomizationPrefix>", "<CustomizationPrefix>abc</CustomizationPrefix>"));
    expect(errorsOf(entries)).toEqual([`the control ${CONTROL} has the prefix "mss", but the publisher's prefix is "abc": Dataverse refuses the import`]);
  });

  it("a control missing from customizations.xml", () => {
    const errors = errorsOf(edit(pac(), "customizations.xml", (s) => s.replace(/<CustomControls>[\s\S]*<\/CustomControls>/, "<CustomControls />")));
    expect(errors).toEqual([`customizations.xml has no <CustomControl> for the control ${CONTROL}`]);
    const elsewhere = errorsOf(edit(pac(), "customizations.xml", (s) => s.replace(`<FileName>/${MANIFEST}</FileName>`, "<FileName>/Controls/x/ControlManifest.xml</FileName>")));
    expect(elsewhere).toEqual([`customizations.xml: the control ${CONTROL} has <FileName>/Controls/x/ControlManifest.xml</FileName>, which is not in the zip`]);
  });

  it("a control with no manifest, or no files at all", () => {
    expect(errorsOf(without(pac(), MANIFEST))).toEqual([`the control ${CONTROL} has no manifest (${MANIFEST})`]);
    expect(errorsOf(pac().filter(([n]) => !n.startsWith("Controls/")))).toEqual([`the control ${CONTROL} has no files in the zip (expected Controls/${CONTROL}/…)`]);
  });

  it("a resource the manifest declares but the zip lacks, or no code at all", () => {
    expect(errorsOf(without(pac(), RESX))).toEqual([`${MANIFEST} declares the file "strings/MarketoConfigControl.1033.resx", which is not in the zip (${RESX})`]);
    expect(errorsOf(edit(pac(), MANIFEST, (s) => s.replace('<code path="bundle.js" order="1"/>', "")))).toEqual([`${MANIFEST} declares no code file (<code path=…>), so the control cannot load`]);
  });

  it("a manifest whose namespace.constructor is not the control's name", () => {
    const result = verify(edit(pac(), MANIFEST, (s) => s.replace('namespace="MarketoSync"', 'namespace="Other"').replace('version="1.0.0" display', 'version="1.0" display')));
    expect(result.errors).toEqual([`${MANIFEST} declares the control Other.MarketoConfigControl (namespace.constructor), but the solution calls it ${CONTROL}: the names must match after the prefix`]);
    expect(result.notes).toEqual([`${MANIFEST}: the control version "1.0" is not three numbers (major.minor.patch), as pac requires`]);
  });

  it("a [Content_Types].xml that is not a content-type list", () => {
    expect(errorsOf(edit(pac(), "[Content_Types].xml", () => "<Types />"))).toEqual([
      '[Content_Types].xml is not a content-type list: its root must be <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
    ]);
  });

  it("a folder entry alone is no file: the root files are still missing", () => {
    const result = verifySolutionZip(zipSync({ "customizations.xml": pac()[0][1], Controls: {} }));
    expect(result.errors).toContain("solution.xml is missing: a solution zip needs customizations.xml, solution.xml, [Content_Types].xml at its root");
    expect(result.notes).toContain("the zip has 1 folder entry (Controls/); npm run pack writes file entries only");
  });
});
