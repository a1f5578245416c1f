/**
 * Reads a .resx file, the format the control's strings ship in and the platform serves through
 * `context.resources.getString`: key → text of each `<root><data name="…"><value>…</value></data>`.
 * One reader for the CLI, the harness page (bundled for the browser) and the tests.
 */
import { XMLParser } from "fast-xml-parser";
import { stripBom, xmlError } from "./xml";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseAttributeValue: false,
  parseTagValue: false,
  // Values are kept as written (`xml:space="preserve"`), entities decoded.
  trimValues: false,
  processEntities: true,
  isArray: (name) => name === "data",
});

interface RawData {
  "@_name"?: string;
  value?: string | { "#text"?: string };
}

/** Throws when the text is not well-formed XML, naming the line and column. */
export function parseResx(xml: string): Map<string, string> {
  const problem = xmlError(xml);
  if (problem) throw new Error(`The resx file is not well-formed XML: ${problem}`);
  const doc = parser.parse(stripBom(xml)) as { root?: { data?: RawData[] } };
  const strings = new Map<string, string>();
  for (const data of doc.root?.data ?? []) {
    const name = data["@_name"];
    if (!name || data.value === undefined) continue;
    strings.set(name, typeof data.value === "string" ? data.value : (data.value["#text"] ?? ""));
  }
  return strings;
}
