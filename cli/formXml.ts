/**
 * Puts a PCF control on a form field by editing the form XML (systemform.formxml) the way the form
 * designer writes it (public examples of `controlDescription` blocks, e.g. in solutions exported
 * from Dataverse):
 *
 *   <controlDescriptions>
 *     <controlDescription forControl="{uniqueid of the field's <control>}">
 *       <customControl id="{classid of the default control}">          ← the standard lookup, kept as fallback
 *         <parameters><datafieldname>field</datafieldname></parameters></customControl>
 *       <customControl formFactor="0" name="mss_MarketoSync.MarketoConfigControl">   ← one per form factor (0 web, 1 tablet, 2 phone)
 *         <parameters><marketoUser type="Lookup.Simple">field</marketoUser>
 *           <roleName type="SingleLine.Text" static="true">…</roleName></parameters></customControl>  ← values set in the designer
 *     </controlDescription>
 *   </controlDescriptions>
 *
 * The form is parsed and written back with fast-xml-parser (order-preserving mode), so everything
 * outside the edited controlDescription stays as it was (same elements, attributes, text, comments
 * and order; only the spelling of entities and empty elements may differ). Nothing is rewritten
 * when nothing needs to change.
 */
import { randomUUID } from "node:crypto";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { xmlError } from "../formats/xml";

export const FORM_FACTORS = ["0", "1", "2"];

export interface BindOptions {
  field: string;
  controlName: string;
  /** The manifest's bound property (e.g. marketoUser). */
  property: string;
  propertyType?: string;
  /** Also bind the copies of the field in the form header (control ids `header_<field>`). */
  includeHeader?: boolean;
  /** Replace another control already on the field instead of refusing. */
  replace?: boolean;
}

export interface BindResult {
  changed: boolean;
  /** The edited form XML; the input itself when nothing changed. */
  xml: string;
  /** uniqueid of each control bound (the body control, and header copies with includeHeader). */
  controls: string[];
  /** Header copies of the field left as they were. */
  headerSkipped: number;
  /** Names of the other controls replaced (only with `replace`). */
  replaced: string[];
  /** What changes on each control of the field: shown before saving (and by --dry-run). */
  changes: ControlChange[];
}

/** A control on the field, as the form lists it: a named one (PCF) on some form factors, or the standard one (name null). */
export interface ControlUse {
  name: string | null;
  formFactors: string[];
}

export interface ControlChange {
  /** The field control's uniqueid. */
  control: string;
  place: "body" | "header" | "footer";
  tab?: string;
  section?: string;
  before: ControlUse[];
  after: ControlUse[];
}

export type FormXmlProblem = "invalid" | "noField" | "headerOnly";

export class FormXmlError extends Error {
  constructor(
    message: string,
    readonly problem: FormXmlProblem = "invalid",
  ) {
    super(message);
    this.name = "FormXmlError";
  }
}

/** The field already hosts another control (by name); replacing it needs the admin's consent. */
export class ForeignControlError extends Error {
  constructor(readonly controls: string[]) {
    super(`the field already uses ${controls.join(", ")}`);
    this.name = "ForeignControlError";
  }
}

// ---- the order-preserving tree of fast-xml-parser: [{ tag: children, ":@": { "@_attr": value } }, { "#text": "…" }]

type XNode = Record<string, unknown>;
type Attrs = Record<string, string>;
const A = "@_";
const ATTRS = ":@";

const COMMON = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: A,
  commentPropName: "#comment",
  cdataPropName: "#cdata",
} as const;

const parser = new XMLParser({
  ...COMMON,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Also decodes character references (&#10;, &#xE9;), which the builder then writes back as text.
  htmlEntities: true,
});

const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
// Line breaks and tabs in attribute values must stay references, or a reader normalises them to spaces.
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

const builder = new XMLBuilder({
  ...COMMON,
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  // The processors below escape; the builder's own escaping is off so nothing is escaped twice.
  processEntities: false,
  tagValueProcessor: (_name: string, value: unknown) => escapeText(String(value)),
  attributeValueProcessor: (_name: string, value: unknown) => escapeAttr(String(value)),
});

const nameOf = (n: XNode): string => Object.keys(n).find((k) => k !== ATTRS) ?? "";
const isElement = (n: XNode) => !/^[#?]/.test(nameOf(n));
const kids = (n: XNode): XNode[] => n[nameOf(n)] as XNode[];
const attr = (n: XNode, name: string): string | undefined => (n[ATTRS] as Attrs | undefined)?.[A + name];
const elements = (n: XNode, name?: string) => kids(n).filter((c) => isElement(c) && (name === undefined || nameOf(c) === name));
const textOf = (n: XNode): string =>
  kids(n)
    .map((c) => (typeof c["#text"] === "string" ? c["#text"] : isElement(c) ? textOf(c) : ""))
    .join("");
const sameText = (a: string | undefined, b: string) => a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

function setAttr(n: XNode, name: string, value: string): void {
  n[ATTRS] = { ...((n[ATTRS] as Attrs | undefined) ?? {}), [A + name]: value };
}

function el(name: string, attrs: Attrs, children: XNode[]): XNode {
  const node: XNode = { [name]: children };
  if (Object.keys(attrs).length) node[ATTRS] = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [A + k, v]));
  return node;
}

