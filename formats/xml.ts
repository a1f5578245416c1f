/**
 * A small element tree over fast-xml-parser: enough to check well-formedness, element order and
 * attributes of the solution files without a DOM.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  // A prefix, because PCF manifests have an attribute named "constructor", which the parser
  // refuses as a bare object key.
  attributeNamePrefix: "@_",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  // Text is kept verbatim: entities in names and descriptions are decoded by the parser.
  processEntities: true,
});

/** The well-formedness error of a document, or null. A leading BOM is allowed. */
export function xmlError(text: string): string | null {
  const result = XMLValidator.validate(stripBom(text));
  return result === true ? null : `${result.err.msg} (line ${result.err.line}, column ${result.err.col})`;
}

/** The document element of a well-formed document (call xmlError first). */
export function parseXml(text: string): XmlElement {
  const nodes = parser.parse(stripBom(text)) as unknown[];
  const root = toElements(nodes)[0];
  if (!root) throw new Error("no document element");
  return root;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** An attribute's value, or "" (safe for names like "constructor" that objects inherit). */
export function attr(el: XmlElement | undefined, name: string): string {
  return el && Object.prototype.hasOwnProperty.call(el.attrs, name) ? (el.attrs as Record<string, string>)[name] : "";
}

export function textOf(el: XmlElement | undefined): string {
  return el ? el.text.trim() : "";
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

type RawNode = Record<string, unknown> & { ":@"?: Record<string, unknown> };

function toElements(nodes: unknown[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const raw of nodes as RawNode[]) {
    const name = Object.keys(raw).find((k) => k !== ":@");
    if (!name || name === "#text" || name.startsWith("?") || name.startsWith("#")) continue;
    const body = (raw[name] as unknown[]) ?? [];
    // No prototype: attribute names such as "constructor" must not resolve to Object's members.
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(raw[":@"] ?? {})) attrs[k.slice(2)] = String(v);
    const text = (body as RawNode[])
      .filter((n) => "#text" in n)
      .map((n) => String(n["#text"]))
      .join("");
    out.push({ name, attrs, children: toElements(body), text });
  }
  return out;
}
