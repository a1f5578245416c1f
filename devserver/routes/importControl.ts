/**
 * One custom control (component type 66) of an imported solution, checked the way Dataverse's
 * custom-control import handler checks it.
 *
 * - The name's prefix (the part before "_" in `<prefix>_<namespace>.<constructor>`) must be the
 *   solution publisher's CustomizationPrefix. The text is the service's, as reported in
 *   bthompson-365/PCF-Metadata#1, yashag2255/PrintIt-Component#2 and microsoft/powercat-creator-kit#540
 *   ("CustomControls with Name … Import Solution Failed with following error: Publisher prefix … for
 *   this control … does not match the prefix … for the solution with Id …"); those reports show no code.
 * - The manifest's namespace and constructor must give the registered name, and every file its
 *   <resources> list (code, css, img, resx; paths relative to the control's folder) must be in the
 *   zip: the control could not be registered or loaded otherwise. Public reports word control
 *   failures "CustomControl with name … failed to import with error: …" (e.g. yashag2255/exportToExcel#11);
 *   the detail after that is the devserver's.
 * - Every `of-type` is one the manifest schema knows (manifest-schema-reference/type.md lists the
 *   supported values and those "not supported currently"); anything else fails schema validation.
 */
import { attr, child, children, parseXml, xmlError, type XmlElement } from "../../formats/xml";
import type { ZipContents } from "../../formats/zipReader";
import { ImportCodes, fail, failXsd, positionOf } from "./importErrors";

export interface ImportedControl {
  name: string;
  manifest: string;
  version: string;
  compatibleDataTypes: string;
}

const PROPERTY_TYPES = new Set([
  // Supported.
  "Currency",
  "DateAndTime.DateAndTime",
  "DateAndTime.DateOnly",
  "Decimal",
  "Enum",
  "FP",
  "Lookup.Simple",
  "Multiple",
  "MultiSelectOptionSet",
  "Object",
  "OptionSet",
  "SingleLine.Email",
  "SingleLine.Phone",
  "SingleLine.Text",
  "SingleLine.TextArea",
  "SingleLine.Ticker",
  "SingleLine.URL",
  "TwoOptions",
  "Whole.None",
  // Documented as "not supported currently": known to the schema, so not an import error here.
  "Whole.Duration",
  "Whole.TimeZone",
  "Whole.Language",
  "Lookup.Customer",
  "Lookup.Owner",
  "Lookup.PartyList",
  "Lookup.Regarding",
  "Status",
  "Status Reason",
]);

const RESOURCE_FILES = ["code", "css", "img", "resx"];

/** The zip's entry names, compared as the service compares paths: "/"-separated, any case. */
export function entryIndex(zip: ZipContents): Set<string> {
  return new Set(Object.keys(zip.data).map(normalizePath));
}

function normalizePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^(\.\/|\/)+/, "")
    .toLowerCase();
}

/** `prefix_ns.ctor` → { prefix, shortName: "ns.ctor" }; no "_" → an empty prefix. */
export function splitControlName(name: string): { prefix: string; shortName: string } {
  const at = name.indexOf("_");
  return at < 0 ? { prefix: "", shortName: name } : { prefix: name.slice(0, at), shortName: name.slice(at + 1) };
}

function checkPropertyTypes(control: XmlElement, text: string): void {
  const properties = [...children(control, "property"), ...children(control, "data-set").flatMap((d) => children(d, "property-set"))];
  for (const p of properties) {
    const type = attr(p, "of-type");
    if (type && !PROPERTY_TYPES.has(type)) {
      failXsd(
        `The 'of-type' attribute is invalid - The value '${type}' is invalid according to its datatype 'String' - The Enumeration constraint failed.`,
        text,
        positionOf(text, new RegExp(`of-type="${type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`)),
      );
    }
  }
  for (const group of children(control, "type-group")) {
    for (const t of children(group, "type")) {
      const type = t.text.trim();
      if (!PROPERTY_TYPES.has(type))
        failXsd(`The 'type' element is invalid - The value '${type}' is invalid according to its datatype 'String' - The Enumeration constraint failed.`, text, positionOf(text, /<type-group\b/));
    }
  }
}

/**
 * Reads and checks the control `name` whose manifest is the zip entry `fileName`; throws the
 * import failure Dataverse would report.
 */
export function readControl(zip: ZipContents, entries: Set<string>, name: string, fileName: string, publisherPrefix: string, solutionId: string): ImportedControl {
  const text = Buffer.from(zip.data[fileName]).toString("utf8");
  const error = xmlError(text);
  const doc = error ? undefined : parseXml(text);
  const control = doc?.name === "manifest" ? child(doc, "control") : undefined;
  if (!control) return fail(ImportCodes.invalidXml, `The control manifest ${fileName} could not be read${error ? `: ${error}` : ": it has no <manifest><control>."}`);
  checkPropertyTypes(control, text);

  const { prefix, shortName } = splitControlName(name);
  if (prefix.toLowerCase() !== publisherPrefix.toLowerCase()) {
    fail(
      ImportCodes.solutionError,
      `CustomControls with Name ${shortName} Import Solution Failed with following error: Publisher prefix ${prefix} for this control ${shortName} does not match the prefix ${publisherPrefix} for the solution with Id ${solutionId}.`,
    );
  }
  const failed = (detail: string) => fail(ImportCodes.solutionError, `CustomControl with name ${shortName} failed to import with error: ${detail}`);
  const declared = `${attr(control, "namespace")}.${attr(control, "constructor")}`;
  if (declared.toLowerCase() !== shortName.toLowerCase()) {
    failed(`its manifest declares namespace '${attr(control, "namespace")}' and constructor '${attr(control, "constructor")}', so the control would be named ${prefix}_${declared}, not ${name}.`);
  }
  const folder = fileName.includes("/") ? fileName.slice(0, fileName.lastIndexOf("/") + 1) : "";
  for (const resource of child(control, "resources")?.children ?? []) {
    if (!RESOURCE_FILES.includes(resource.name)) continue;
    const path = attr(resource, "path");
    if (!entries.has(normalizePath(folder + path.replace(/\\/g, "/").replace(/^(\.\/)+/, "")))) {
      failed(`the file '${path}' listed as a <${resource.name}> resource in its manifest is not in the solution file (expected at ${folder}${path}).`);
    }
  }
  const bound = children(control, "property").find((p) => p.attrs.usage === "bound");
  return { name, manifest: text.replace(/^\uFEFF/, ""), version: attr(control, "version"), compatibleDataTypes: bound ? attr(bound, "of-type") : "" };
}
