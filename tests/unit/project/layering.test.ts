/**
 * House rules (README.md, "Layout"). Who may import whom is ESLint's job (eslint.config.mjs:
 * eslint-plugin-boundaries, no-restricted-imports/globals; `npm run lint`), and core/ is compiled
 * without the DOM library (tsconfig.core.json, `npm run typecheck`). Here: that those rules refuse
 * what they are meant to refuse, and the one rule no linter knows, that the control and core never
 * name the Marketo Config table or its attribute (they come from the form).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const sources = [...files(join(root, "core")), ...files(join(root, "MarketoConfigControl")), ...files(join(root, "cli"))];

describe("no Marketo Config names in core/, MarketoConfigControl/ or cli/", () => {
  it.each(sources.map((f) => [f.slice(root.length + 1), f]))("%s", (_name, path) => {
    const text = readFileSync(path, "utf8");
    expect(text).not.toMatch(/\b[a-z][a-z0-9]*_(?:marketo)?(?:config|mktsettings|marketouser\w*|syncuser)\b/); // logical names are lower case
    expect(text).not.toMatch(/\bmarketoconfigs?\b/); // a bare logical or set name (lower case)
  });
});

/** [file the code would be in, code, the rule that refuses it (null: allowed)] */
const CASES: Array<[string, string, string | null]> = [
  ["core/x.ts", `import * as React from "react"; export const a = React;`, "no-restricted-imports"],
  ["core/x.ts", `import { readFileSync } from "node:fs"; export const a = readFileSync;`, "no-restricted-imports"],
  ["core/x.ts", `export const a = ComponentFramework.PropertyHelper;`, "no-restricted-syntax"],
  ["core/x.ts", `import { run } from "../cli/main"; export const a = run;`, "boundaries/dependencies"],
  ["core/x.ts", `import { SetupPanel } from "../MarketoConfigControl/components/SetupPanel"; export const a = SetupPanel;`, "boundaries/dependencies"],
  ["core/x.ts", `import { FIXES } from "./setup/fixes"; export const a = FIXES;`, null],
  ["MarketoConfigControl/components/x.ts", `export const a = () => fetch("/api/data/v9.2/roles");`, "no-restricted-globals"],
  ["MarketoConfigControl/components/x.ts", `export const a = () => window.fetch("/api/data/v9.2/roles");`, "no-restricted-properties"],
  ["MarketoConfigControl/components/x.ts", `export const a = (c: { webAPI: unknown }) => c.webAPI;`, "no-restricted-properties"],
  ["MarketoConfigControl/components/x.ts", `import { DataverseClient } from "../../core/dataverse/client"; export const a = DataverseClient;`, "no-restricted-imports"],
  ["MarketoConfigControl/components/x.ts", `import { FIXES } from "../../core/setup/fixes"; export const a = FIXES;`, null],
  ["MarketoConfigControl/x.ts", `import { run } from "../cli/main"; export const a = run;`, "boundaries/dependencies"],
  ["cli/x.ts", `import { packSolution } from "../pack/build"; export const a = packSolution;`, "boundaries/dependencies"],
  ["cli/x.ts", `import { FIXTURES_DIR } from "../devserver/server"; export const a = FIXTURES_DIR;`, "boundaries/dependencies"],
  ["cli/x.ts", `import { readResx } from "../tests/helpers/resx"; export const a = readResx;`, "boundaries/no-unknown-dependencies"],
  ["cli/x.ts", `import { verifySolutionZip } from "../formats/verify"; export const a = verifySolutionZip;`, null],
  ["pack/x.ts", `import { run } from "../cli/main"; export const a = run;`, "boundaries/dependencies"],
  ["pack/x.ts", `import { readZip } from "../formats/zipReader"; export const a = readZip;`, null],
  ["devserver/x.ts", `import { packSolution } from "../pack/build"; export const a = packSolution;`, "boundaries/dependencies"],
  ["devserver/x.ts", `import { run } from "../cli/main"; export const a = run;`, "boundaries/dependencies"],
  ["formats/x.ts", `import { FIXES } from "../core/setup/fixes"; export const a = FIXES;`, "boundaries/dependencies"],
  ["tests/x.ts", `import { run } from "../cli/main"; import { packSolution } from "../pack/build"; export const a = [run, packSolution];`, null],
];

// ESLint's configuration is an ES module: it is loaded in a Node process of its own, as `npm run lint` does.
const LINT = `
const { ESLint } = require("eslint");
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of JSON.parse(require("node:fs").readFileSync(0, "utf8"))) {
    const [r] = await eslint.lintText(code, { filePath: file });
    out.push(r.messages.map((m) => m.ruleId ?? m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

describe("the layer rules ESLint enforces", () => {
  let found: string[][];
  beforeAll(() => {
    const r = spawnSync(process.execPath, ["-e", LINT], { cwd: root, input: JSON.stringify(CASES.map(([f, c]) => [f, c])), encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    found = JSON.parse(r.stdout) as string[][];
  }, 60_000);

  it.each(CASES.map(([file, code, rule], i) => [file, code, rule, i] as const))("%s: %s → %s", (_file, _code, rule, i) => {
    if (rule) expect(found[i]).toContain(rule);
    else expect(found[i]).toEqual([]);
  });
});
