/**
 * The CLI speaks with the control's strings: the same resx files (MarketoConfigControl/strings),
 * read by the same reader, through core's translator, so a checklist line reads the same in the
 * browser and in a terminal, in English or French.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTranslator, localeOfLcid, type Translate } from "../core/i18n/translate";
import { parseResx } from "../formats/resx";

export type { Translate };

export type Lang = "1033" | "1036";

const STRINGS_DIR = join(__dirname, "..", "MarketoConfigControl", "strings");

const cache = new Map<Lang, Map<string, string>>();

export function loadStrings(lang: Lang): Map<string, string> {
  let strings = cache.get(lang);
  if (!strings) {
    strings = parseResx(readFileSync(join(STRINGS_DIR, `MarketoConfigControl.${lang}.resx`), "utf8"));
    cache.set(lang, strings);
  }
  return strings;
}

/** The language a --lang value names (1033, 1036, or a locale such as fr-FR), or undefined. */
export function langOption(option: string | undefined): Lang | undefined {
  const o = (option ?? "").toLowerCase();
  if (o === "1036" || o.startsWith("fr")) return "1036";
  if (o === "1033" || o.startsWith("en")) return "1033";
  return undefined;
}

/** `--lang` wins; then LC_ALL / LC_MESSAGES / LANG starting with "fr"; English otherwise. */
export function pickLang(option: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const chosen = langOption(option);
  if (chosen) return chosen;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^fr/i.test(locale) ? "1036" : "1033";
}

/**
 * The key the CLI reads for a control string: `CliText_<key>` when the resx has one. Some control
 * strings say what to do in a browser ("refresh the page"); in a terminal the next step is a command
 * to run again, so those keys have a CLI wording of their own, in both languages.
 */
export const cliVariantKey = (key: string) => `CliText_${key}`;

/** A translator: a missing key falls back to English, then to the key. */
export function translator(lang: Lang): Translate {
  const strings = loadStrings(lang);
  const english = loadStrings("1033");
  const locale = localeOfLcid(lang);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" });
  return createTranslator({
    lookup: (key) => strings.get(cliVariantKey(key)) ?? strings.get(key),
    fallback: (key) => english.get(cliVariantKey(key)) ?? english.get(key),
    locale,
    // A `{time}` is an instant from the org: shown in the admin's language, as the control shows it.
    format: (name, value) => (name === "time" && typeof value === "string" && !Number.isNaN(Date.parse(value)) ? dates.format(new Date(value)) : String(value)),
  });
}
