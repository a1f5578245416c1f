/**
 * The one translator of the control and the CLI: a key looked up in the resx strings, a plural
 * form picked by `count`, `{name}` placeholders filled.
 *
 * Plurals: a key may have forms `<key>_one`, `<key>_two`, `<key>_few`, `<key>_many`, `<key>_zero`
 * beside it, named by the CLDR plural categories that `Intl.PluralRules` returns for the
 * language (French puts 0 and 1 in "one", English only 1). The bare key is the "other" form and the
 * fallback, so a string without plural forms keeps working.
 */

export type TranslateParams = Record<string, string | number | undefined>;

export type Translate = (key: string, params?: TranslateParams) => string;

export interface TranslatorOptions {
  /** The text of a key, or undefined when this language has none. */
  lookup: (key: string) => string | undefined;
  /** Asked when `lookup` has no text: e.g. the English strings. */
  fallback?: (key: string) => string | undefined;
  /** A BCP 47 tag ("en-US", "fr-FR"): picks the plural rules. */
  locale: string;
  /** How a parameter is shown; `String(value)` by default. */
  format?: (name: string, value: string | number) => string;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Parameters that list table logical names ("lead, contact"): each is shown by its display name in
 * the language (`Table_<logical name>`: "Prospect" in French), or as given when the strings have none.
 */
const TABLE_LISTS = new Set(["tables", "unread"]);

export function createTranslator(options: TranslatorOptions): Translate {
  const { lookup, fallback = () => undefined, format = (_name: string, value: string | number) => String(value) } = options;
  const plurals = new Intl.PluralRules(options.locale);
  const text = (key: string) => lookup(key) ?? fallback(key);
  return (key, params = {}) => {
    const count = params.count;
    const category = typeof count === "number" ? plurals.select(count) : "other";
    const template = (category !== "other" ? text(`${key}_${category}`) : undefined) ?? text(key) ?? key;
    return template.replace(PLACEHOLDER, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      if (TABLE_LISTS.has(name) && typeof value === "string" && value)
        return format(
          name,
          value
            .split(", ")
            .map((table) => text(`Table_${table}`) ?? table)
            .join(", "),
        );
      return format(name, value);
    });
  };
}

/** The language of a Dynamics LCID, for Intl (1036 → fr-FR); English for any other. */
export function localeOfLcid(lcid: string | number): string {
  return String(lcid) === "1036" ? "fr-FR" : "en-US";
}
