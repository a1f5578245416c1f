/**
 * The verifier against zips made from the packer's own entries, then broken one rule at a time:
 * each break must be reported, by name, and a good zip must pass.
 */
import { rmSync } from "node:fs";
import { zipSync } from "fflate";
import { composeSolution, zipEntries } from "../../../pack/build";
import { verifySolutionZip } from "../../../pack/verify";
import { fixtureRoot } from "./fixture";

const root = fixtureRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const composed = composeSolution({ root });
const CONTROL = "mss_MarketoSync.MarketoConfigControl";
const MANIFEST = `Controls/${CONTROL}/ControlManifest.xml`;
type Entries = [string, Uint8Array][];
const good = (managed = true): Entries => composed.entries(managed).map(([n, b]) => [n, Uint8Array.from(b)]);
const text = (s: string) => Buffer.from(s, "utf8");
const edit = (entries: Entries, name: string, f: (s: string) => string): Entries =>
  entries.map(([n, b]) => [n, n === name ? text(f(Buffer.from(b).toString("utf8"))) : b]);
const without = (entries: Entries, name: string): Entries => entries.filter(([n]) => n !== name);
const problemsOf = (entries: Entries, fileName?: string) => verifySolutionZip(zipEntries(entries), { fileName }).problems;

describe("verifySolutionZip", () => {
  it("passes the packer's managed and unmanaged zips and summarises them", () => {
    for (const managed of [true, false]) {
      const result = verifySolutionZip(zipEntries(good(managed)), { fileName: `MarketoConfigControl_1_0_0_0_${managed ? "managed" : "unmanaged"}.zip` });
      expect(result).toEqual({ ok: true, problems: [], solution: { uniqueName: "MarketoConfigControl", version: "1.0.0.0", managed, controls: [CONTROL] } });
    }
  });

  it("reports a corrupted zip", () => {
    const bytes = zipEntries(good());
    expect(verifySolutionZip(Buffer.from("not a zip at all")).problems[0]).toMatch(/not a readable zip/);
    expect(verifySolutionZip(bytes.subarray(0, bytes.length - 30)).problems[0]).toMatch(/not a readable zip/);
    const damaged = Uint8Array.from(bytes);
    damaged.fill(0x41, 40, 400); // inside the first entry's compressed data
    const result = verifySolutionZip(damaged);
    expect(result.ok).toBe(false);
  });

  it("reports a missing solution.xml", () => {
    const problems = problemsOf(without(good(), "solution.xml"));
    expect(problems).toContain("missing solution.xml");
  });

  it("reports malformed XML, naming the file and the place", () => {
    const problems = problemsOf(edit(good(), "customizations.xml", (s) => s.replace("</Languages>", "</Language>")));
    expect(problems.some((p) => /^customizations\.xml is not well-formed XML: .*line \d+/.test(p))).toBe(true);
    const resx = problemsOf(edit(good(), `Controls/${CONTROL}/strings/MarketoConfigControl.1033.resx`, (s) => s.replace("</root>", "")));
    expect(resx.some((p) => p.includes(".1033.resx is not well-formed XML"))).toBe(true);
  });

  it("reports a missing control manifest", () => {
    expect(problemsOf(without(good(), MANIFEST))).toContain(`root component ${CONTROL} has no control manifest (${MANIFEST})`);
  });

  it("reports a root component with no files", () => {
    const entries = good().filter(([n]) => !n.startsWith("Controls/"));
    expect(problemsOf(entries)).toContain(`root component ${CONTROL} has no files in the zip (expected Controls/${CONTROL}/…)`);
  });

  it("reports a missing BOM on each root XML file", () => {
    for (const name of ["customizations.xml", "solution.xml", "[Content_Types].xml"]) {
      const entries = good().map(([n, b]): [string, Uint8Array] => [n, n === name ? b.subarray(3) : b]);
      expect(problemsOf(entries)).toEqual([`${name} does not begin with a UTF-8 BOM`]);
    }
  });

  it("reports the wrong entry order", () => {
    const entries = good();
    const swapped: Entries = [entries[1], entries[0], ...entries.slice(2)];
    expect(problemsOf(swapped)).toEqual(["entry order: customizations.xml must be entry 1, found at position 2", "entry order: solution.xml must be entry 2, found at position 1"]);
    const last = entries[entries.length - 1];
    expect(problemsOf([last, ...entries.slice(0, -1)])).toContain("entry order: [Content_Types].xml must be entry last, found at position 1");
  });

  it("reports directory entries, stored entries and stray files", () => {
    const files: Record<string, [Uint8Array, { level: 0 | 9 }]> = {};
    for (const [n, b] of good()) files[n] = [b, { level: n === "solution.xml" ? 0 : 9 }];
    const problems = verifySolutionZip(zipSync(files)).problems;
    expect(problems).toContain('entry "solution.xml" is not deflated (compression method 0)');
    const withDir = zipSync({ "customizations.xml": good()[0][1], Controls: {} });
    expect(verifySolutionZip(withDir).problems).toContain('directory entry "Controls/": pac writes file entries only');
    const stray: Entries = [...good().slice(0, -1), ["notes.txt", text("x")], good().slice(-1)[0]];
    expect(problemsOf(stray)).toContain('unexpected entry "notes.txt" (only the three root XML files and Controls/… belong in this solution)');
  });

  it("reports content types that do not match the entries", () => {
    const problems = problemsOf(edit(good(), "[Content_Types].xml", (s) => s.replace('<Default Extension="resx" ContentType="application/octet-stream" />', '<Default Extension="css" ContentType="text/css" />').replace(/<Override [^>]*\/>/, "")));
    expect(problems).toEqual([
      '[Content_Types].xml: no <Default Extension="resx"> although the zip has .resx files',
      '[Content_Types].xml: <Default Extension="css"> but the zip has no .css file',
      `[Content_Types].xml: no <Override PartName="/${MANIFEST}">`,
    ]);
  });

  it("reports a manifest whose name does not match the root component, and a bad control version", () => {
    const problems = problemsOf(edit(good(), MANIFEST, (s) => s.replace('namespace="MarketoSync"', 'namespace="Other"').replace('version="1.0.0" display', 'version="1.0" display')));
    expect(problems).toContain(`${MANIFEST}: names the control mss_Other.MarketoConfigControl (prefix_namespace.constructor), but the root component is ${CONTROL}`);
    expect(problems).toContain(`${MANIFEST}: control version "1.0" is not three numbers (major.minor.patch)`);
  });

  it("reports a resource the manifest declares but the zip lacks", () => {
    expect(problemsOf(without(good(), `Controls/${CONTROL}/bundle.js`))).toEqual(expect.arrayContaining([`${MANIFEST}: resource "bundle.js" is not in the zip`]));
  });

  it("reports solution.xml fields out of format", () => {
    const problems = problemsOf(
      edit(good(), "solution.xml", (s) =>
        s.replace("<Version>1.0.0.0</Version>", "<Version>1.0</Version>").replace("<Managed>1</Managed>", "<Managed>2</Managed>").replace("48210", "123"),
      ),
    );
    expect(problems).toEqual([
      'solution.xml: Version "1.0" is not four numbers (major.minor.build.revision)',
      'solution.xml: Managed is "2", expected 0 (unmanaged) or 1 (managed)',
      "solution.xml: CustomizationOptionValuePrefix is not a number from 10000 to 99999",
    ]);
  });

  it("reports a root component missing from customizations.xml", () => {
    const problems = problemsOf(edit(good(), "customizations.xml", (s) => s.replace(/<CustomControls>[\s\S]*<\/CustomControls>/, "<CustomControls />")));
    expect(problems).toEqual([`customizations.xml has no <CustomControl> named ${CONTROL}`]);
  });

  it("checks the managed flag against the file name", () => {
    expect(problemsOf(good(false), "MarketoConfigControl_1_0_0_0_managed.zip")).toEqual([
      "MarketoConfigControl_1_0_0_0_managed.zip: the file name says managed but solution.xml has <Managed>0</Managed>",
    ]);
    expect(problemsOf(good(true), "MarketoConfigControl_1_0_0_0.zip")).toHaveLength(1);
    expect(problemsOf(good(false), "MarketoConfigControl_1_0_0_0.zip")).toEqual([]);
  });
});
