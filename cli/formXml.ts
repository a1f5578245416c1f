/**
 * Puts a PCF control on a form field by editing the form XML (systemform.formxml), the way the
 * form editor writes it (FACTS.md §3; public examples of `controlDescription` blocks):
 *
 *   <controlDescriptions>
 *     <controlDescription forControl="{uniqueid of the field's <control>}">
 *       <customControl id="{classid of the default control}">          ← the standard lookup, kept as fallback
 *         <parameters><datafieldname>field</datafieldname></parameters></customControl>
 *       <customControl formFactor="0" name="mss_MarketoSync.MarketoConfigControl">   ← one per form factor (0, 1, 2)
 *         <parameters><marketoUser type="Lookup.Simple">field</marketoUser></parameters></customControl>
 *     </controlDescription>
 *   </controlDescriptions>
 *
 * The parameter element is named after the manifest's bound property. Text edits (not a parse and
 * re-serialise) keep the rest of the form byte for byte; the result is checked to be well-formed.
 */
import { randomUUID } from "node:crypto";
import { xmlError } from "../pack/xml";

export const FORM_FACTORS = [0, 1, 2];

export interface BindOptions {
  field: string;
  controlName: string;
  /** The manifest's bound property (e.g. marketoUser). */
  property: string;
  propertyType?: string;
}

export interface BindResult {
  changed: boolean;
  xml: string;
  /** uniqueid of each control bound (a field can appear twice, e.g. header and body). */
  controls: string[];
}

export class FormXmlError extends Error {}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const attrOf = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, "i").exec(tag)?.[1];

function description(uniqueId: string, classId: string | undefined, o: BindOptions): string {
  const fallback = classId ? `<customControl id="${classId}"><parameters><datafieldname>${o.field}</datafieldname></parameters></customControl>` : "";
  const custom = FORM_FACTORS.map(
    (f) => `<customControl formFactor="${f}" name="${o.controlName}"><parameters><${o.property} type="${o.propertyType ?? "Lookup.Simple"}">${o.field}</${o.property}></parameters></customControl>`,
  ).join("");
  return `<controlDescription forControl="${uniqueId}">${fallback}${custom}</controlDescription>`;
}

/** Whether an existing block already binds our control, for every form factor, to the field. */
function alreadyBound(block: string, o: BindOptions): boolean {
  return FORM_FACTORS.every((f) => {
    const cc = new RegExp(`<customControl\\b(?=[^>]*\\sformFactor="${f}")(?=[^>]*\\sname="${escapeRegExp(o.controlName)}")[^>]*>([\\s\\S]*?)</customControl>`, "i").exec(block);
    return cc !== null && new RegExp(`<${o.property}\\b[^>]*>\\s*${escapeRegExp(o.field)}\\s*</${o.property}>`, "i").test(cc[1]);
  });
}

export function bindControl(formXml: string, o: BindOptions): BindResult {
  let xml = formXml;
  const controlTag = new RegExp(`<control\\b[^>]*\\sdatafieldname\\s*=\\s*"${escapeRegExp(o.field)}"[^>]*>`, "gi");
  const tags = xml.match(controlTag) ?? [];
  if (tags.length === 0) throw new FormXmlError(`the form has no control for the field ${o.field}`);
  const controls: string[] = [];
  let changed = false;
  for (const tag of tags) {
    let uniqueId = attrOf(tag, "uniqueid");
    if (!uniqueId) {
      // Older forms may lack it; the form editor adds one when a control description is needed.
      uniqueId = `{${randomUUID()}}`;
      xml = xml.replace(tag, tag.replace(/^<control\b/i, `<control uniqueid="${uniqueId}"`));
      changed = true;
    }
    controls.push(uniqueId);
    const wanted = description(uniqueId, attrOf(tag, "classid"), o);
    const existing = new RegExp(`<controlDescription\\b[^>]*\\sforControl\\s*=\\s*"${escapeRegExp(uniqueId)}"[^>]*(?:/>|>[\\s\\S]*?</controlDescription>)`, "i").exec(xml);
    if (existing) {
      if (alreadyBound(existing[0], o)) continue;
      xml = xml.slice(0, existing.index) + wanted + xml.slice(existing.index + existing[0].length);
    } else if (/<controlDescriptions\s*\/>/i.test(xml)) {
      xml = xml.replace(/<controlDescriptions\s*\/>/i, `<controlDescriptions>${wanted}</controlDescriptions>`);
    } else if (/<\/controlDescriptions>/i.test(xml)) {
      xml = xml.replace(/<\/controlDescriptions>/i, `${wanted}</controlDescriptions>`);
    } else if (/<\/form>\s*$/i.test(xml)) {
      xml = xml.replace(/<\/form>\s*$/i, `<controlDescriptions>${wanted}</controlDescriptions></form>`);
    } else {
      throw new FormXmlError("the form XML has no closing </form>");
    }
    changed = true;
  }
  const error = xmlError(xml);
  if (error) throw new FormXmlError(`the edited form XML is not well-formed: ${error}`);
  return { changed, xml, controls };
}
