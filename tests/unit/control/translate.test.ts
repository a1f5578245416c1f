/** The one translator (core/i18n/translate.ts) as the control and the CLI build it. */
import { createTranslator } from "../../../core/i18n/translate";
import { createTranslate } from "../../../MarketoConfigControl/i18n";
import { translator } from "../../../cli/strings";
import { readResx } from "../../helpers/resx";

const strings = new Map([
  ["Files", "{count} files in {folder}"],
  ["Files_one", "{count} file in {folder}"],
  ["Plain", "Hello {name}"],
]);
const lookup = (key: string) => strings.get(key);

describe("createTranslator", () => {
  it("fills placeholders and leaves unknown ones as written", () => {
    const t = createTranslator({ lookup, locale: "en-US" });
    expect(t("Plain", { name: "Ada" })).toBe("Hello Ada");
    expect(t("Plain")).toBe("Hello {name}");
    expect(t("Plain", { name: undefined })).toBe("Hello {name}");
  });

  it("picks the plural form of the language: English 0 is plural, French 0 is singular", () => {
    const en = createTranslator({ lookup, locale: "en-US" });
    const fr = createTranslator({ lookup, locale: "fr-FR" });
    expect([0, 1, 2].map((count) => en("Files", { count, folder: "x" }))).toEqual(["0 files in x", "1 file in x", "2 files in x"]);
    expect([0, 1, 2].map((count) => fr("Files", { count, folder: "x" }))).toEqual(["0 file in x", "1 file in x", "2 files in x"]);
  });

  it("a count given as text, or a key without plural forms, uses the bare key", () => {
    const t = createTranslator({ lookup, locale: "en-US" });
    expect(t("Files", { count: "1", folder: "x" })).toBe("1 files in x");
    expect(t("Plain", { count: 1, name: "B" })).toBe("Hello B");
  });

  it("falls back, then shows the key", () => {
    const t = createTranslator({ lookup: () => undefined, fallback: lookup, locale: "fr-FR" });
    expect(t("Files_one")).toBe("{count} file in {folder}");
    expect(t("Nope")).toBe("Nope");
  });

  it("formats values with the given formatter", () => {
    const t = createTranslator({ lookup, locale: "en-US", format: (name, value) => `<${name}=${value}>` });
    expect(t("Plain", { name: "C" })).toBe("Hello <name=C>");
  });
});

describe("the control and the CLI say the same", () => {
  const en = readResx("1033");
  const fr = readResx("1036");

  it.each([
    ["1033", en, "en-US"],
    ["1036", fr, "fr-FR"],
  ] as const)("%s: one check, several checks", (lang, resx, locale) => {
    // PCF's getString answers an unknown key with the key, "", or throws (the PCF mock): all mean "none".
    const control = createTranslate((key) => resx.get(key) ?? key, locale);
    const cli = translator(lang);
    for (const count of [1, 3]) expect(control("Summary_Attention", { count })).toBe(cli("Summary_Attention", { count }));
    expect(control("Summary_Attention", { count: 1 })).not.toBe(control("Summary_Attention", { count: 3 }).replace("3", "1"));
    expect(control("No_Such_Key")).toBe("No_Such_Key");
    expect(createTranslate(() => "", locale)("No_Such_Key")).toBe("No_Such_Key");
    const throwing = createTranslate((key) => {
      if (!resx.has(key)) throw new Error(`Could not find string with id '${key}'`);
      return resx.get(key)!;
    }, locale);
    expect(throwing("Summary_Attention", { count: 3 })).toBe(cli("Summary_Attention", { count: 3 }));
  });

  it("English singular and plural", () => {
    const t = translator("1033");
    expect(t("Summary_Attention", { count: 1 })).toBe("1 check needs attention.");
    expect(t("Summary_Attention", { count: 9 })).toBe("9 check(s) need attention.");
  });
});