/** Parses a document into fast-xml-parser's order-preserving tree (for tests too). */
export function parseFormXml(xml: string): XNode[] {
  const error = xmlError(xml);
  if (error) throw new FormXmlError(`the form XML is not well-formed: ${error}`);
  try {
    return parser.parse(xml) as XNode[];
  } catch (e) {
    // e.g. element names the parser refuses (constructor, __proto__…)
    throw new FormXmlError(`the form XML could not be read: ${(e as Error).message}`);
  }
}

// ---- the field's controls

interface FieldControl {
  node: XNode;
  place: "body" | "header" | "footer";
  tab?: string;
  section?: string;
}

/** Every `<control datafieldname="field">` of the form, and whether it is in the header or footer. */
function fieldControls(form: XNode, field: string): FieldControl[] {
  const out: FieldControl[] = [];
  const walk = (n: XNode, place: FieldControl["place"], tab?: string, section?: string) => {
    for (const c of elements(n)) {
      const name = nameOf(c);
      if (name === "controlDescriptions") continue;
      if (name === "control" && sameText(attr(c, "datafieldname"), field)) {
        // The designer names header copies header_<field>: a second clue besides the <header> parent.
        out.push({ node: c, place: place === "body" && /^header_/i.test(attr(c, "id") ?? "") ? "header" : place, tab, section });
      } else {
        walk(c, place === "body" && (name === "header" || name === "footer") ? name : place, name === "tab" ? attr(c, "name") : tab, name === "section" ? attr(c, "name") : section);
      }
    }
  };
  walk(form, "body");
  return out;
}

// ---- controlDescription blocks

const sameId = (a: string | undefined, b: string) => a !== undefined && a.replace(/[{}]/g, "").toLowerCase() === b.replace(/[{}]/g, "").toLowerCase();

function boundParameter(o: BindOptions): XNode {
  return el(o.property, { type: o.propertyType ?? "Lookup.Simple" }, [{ "#text": o.field }]);
}

function customControl(formFactor: string, o: BindOptions, others: XNode[]): XNode {
  return el("customControl", { formFactor, name: o.controlName }, [el("parameters", {}, [boundParameter(o), ...others])]);
}

function fallback(classId: string, field: string): XNode {
  return el("customControl", { id: classId }, [el("parameters", {}, [el("datafieldname", {}, [{ "#text": field }])])]);
}

function newDescription(uniqueId: string, classId: string | undefined, o: BindOptions): XNode {
  return el("controlDescription", { forControl: uniqueId }, [...(classId ? [fallback(classId, o.field)] : []), ...FORM_FACTORS.map((f) => customControl(f, o, []))]);
}

/** The controls a description puts on the field; without one, the standard control alone. */
function controlUses(description: XNode | undefined): ControlUse[] {
  const uses: ControlUse[] = [];
  for (const cc of description ? elements(description, "customControl") : []) {
    const name = attr(cc, "name") ?? null;
    let use = uses.find((u) => u.name === name);
    if (!use) uses.push((use = { name, formFactors: [] }));
    const factor = attr(cc, "formFactor");
    if (factor !== undefined && !use.formFactors.includes(factor)) use.formFactors.push(factor);
  }
  return uses.length ? uses : [{ name: null, formFactors: [] }];
}

const isOurs = (cc: XNode, o: BindOptions) => sameText(attr(cc, "name"), o.controlName);
/** Other named controls (PCF or first-party); the default control has an id and no name. */
const isForeign = (cc: XNode, o: BindOptions) => attr(cc, "name") !== undefined && !isOurs(cc, o);

function parametersOf(cc: XNode): XNode {
  let parameters = elements(cc, "parameters")[0];
  if (!parameters) {
    parameters = el("parameters", {}, []);
    kids(cc).push(parameters);
  }
  return parameters;
}

/** Other controls named in a description (for the refusal), without duplicates. */
function foreignNames(description: XNode, o: BindOptions): string[] {
  return [
    ...new Set(
      elements(description, "customControl")
        .filter((cc) => isForeign(cc, o))
        .map((cc) => attr(cc, "name")!),
    ),
  ];
}

