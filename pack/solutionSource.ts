/**
 * Reads the solution source (Solution/src/Other, the SolutionPackager layout `pac solution init`
 * creates) and renders the packed solution.xml and customizations.xml from it. Solution.xml is the
 * only place the solution's identity is written; the packer changes only what pac changes at build
 * time: Version, Managed, RootComponents and CustomControls.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROL_VERSION, CUSTOM_CONTROL_TYPE, SOLUTION_VERSION, controlManifestPath } from "../formats/solutionLayout";
import { child, children, parseXml, stripBom, textOf, xmlError } from "../formats/xml";

export interface SolutionSource {
  uniqueName: string;
  publisher: string;
  prefix: string;
  /** Source texts, comments included, BOM removed. */
  solutionXml: string;
  customizationsXml: string;
}

export function readSolutionSource(root: string): SolutionSource {
  const dir = join(root, "Solution", "src", "Other");
  const read = (file: string) => {
    const text = stripBom(readFileSync(join(dir, file), "utf8"));
    const error = xmlError(text);
    if (error) throw new Error(`Solution/src/Other/${file} is not well-formed XML: ${error}`);
    return text;
  };
  const solutionXml = read("Solution.xml");
  const customizationsXml = read("Customizations.xml");
  const relationships = parseXml(read("Relationships.xml"));
  // SolutionPackager merges Relationships.xml into customizations.xml; this packer does not, so it
  // refuses rather than silently dropping relationships someone added.
  if (relationships.children.length > 0) throw new Error("Solution/src/Other/Relationships.xml declares relationships; npm run pack does not pack them");

  const manifest = child(parseXml(solutionXml), "SolutionManifest");
  const publisher = child(manifest, "Publisher");
  const source: SolutionSource = {
    uniqueName: textOf(child(manifest, "UniqueName")),
    publisher: textOf(child(publisher, "UniqueName")),
    prefix: textOf(child(publisher, "CustomizationPrefix")),
    solutionXml,
    customizationsXml,
  };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(source.uniqueName)) throw new Error(`Solution.xml: bad UniqueName "${source.uniqueName}"`);
  if (!source.publisher) throw new Error("Solution.xml: Publisher/UniqueName is empty");
  if (!/^[a-z][a-z0-9]{1,7}$/.test(source.prefix)) throw new Error(`Solution.xml: bad CustomizationPrefix "${source.prefix}"`);
  if (children(child(manifest, "LocalizedNames"), "LocalizedName").length === 0) throw new Error("Solution.xml: no LocalizedName");
  return source;
}

/** package.json's version as the control's three parts and the solution's four. */
export function versionsFrom(packageVersion: string): { control: string; solution: string } {
  if (!CONTROL_VERSION.test(packageVersion)) throw new Error(`package.json version "${packageVersion}" must be major.minor.patch (no pre-release tag): Dataverse versions are numbers only`);
  const solution = `${packageVersion}.0`;
  if (!SOLUTION_VERSION.test(solution)) throw new Error(`solution version ${solution} is not valid`);
  return { control: packageVersion, solution };
}

export function renderSolutionXml(source: SolutionSource, version: string, managed: boolean, controls: readonly string[]): string {
  let xml = withoutComments(source.solutionXml);
  xml = replaceOnce(xml, /<Version>[^<]*<\/Version>/, `<Version>${version}</Version>`, "Solution.xml <Version>");
  xml = replaceOnce(xml, /<Managed>[^<]*<\/Managed>/, `<Managed>${managed ? 1 : 0}</Managed>`, "Solution.xml <Managed>");
  const indent = indentOf(xml, "RootComponents");
  const roots = controls.map((c) => `${indent}  <RootComponent type="${CUSTOM_CONTROL_TYPE}" schemaName="${c}" behavior="0" />`);
  xml = replaceOnce(xml, /<RootComponents\s*\/>|<RootComponents>\s*<\/RootComponents>/, `<RootComponents>\n${roots.join("\n")}\n${indent}</RootComponents>`, "Solution.xml empty <RootComponents />");
  return xml;
}

export function renderCustomizationsXml(source: SolutionSource, controls: readonly string[]): string {
  const xml = withoutComments(source.customizationsXml);
  const i = indentOf(xml, "CustomControls");
  const items = controls.map((c) => `${i}  <CustomControl>\n${i}    <Name>${c}</Name>\n${i}    <FileName>/${controlManifestPath(c)}</FileName>\n${i}  </CustomControl>`);
  return replaceOnce(xml, /<CustomControls\s*\/>|<CustomControls>\s*<\/CustomControls>/, `<CustomControls>\n${items.join("\n")}\n${i}</CustomControls>`, "Customizations.xml empty <CustomControls />");
}

/** Comments in the source explain it to people; pac's packed files have none. */
function withoutComments(xml: string): string {
  return xml.replace(/^[ \t]*<!--[\s\S]*?-->[ \t]*\r?\n/gm, "").replace(/<!--[\s\S]*?-->/g, "");
}

function replaceOnce(xml: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = xml.match(new RegExp(pattern.source, "g")) ?? [];
  if (matches.length !== 1) throw new Error(`expected exactly one ${what} in the solution source, found ${matches.length}`);
  return xml.replace(pattern, () => replacement);
}

function indentOf(xml: string, element: string): string {
  return new RegExp(`^([ \\t]*)<${element}[\\s/>]`, "m").exec(xml)?.[1] ?? "";
}
