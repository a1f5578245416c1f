/**
 * A minimal project on disk for the packer: the real Solution/src/Other, a package.json and a
 * small control output standing in for pcf-scripts' (no build needed, so these tests stay fast).
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
  writeFileSync(join(out, "strings", "MarketoConfigControl.1033.resx"), `<?xml version="1.0" encoding="utf-8"?>\n<root><data name="Control_DisplayName"><value>Marketo Config control</value></data></root>\n`);
  return root;
}
