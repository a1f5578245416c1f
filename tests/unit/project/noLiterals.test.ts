/**
 * Every visible string comes from the resx files: a component with literal text in JSX or in a
 * user-visible prop fails here, in any language.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(__dirname, "..", "..", "..", "MarketoConfigControl", "components");
const components = readdirSync(dir).filter((f) => f.endsWith(".tsx"));

/** Props whose value a user reads or hears. */
const VISIBLE_PROPS = ["text", "label", "title", "placeholder", "ariaLabel", "aria-label", "description", "ariaValueText", "dismissButtonAriaLabel", "closeButtonAriaLabel", "subText", "alt"];

function literalTexts(code: string): string[] {
  const found: string[] = [];
  // Comments are for developers: only code is scanned.
  const source = code
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, "");
  // Text between JSX tags that holds a letter (expressions in braces are not matched).
  for (const m of source.matchAll(/(?<!=)>([^<>{}]*[A-Za-zÀ-ÿ][^<>{}]*)</g)) {
    const text = m[1].trim();
    // Skip TypeScript generics and comparisons that look like tags: they contain code characters.
    if (text && !/[=;()]|=>|&&|\|\|/.test(text)) found.push(text);
  }
  for (const prop of VISIBLE_PROPS) {
    const re = new RegExp(`\\s${prop.replace("-", "\\-")}=(?:"([^"]*[A-Za-z][^"]*)"|\\{\\s*["'\`]([^"'\`]*[A-Za-z][^"'\`]*)["'\`]\\s*\\})`, "g");
    for (const m of source.matchAll(re)) found.push(`${prop}=${m[1] ?? m[2]}`);
  }
  return found;
}

describe("components use no literal strings", () => {
  it("there are components to check", () => expect(components.length).toBeGreaterThan(5));

  it.each(components)("%s", (file) => {
    expect(literalTexts(readFileSync(join(dir, file), "utf8"))).toEqual([]);
  });

  it("the check itself catches literals", () => {
    expect(literalTexts(`<Text>Hello</Text>`)).toEqual(["Hello"]);
    expect(literalTexts(`<DefaultButton text="Save" />`)).toEqual(["text=Save"]);
    expect(literalTexts(`<TextField ariaLabel={"Search"} />`)).toEqual(["ariaLabel=Search"]);
    expect(literalTexts(`<Text>{t("Key")}</Text>`)).toEqual([]);
    expect(literalTexts(`// A <dl> holds <dt> pairs\n<Text>{t("Key")}</Text>`)).toEqual([]);
  });
});
