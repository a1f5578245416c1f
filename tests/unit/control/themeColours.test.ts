/**
 * Colours come from the form's Fluent theme (getTheme(): semanticColors, palette), never from literals:
 * a literal ignores dark themes and high contrast. Any #rgb/#rrggbb (or #rgba/#rrggbbaa), rgb()/rgba()
 * or hsl()/hsla() in the control's .tsx files fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..", "..", "..");
const controlDir = join(root, "MarketoConfigControl");

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    return statSync(path).isDirectory() ? tsxFiles(path) : name.endsWith(".tsx") ? [path] : [];
  });
}

/** Colour literals in code; comments are for developers and may name a colour. */
function colourLiterals(code: string): string[] {
  const source = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const m of source.matchAll(/#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![0-9a-zA-Z_-])/g)) found.push(m[0]);
  for (const m of source.matchAll(/\b(?:rgba?|hsla?)\s*\(/gi)) found.push(m[0]);
  return found;
}

const files = tsxFiles(controlDir);

describe("the control's colours come from the Fluent theme", () => {
  it("there are components to check, in every folder", () => {
    expect(files.length).toBeGreaterThan(5);
    expect(files.some((f) => f.includes(join("MarketoConfigControl", "components")))).toBe(true);
  });

  it.each(files.map((f) => [relative(root, f), f]))("%s", (_name, path) => {
    expect(colourLiterals(readFileSync(path, "utf8"))).toEqual([]);
  });

  it("the check itself catches colour literals and nothing else", () => {
    expect(colourLiterals(`const a = mergeStyles({ borderBottom: "1px solid #edebe9" });`)).toEqual(["#edebe9"]);
    expect(colourLiterals(`<span style={{ color: "#fff" }} />`)).toEqual(["#fff"]);
    expect(colourLiterals(`const c = "#8A5D00CC"; const d = 'rgb(0, 0, 0)'; const e = "rgba(0,0,0,.1)";`)).toEqual(["#8A5D00CC", "rgb(", "rgba("]);
    expect(colourLiterals(`background: hsl(0 0% 100%)`)).toEqual(["hsl("]);
    // Not colours: ids, anchors, entities, comments.
    expect(colourLiterals(`const id = "#mss-user-results"; const a = "#add-step"; const h = "https://x/y#create-app";`)).toEqual([]);
    expect(colourLiterals(`// was #edebe9\n/* and #fff */\nconst x = theme.semanticColors.bodyDivider;`)).toEqual([]);
  });
});
