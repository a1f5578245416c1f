/**
 * House rules (README.md, "Layout") that code review alone would miss: the control and core never
 * name the Marketo Config table or its attribute (they come from the form), and core/ stays
 * free of React, PCF and Node.
 */
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

describe("core/ is framework-free", () => {
  it.each(files(join(root, "core")).map((f) => [f.slice(root.length + 1), f]))("%s", (_name, path) => {
    const text = readFileSync(path, "utf8");
    expect(text).not.toMatch(/from\s+["'](?:react|react-dom|@fluentui\/[^"']+|node:[^"']+|fs|path|http|https)["']/);
    expect(text).not.toMatch(/ComponentFramework\./);
  });
});

describe("components do not fetch: they ask the SetupService", () => {
  it.each(files(join(root, "MarketoConfigControl", "components")).map((f) => [f.slice(root.length + 1), f]))("%s", (_name, path) => {
    expect(readFileSync(path, "utf8")).not.toMatch(/\bfetch\(|XMLHttpRequest|webAPI\./);
  });
});