/**
 * Completes an existing description: our control on every form factor, bound to the field, with the
 * values an admin set on it in the designer (taken from the web form factor first) copied to the
 * form factors that lack it; the default control added as fallback if missing. Returns whether it
 * changed anything.
 */
function completeDescription(description: XNode, classId: string | undefined, o: BindOptions): boolean {
  let changed = false;
  const list = kids(description);
  for (const cc of elements(description, "customControl").filter((c) => isForeign(c, o))) {
    list.splice(list.indexOf(cc), 1);
    changed = true;
  }
  const ours = elements(description, "customControl").filter((cc) => isOurs(cc, o));
  const byFactor = (f: string) => ours.find((cc) => attr(cc, "formFactor") === f);
  const template = FORM_FACTORS.map(byFactor).find((cc) => cc !== undefined) ?? ours[0];
  const setValues = template ? elements(parametersOf(template)).filter((p) => nameOf(p) !== o.property) : [];
  for (const f of FORM_FACTORS) {
    const cc = byFactor(f);
    if (!cc) {
      const last = elements(description, "customControl").pop();
      list.splice(last ? list.indexOf(last) + 1 : list.length, 0, customControl(f, o, structuredClone(setValues)));
      changed = true;
      continue;
    }
    const parameters = parametersOf(cc);
    const bound = elements(parameters, o.property)[0];
    if (bound && sameText(textOf(bound), o.field)) continue;
    const params = kids(parameters);
    if (bound) params.splice(params.indexOf(bound), 1, boundParameter(o));
    else params.unshift(boundParameter(o));
    changed = true;
  }
  if (classId && !elements(description, "customControl").some((cc) => attr(cc, "name") === undefined)) {
    list.unshift(fallback(classId, o.field));
    changed = true;
  }
  return changed;
}

export function bindControl(formXml: string, o: BindOptions): BindResult {
  const doc = parseFormXml(formXml);
  const form = doc.find((n) => isElement(n));
  if (!form || nameOf(form) !== "form") throw new FormXmlError("the root element of the form XML is not <form>");
  const all = fieldControls(form, o.field);
  if (all.length === 0) throw new FormXmlError(`the form has no control for the field ${o.field}`, "noField");
  const targets = all.filter((c) => c.place === "body" || (o.includeHeader && c.place === "header"));
  const headerSkipped = all.filter((c) => c.place === "header" && !targets.includes(c)).length;
  if (targets.length === 0) throw new FormXmlError(`the field ${o.field} is only in the header of the form`, "headerOnly");

  let descriptions = elements(form, "controlDescriptions")[0];
  const descriptionOf = (uniqueId: string | undefined) =>
    uniqueId === undefined || !descriptions ? undefined : elements(descriptions, "controlDescription").find((d) => sameId(attr(d, "forControl"), uniqueId));

  // Refuse before changing anything when another control is there.
  const foreign = [
    ...new Set(
      targets.flatMap((t) => {
        const d = descriptionOf(attr(t.node, "uniqueid"));
        return d ? foreignNames(d, o) : [];
      }),
    ),
  ];
  if (foreign.length && !o.replace) throw new ForeignControlError(foreign);

  let changed = false;
  const controls: string[] = [];
  const changes: ControlChange[] = [];
  for (const target of targets) {
    const before = controlUses(descriptionOf(attr(target.node, "uniqueid")));
    let uniqueId = attr(target.node, "uniqueid");
    if (!uniqueId) {
      // Older forms may lack it; the form designer adds one when a control description is needed.
      uniqueId = `{${randomUUID()}}`;
      setAttr(target.node, "uniqueid", uniqueId);
      changed = true;
    }
    controls.push(uniqueId);
    const classId = attr(target.node, "classid");
    const existing = descriptionOf(uniqueId);
    const change = { control: uniqueId, place: target.place, tab: target.tab, section: target.section, before };
    if (existing) {
      if (completeDescription(existing, classId, o)) {
        changed = true;
        changes.push({ ...change, after: controlUses(existing) });
      }
      continue;
    }
    if (!descriptions) {
      descriptions = el("controlDescriptions", {}, []);
      kids(form).push(descriptions);
    }
    const description = newDescription(uniqueId, classId, o);
    kids(descriptions).push(description);
    changed = true;
    changes.push({ ...change, after: controlUses(description) });
  }
  if (!changed) return { changed, xml: formXml, controls, headerSkipped, replaced: [], changes };
  const xml = builder.build(doc) as string;
  const error = xmlError(xml);
  if (error) throw new FormXmlError(`the edited form XML is not well-formed: ${error}`);
  return { changed, xml, controls, headerSkipped, replaced: o.replace ? foreign : [], changes };
}
