/**
 * A minimal project on disk for the packer: the real Solution/src/Other, a package.json and a
 * small control output standing in for pcf-scripts' (no build needed, so these tests stay fast).
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";

const repo = join(__dirname, "..", "..", "..");

export const MANIFEST = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<manifest>
  <control namespace="MarketoSync" constructor="MarketoConfigControl" version="1.0.0" display-name-key="Control_DisplayName" control-type="virtual" api-version="1.3.18">
    <property name="marketoUser" display-name-key="Property_MarketoUser" of-type="Lookup.Simple" usage="bound" required="true"/>
    <resources>
      <code path="bundle.js" order="1"/>
      <platform-library name="React" version="16.14.0"/>
      <resx path="strings/MarketoConfigControl.1033.resx" version="1.0.0"/>
    </resources>
  </control>
</manifest>`;

export function fixtureRoot(version = "1.0.0"): string {
  const root = mkdtempSync(join(tmpdir(), "mss-pack-"));
  cpSync(join(repo, "Solution"), join(root, "Solution"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "x", version }));
  const out = join(root, "out", "controls", "MarketoConfigControl");
  mkdirSync(join(out, "strings"), { recursive: true });
  writeFileSync(join(out, "ControlManifest.xml"), MANIFEST);
  writeFileSync(join(out, "bundle.js"), "var pcf_tools_1;(()=>{/* bundle */})();\n");
  writeFileSync(
    join(out, "strings", "MarketoConfigControl.1033.resx"),
    `<?xml version="1.0" encoding="utf-8"?>\n<root><data name="Control_DisplayName"><value>Marketo Config control</value></data></root>\n`,
  );
  return root;
}

/** A solution's entries in zip order, as composeSolution gives them (pac's layout). */
export type Entries = [string, Uint8Array][];

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const BOM = "\ufeff";
const withoutBomAndDeclaration = (s: string) => s.replace(/^\ufeff/, "").replace(/^<\?xml[^>]*\?>\s*/, "");

/**
 * The layout Dataverse writes when it exports a solution, as in rwilson504/PCFControls
 * Calendar/Sample/CanvasCalendar_1.0.0.5_managed.zip: customizations.xml, [Content_Types].xml,
 * solution.xml, then each control's bundle.js before its manifest; no BOM and no XML declaration on
 * customizations.xml, solution.xml and the manifests; [Content_Types].xml keeps both, types every
 * extension (xml too) application/octet-stream and has no <Override> for the manifests;
 * customizations.xml has no <SolutionPluginAssemblies/>.
 */
export function dataverseExportLayout(pac: Entries): Entries {
  const byName = new Map(pac);
  const get = (name: string) => utf8(byName.get(name)!);
  const controlFiles = pac
    .filter(([n]) => n.startsWith("Controls/"))
    .sort(([a], [b]) => Number(b.endsWith("/bundle.js")) - Number(a.endsWith("/bundle.js")))
    .map(([n, b]): [string, Uint8Array] => [n, n.endsWith("/ControlManifest.xml") ? Buffer.from(withoutBomAndDeclaration(utf8(b))) : b]);
  const extensions: string[] = [];
  for (const n of ["solution.xml", ...controlFiles.map(([name]) => name)]) {
    const ext = /\.([^./]+)$/.exec(n)?.[1];
    if (ext && !extensions.includes(ext)) extensions.push(ext);
  }
  const contentTypes = `${BOM}<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${extensions
    .map((x) => `<Default Extension="${x}" ContentType="application/octet-stream" />`)
    .join("")}</Types>`;
  return [
    ["customizations.xml", Buffer.from(withoutBomAndDeclaration(get("customizations.xml")).replace(/\s*<SolutionPluginAssemblies \/>/, ""))],
    ["[Content_Types].xml", Buffer.from(contentTypes)],
    ["solution.xml", Buffer.from(withoutBomAndDeclaration(get("solution.xml")))],
    ...controlFiles,
  ];
}

/** pac's `solution init` default, a two-part version, as in microsoft/PowerApps-Samples component-framework/CodeInterpreterControl/solutions/. */
export function twoPartVersion(pac: Entries): Entries {
  return pac.map(([n, b]) => [n, n === "solution.xml" ? Buffer.from(utf8(b).replace(/<Version>[^<]*<\/Version>/, "<Version>1.0</Version>")) : b]);
}

/**
 * A solution zipped again by hand with a zip tool, as rwilson504/PCFControls
 * Calendar/Sample/CanvasCalendar_1_0_0_4.zip was: a folder entry for Controls/ and each folder under
 * it, the control files first, then [Content_Types].xml, customizations.xml and solution.xml.
 * `level` 0 stores every entry without compression.
 */
export function handZipped(pac: Entries, level: 0 | 6): Uint8Array {
  const files: Zippable = {};
  const controls = pac.filter(([n]) => n.startsWith("Controls/"));
  for (const [n, b] of controls) {
    const parts = n.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!(dir in files)) files[dir] = {};
    }
    files[n] = [b, { level }];
  }
  for (const name of ["[Content_Types].xml", "customizations.xml", "solution.xml"]) files[name] = [pac.find(([n]) => n === name)![1], { level }];
  return zipSync(files);
}
