/**
 * The packer on a small fixture project: names, versions, entries and determinism. The real
 * build's output is packed in tests/build/pack.test.ts.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { composeSolution, packSolution } from "../../../pack/build";
import { stampControlVersion } from "../../../pack/controlOutput";
import { versionsFrom } from "../../../pack/solutionSource";
import { readZip } from "../../../formats/zipReader";
import { fixtureRoot, MANIFEST } from "./fixture";

const roots: string[] = [];
const root = (version?: string) => {
  const r = fixtureRoot(version);
  roots.push(r);
  return r;
};
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const CONTROL = "mss_MarketoSync.MarketoConfigControl";

describe("npm run pack's packer", () => {
  it("writes MarketoConfigControl_<v>_managed.zip and _unmanaged.zip, v = package.json's version in four parts", () => {
    const r = root("1.2.3");
    const result = packSolution({ root: r });
    expect(result.zips.map((z) => z.path)).toEqual([join(r, "dist", "MarketoConfigControl_1_2_3_0_managed.zip"), join(r, "dist", "MarketoConfigControl_1_2_3_0_unmanaged.zip")]);
    const files = unzipSync(readFileSync(result.zips[0].path));
    expect(Buffer.from(files["solution.xml"]).toString()).toContain("<Version>1.2.3.0</Version>");
    // The control version follows package.json, so Dataverse updates the control on upgrade.
    expect(Buffer.from(files[`Controls/${CONTROL}/ControlManifest.xml`]).toString()).toContain('<control namespace="MarketoSync" constructor="MarketoConfigControl" version="1.2.3" ');
  });

  it("leaves the release record to npm run pack's CLI: packing neither checks nor writes it", () => {
    const r = root("1.0.0");
    const record = join(r, "Solution", "released-version.json");
    writeFileSync(record, JSON.stringify({ version: "9.9.9" }));
    expect(packSolution({ root: r }).version).toBe("1.0.0.0");
    expect(readFileSync(record, "utf8")).toBe(JSON.stringify({ version: "9.9.9" }));
  });

  it("refuses a package.json version Dataverse cannot take", () => {
    expect(() => versionsFrom("1.2.3-beta.1")).toThrow(/major\.minor\.patch/);
    expect(() => versionsFrom("1.2")).toThrow();
    expect(versionsFrom("10.0.7")).toEqual({ control: "10.0.7", solution: "10.0.7.0" });
  });

  it("stamps only the <control> version, not the resx versions", () => {
    const stamped = stampControlVersion(MANIFEST, "2.0.1");
    expect(stamped).toContain('constructor="MarketoConfigControl" version="2.0.1"');
    expect(stamped).toContain('<resx path="strings/MarketoConfigControl.1033.resx" version="1.0.0"/>');
    expect(() => stampControlVersion("<manifest/>", "1.0.0")).toThrow(/no <control>/);
  });

  it("writes the entries in pac's order, root XML files with a BOM, deflated, no directories", () => {
    const bytes = packSolution({ root: root() }).zips[0].bytes;
    const { entries, data } = readZip(bytes);
    expect(entries.map((e) => e.name)).toEqual([
      "customizations.xml",
      "solution.xml",
      `Controls/${CONTROL}/ControlManifest.xml`,
      `Controls/${CONTROL}/bundle.js`,
      `Controls/${CONTROL}/strings/MarketoConfigControl.1033.resx`,
      "[Content_Types].xml",
    ]);
    expect(entries.every((e) => e.method === 8 && !e.isDirectory)).toBe(true);
    for (const name of ["customizations.xml", "solution.xml", "[Content_Types].xml"]) expect([...data[name].subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(Buffer.from(data["[Content_Types].xml"].subarray(3)).toString()).toBe(
      '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="xml" ContentType="text/xml" /><Default Extension="js" ContentType="application/octet-stream" />' +
        '<Default Extension="resx" ContentType="application/octet-stream" />' +
        `<Override PartName="/Controls/${CONTROL}/ControlManifest.xml" ContentType="application/octet-stream" /></Types>`,
    );
  });

  it("takes the identity from Solution.xml and adds the root component and custom control, without the source's comments", () => {
    const composed = composeSolution({ root: root() });
    const [customizations, solution] = composed.entries(false).map(([, b]) => Buffer.from(b).toString("utf8"));
    expect(solution).toContain("<UniqueName>MarketoConfigControl</UniqueName>");
    expect(solution).toContain('<LocalizedName description="Marketo Config control" languagecode="1033" />');
    expect(solution).toContain('<LocalizedName description="Contrôle Configuration Marketo" languagecode="1036" />');
    expect(solution).toContain("<Managed>0</Managed>");
    expect(solution).toContain("<CustomizationPrefix>mss</CustomizationPrefix>");
    expect(solution).toContain("<CustomizationOptionValuePrefix>48210</CustomizationOptionValuePrefix>");
    expect(solution).toMatch(new RegExp(`<RootComponents>\\s*<RootComponent type="66" schemaName="${CONTROL.replace(".", "\\.")}" behavior="0" />\\s*</RootComponents>`));
    expect(solution).not.toContain("<!--");
    expect(customizations).toContain(`<CustomControl>\n      <Name>${CONTROL}</Name>\n      <FileName>/Controls/${CONTROL}/ControlManifest.xml</FileName>\n    </CustomControl>`);
    expect(customizations).not.toContain("<!--");
  });

  it("gives byte-identical zips when packing the same source twice", () => {
    const r = root();
    const first = packSolution({ root: r, outDir: join(r, "a") });
    const second = packSolution({ root: r, outDir: join(r, "b") });
    for (const i of [0, 1]) expect(Buffer.compare(readFileSync(first.zips[i].path), readFileSync(second.zips[i].path))).toBe(0);
  });

  it("refuses relationships in Relationships.xml rather than dropping them", () => {
    const r = root();
    writeFileSync(join(r, "Solution", "src", "Other", "Relationships.xml"), '<?xml version="1.0" encoding="utf-8"?><EntityRelationships><EntityRelationship Name="x"/></EntityRelationships>');
    expect(() => composeSolution({ root: r })).toThrow(/Relationships\.xml declares relationships/);
  });

  it("fails loudly when Solution.xml cannot take the root components", () => {
    const r = root();
    const file = join(r, "Solution", "src", "Other", "Solution.xml");
    writeFileSync(file, readFileSync(file, "utf8").replace("<RootComponents />", ""));
    expect(() => composeSolution({ root: r }).entries(true)).toThrow(/RootComponents/);
  });
});
