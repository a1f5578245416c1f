/** Reads the control's .resx files into key → text maps, with the reader the CLI and the harness use. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseResx } from "../../formats/resx";

export const STRINGS_DIR = join(__dirname, "..", "..", "MarketoConfigControl", "strings");

export function readResx(lang: "1033" | "1036"): Map<string, string> {
  return parseResx(readFileSync(join(STRINGS_DIR, `MarketoConfigControl.${lang}.resx`), "utf8"));
}
