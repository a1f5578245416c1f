/** The one translator (core/i18n/translate.ts) as the control and the CLI build it. */
import { createTranslator } from "../../../core/i18n/translate";
import { createTranslate, detailsText } from "../../../MarketoConfigControl/i18n";
import { translator } from "../../../cli/strings";
import { explain } from "../../../cli/errors";
import { DataverseError } from "../../../core/dataverse/errors";
import { describeError } from "../../../core/setup/messages";
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
    expect(t("Summary_Attention", { count: 9 })).toBe("9 checks need attention.");
  });
});

describe("words (issue 13)", () => {
  const en = readResx("1033");
  const fr = readResx("1036");
  const both = [...en.entries(), ...fr.entries()];

  it("real plurals in both languages, through the control and the CLI alike", () => {
    for (const [lang, locale, one, many] of [
      ["1033", "en-US", "1 of 6 plugin steps is disabled.", "2 of 6 plugin steps are disabled."],
      ["1036", "fr-FR", "1 étape de plug-in sur 6 est désactivée.", "2 étapes de plug-in sur 6 sont désactivées."],
    ] as const) {
      const resx = lang === "1033" ? en : fr;
      const control = createTranslate((key) => resx.get(key) ?? key, locale);
      const cli = translator(lang);
      for (const t of [control, cli]) {
        expect(t("Check_StepsDisabled", { count: 1, total: 6 })).toBe(one);
        expect(t("Check_StepsDisabled", { count: 2, total: 6 })).toBe(many);
      }
    }
    // French puts 0 in the singular, English does not.
    expect(translator("1036")("Summary_Attention", { count: 0 })).toBe("0 vérification demande votre attention.");
    expect(translator("1033")("Summary_Attention", { count: 0 })).toBe("0 checks need attention.");
    expect(translator("1036")("Check_RoleNotExclusive", { count: 1, role: "R", names: "Ann" })).toBe("1 autre utilisateur a le rôle R : Ann.");
  });

  it('no "(s)" in any string', () => {
    expect(both.filter(([, text]) => /\w\((?:s|es)\)|\(e\)s?\b/.test(text)).map(([key]) => key)).toEqual([]);
  });

  it("one name for the sync user: 'Marketo User' for the field, 'sync user' otherwise, in both languages", () => {
    const english = [/Marketo sync user/, /Marketo user\b/, /\bsynchroni[sz]ation user/i, /\bsync-user/i];
    const french = [/utilisateur Marketo/, /utilisateur de synchronisation Marketo/i, /utilisateur de sync\b/i, /utilisateur synchronis/i];
    expect([...en.entries()].filter(([, text]) => english.some((r) => r.test(text))).map(([key]) => key)).toEqual([]);
    expect([...fr.entries()].filter(([, text]) => french.some((r) => r.test(text))).map(([key]) => key)).toEqual([]);
    expect(fr.get("Section_User")).toBe("Utilisateur Marketo");
    expect(en.get("Section_User")).toBe("Marketo User");
  });

  it("French: table names in French, Oui/Non, and 'peut' where the English says 'may'", () => {
    const t = translator("1036");
    expect(t("Check_FilterPresent", { tables: "lead, contact, account" })).toBe("Le champ de filtre de synchronisation new_synctomkto existe sur : Prospect, Contact, Compte.");
    expect(createTranslate((key) => fr.get(key) ?? key, "fr-FR")("Check_FilterPresent", { tables: "lead, x_other" })).toMatch(/: Prospect, x_other\.$/);
    expect(translator("1033")("Check_FilterPresent", { tables: "lead" })).toMatch(/on: Lead\.$/);
    const all = [...fr.values()].join("\n");
    expect(all).not.toMatch(/Deux options/i);
    expect(fr.get("Check_Filter_Detail")).toMatch(/Oui\/Non.*Prospect, Contact ou Compte/);
    expect(all).not.toMatch(/\bsur (?:lead|prospect),/);
    const mayWithoutPeut = [...en.entries()].filter(([key, text]) => /\bmay\b/.test(text) && !/\bpeu(?:t|vent)\b/.test(fr.get(key)!)).map(([key]) => key);
    expect(mayWithoutPeut).toEqual([]);
  });

  it("French technical details read Code / Requête / Message; English ones stay as they were", () => {
    const error = new DataverseError("privilege", { status: 403, code: "0x80040220", message: "Denied", method: "POST", url: "https://org/x" });
    const described = describeError(error, "assignRole");
    const fr1036 = createTranslate((key) => fr.get(key) ?? key, "fr-FR");
    expect(detailsText(fr1036, described)).toBe("HTTP 403\nCode : 0x80040220\nRequête : POST https://org/x\nMessage : Denied");
    expect(detailsText(translator("1033"), described)).toBe(error.technicalDetails);
    expect(error.technicalDetails).toBe("HTTP 403\nCode: 0x80040220\nRequest: POST https://org/x\nMessage: Denied");
    expect(explain(error, "assignRole", translator("1036")).details).toContain("Requête : POST");
    expect(detailsText(fr1036, describeError(new Error("boom"), "load"))).toBe("Error: boom");
  });
});
