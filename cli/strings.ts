/**
 * The CLI speaks with the control's strings: the same resx files (MarketoConfigControl/strings),
 * so a checklist line reads the same in the browser and in a terminal, in English or French.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Lang = "1033" | "1036";

const STRINGS_DIR = join(__dirname, "..", "MarketoConfigControl", "strings");

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** key → text from a .resx file (`<data name="…"><value>…</value></data>`). */
export function parseResx(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<data\s+name="([^"]+)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g)) {
    out.set(m[1], m[2].replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]));
  }
  return out;
}

const cache = new Map<Lang, Map<string, string>>();

export function loadStrings(lang: Lang): Map<string, string> {
  let strings = cache.get(lang);
  if (!strings) {
    strings = parseResx(readFileSync(join(STRINGS_DIR, `MarketoConfigControl.${lang}.resx`), "utf8"));
    cache.set(lang, strings);
  }
  return strings;
}

/** `--lang` wins; then LC_ALL / LC_MESSAGES / LANG starting with "fr"; English otherwise. */
export function pickLang(option: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const o = (option ?? "").toLowerCase();
  if (o === "1036" || o.startsWith("fr")) return "1036";
  if (o === "1033" || o.startsWith("en")) return "1033";
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^fr/i.test(locale) ? "1036" : "1033";
}

export type Translate = (key: string, params?: Record<string, string | number | undefined>) => string;

/** A translator: `{name}` placeholders filled; a missing key falls back to English, then to the key. */
export function translator(lang: Lang): Translate {
  const strings = loadStrings(lang);
  const english = loadStrings("1033");
  const dates = new Intl.DateTimeFormat(lang === "1036" ? "fr-FR" : "en-US", { dateStyle: "short", timeStyle: "medium" });
  // A `{time}` is an instant from the org: shown in the admin's language, as the control shows it.
  const show = (name: string, value: string | number) =>
    name === "time" && typeof value === "string" && !Number.isNaN(Date.parse(value)) ? dates.format(new Date(value)) : String(value);
  return (key, params = {}) => {
    const text = strings.get(key) ?? english.get(key) ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? show(name, params[name]!) : whole));
  };
}
