/** Reads a .resx file into a key → text map (the format the control's strings ship in). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const STRINGS_DIR = join(__dirname, "..", "..", "MarketoConfigControl", "strings");

export function readResx(lang: "1033" | "1036"): Map<string, string> {
  const xml = readFileSync(join(STRINGS_DIR, `MarketoConfigControl.${lang}.resx`), "utf8");
  const entries = new Map<string, string>();
  for (const m of xml.matchAll(/<data name="([^"]+)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g)) {
    entries.set(m[1], m[2].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  }
  return entries;
}
