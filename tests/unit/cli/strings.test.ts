/**
 * "Refresh the page" is what to do in the control; in a terminal the CLI says what to run next
 * (issue 15). Every control string that tells the admin to refresh has a CLI wording of its own.
 */
import { cliVariantKey, translator } from "../../../cli/strings";
import { readResx } from "../../helpers/resx";

const en = readResx("1033");
const fr = readResx("1036");
const BROWSER_ONLY = { "1033": /refresh|reload|the page/i, "1036": /actualis|rafra[iî]ch|recharg|la page/i } as const;

describe("the CLI's wording of control strings", () => {
  const browserKeys = [...en.keys()].filter((k) => !k.startsWith("CliText_") && (BROWSER_ONLY["1033"].test(en.get(k)!) || BROWSER_ONLY["1036"].test(fr.get(k) ?? "")));

  it("finds the control strings that say to refresh the page", () => {
    expect(browserKeys).toEqual(expect.arrayContaining(["Error_notFound", "Error_badQuery", "Error_sessionExpired", "Action_stateUnknown"]));
  });

  it.each(["1033", "1036"] as const)("never tells a CLI user to refresh the page (%s)", (lang) => {
    const t = translator(lang);
    for (const key of browserKeys) {
      expect({ key, text: t(key) }).toEqual({ key, text: expect.not.stringMatching(BROWSER_ONLY[lang]) });
      expect((lang === "1033" ? en : fr).has(cliVariantKey(key))).toBe(true);
    }
  });

  it("leaves every other string as the control says it", () => {
    const t = translator("1033");
    expect(t("Error_privilege")).toBe(en.get("Error_privilege"));
  });
});
