/**
 * Checks a solution zip against the format pac writes (format.ts, FACTS.md §3) and reports every
 * deviation found, not only the first. Used by `npm run pack -- --verify`, the tests, and (through
 * verifySolutionZip) by the devserver's ImportSolution and the CLI's deploy.
 */
import {
  BOM,
  CONTENT_TYPES,
  CONTENT_TYPES_NS,
  CONTROLS_DIR,
  CONTROL_VERSION,
  CUSTOMIZATIONS,
  CUSTOMIZATIONS_ELEMENTS,
  CUSTOM_CONTROL_TYPE,
  ROOT_XML,
  SOLUTION,
  SOLUTION_VERSION,
  contentTypeFor,
  controlManifestPath,
  controlName,
  extensionOf,
  managedFromFileName,
} from "./format";
import { attr, child, children, parseXml, textOf, xmlError, type XmlElement } from "./xml";
import { readZip, type ZipContents } from "./zipReader";

export interface SolutionSummary {
  /** Empty strings / false / [] when solution.xml could not be read. */
  uniqueName: string;
  version: string;
  managed: boolean;
  /** Names of the custom controls (root components of type 66), e.g. mss_MarketoSync.MarketoConfigControl. */
  controls: string[];
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  solution: SolutionSummary;
}

export interface VerifyOptions {
  /** The zip's file name: when given, `_managed.zip` must hold a managed solution and any other name an unmanaged one. */
  fileName?: string;
}

export function verifySolutionZip(bytes: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  const problems: string[] = [];
  const solution: SolutionSummary = { uniqueName: "", version: "", managed: false, controls: [] };
  const done = () => ({ ok: problems.length === 0, problems, solution });

  let zip: ZipContents;
  try {
    zip = readZip(bytes);
  } catch (e) {
    problems.push(`not a readable zip: ${(e as Error).message}`);
    return done();
  }
  checkEntries(zip, problems);
  const docs = parseXmlEntries(zip, problems);

  const solutionXml = docs.get(SOLUTION);
  const prefix = solutionXml ? checkSolutionXml(solutionXml, solution, problems) : "";
  if (solutionXml && options.fileName !== undefined) {
    const expected = managedFromFileName(options.fileName);
    if (expected !== solution.managed)
      problems.push(`${options.fileName}: the file name says ${expected ? "managed" : "unmanaged"} but solution.xml has <Managed>${solution.managed ? 1 : 0}</Managed>`);
  }
  const customizations = docs.get(CUSTOMIZATIONS);
  const customControls = customizations ? checkCustomizations(customizations, problems) : new Map<string, string>();
  if (solutionXml && customizations) checkControls(zip, docs, prefix, solution.controls, customControls, problems);
  const contentTypes = docs.get(CONTENT_TYPES);
  if (contentTypes) checkContentTypes(zip, contentTypes, solution.controls, problems);
  return done();
}

/** Entries and their order: customizations.xml, solution.xml, Controls/…, [Content_Types].xml; deflated; no directories. */
function checkEntries(zip: ZipContents, problems: string[]): void {
  const names = zip.entries.map((e) => e.name);
  for (const e of zip.entries) {
    if (e.isDirectory) problems.push(`directory entry "${e.name}": pac writes file entries only`);
    else if (e.method !== 8) problems.push(`entry "${e.name}" is not deflated (compression method ${e.method})`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`entry "${n}" appears more than once`);
    seen.add(n);
  }
  for (const root of ROOT_XML) if (!seen.has(root)) problems.push(`missing ${root}`);
  const expectedAt: [number, string][] = [
    [0, CUSTOMIZATIONS],
    [1, SOLUTION],
    [names.length - 1, CONTENT_TYPES],
  ];
  for (const [index, name] of expectedAt)
    if (seen.has(name) && names[index] !== name) problems.push(`entry order: ${name} must be entry ${index === 0 ? "1" : index === 1 ? "2" : "last"}, found at position ${names.indexOf(name) + 1}`);
  for (const n of names)
    if (!ROOT_XML.includes(n as (typeof ROOT_XML)[number]) && !n.startsWith(CONTROLS_DIR)) problems.push(`unexpected entry "${n}" (only the three root XML files and Controls/… belong in this solution)`);
  for (const root of ROOT_XML) {
    const data = zip.data[root];
    if (data && !Buffer.from(data.subarray(0, 3)).equals(BOM)) problems.push(`${root} does not begin with a UTF-8 BOM`);
  }
}

/** Every .xml and .resx entry must be well-formed; returns the parsed ones. */
function parseXmlEntries(zip: ZipContents, problems: string[]): Map<string, XmlElement> {
  const docs = new Map<string, XmlElement>();
  for (const { name } of zip.entries) {
    const ext = extensionOf(name);
    const data = zip.data[name];
    if ((ext !== "xml" && ext !== "resx") || !data) continue;
    const text = Buffer.from(data).toString("utf8");
    const error = xmlError(text);
    if (error) problems.push(`${name} is not well-formed XML: ${error}`);
    else docs.set(name, parseXml(text));
  }
  return docs;
}

/** solution.xml's manifest; fills the summary and returns the publisher prefix. */
function checkSolutionXml(root: XmlElement, summary: SolutionSummary, problems: string[]): string {
  const p = (m: string) => problems.push(`solution.xml: ${m}`);
  if (root.name !== "ImportExportXml") p(`root element is <${root.name}>, expected <ImportExportXml>`);
  for (const a of ["version", "SolutionPackageVersion", "languagecode", "generatedBy"]) if (!root.attrs[a]) p(`<ImportExportXml> has no ${a} attribute`);
  const manifest = child(root, "SolutionManifest");
  if (!manifest) {
    p("no <SolutionManifest>");
    return "";
  }
  summary.uniqueName = textOf(child(manifest, "UniqueName"));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(summary.uniqueName)) p(`UniqueName "${summary.uniqueName}" is empty or not a valid name`);
  if (children(child(manifest, "LocalizedNames"), "LocalizedName").length === 0) p("no <LocalizedNames>/<LocalizedName>");
  summary.version = textOf(child(manifest, "Version"));
  if (!SOLUTION_VERSION.test(summary.version)) p(`Version "${summary.version}" is not four numbers (major.minor.build.revision)`);
  const managed = textOf(child(manifest, "Managed"));
  if (managed !== "0" && managed !== "1") p(`Managed is "${managed}", expected 0 (unmanaged) or 1 (managed)`);
  summary.managed = managed === "1";

  const publisher = child(manifest, "Publisher");
  const prefix = textOf(child(publisher, "CustomizationPrefix"));
  if (!publisher) p("no <Publisher>");
  else {
    if (!textOf(child(publisher, "UniqueName"))) p("Publisher has no UniqueName");
    if (!/^[a-z][a-z0-9]{1,7}$/.test(prefix)) p(`CustomizationPrefix "${prefix}" is not 2–8 lowercase letters or digits starting with a letter`);
    const optionPrefix = Number(textOf(child(publisher, "CustomizationOptionValuePrefix")));
    if (!Number.isInteger(optionPrefix) || optionPrefix < 10000 || optionPrefix > 99999) p("CustomizationOptionValuePrefix is not a number from 10000 to 99999");
  }
  const roots = child(manifest, "RootComponents");
  if (!roots) p("no <RootComponents>");
  for (const rc of children(roots, "RootComponent")) {
    if (rc.attrs.type === CUSTOM_CONTROL_TYPE && rc.attrs.schemaName) summary.controls.push(rc.attrs.schemaName);
    else p(`root component type ${rc.attrs.type ?? "?"} "${rc.attrs.schemaName ?? rc.attrs.id ?? ""}" is not a custom control with a schemaName; this solution holds custom controls only`);
  }
  if (summary.controls.length === 0) p("no custom control among the root components");
  if (!child(manifest, "MissingDependencies")) p("no <MissingDependencies>");
  return prefix;
}

/** customizations.xml's elements and its CustomControl list (name → FileName). */
function checkCustomizations(root: XmlElement, problems: string[]): Map<string, string> {
  const p = (m: string) => problems.push(`customizations.xml: ${m}`);
  if (root.name !== "ImportExportXml") p(`root element is <${root.name}>, expected <ImportExportXml>`);
  const order = root.children.map((c) => c.name).filter((n) => (CUSTOMIZATIONS_ELEMENTS as readonly string[]).includes(n));
  for (const name of CUSTOMIZATIONS_ELEMENTS) if (!order.includes(name)) p(`no <${name}>`);
  const expected = CUSTOMIZATIONS_ELEMENTS.filter((n) => order.includes(n));
  if (order.join() !== expected.join()) p(`elements out of order: ${order.join(", ")}; expected ${expected.join(", ")}`);
  const controls = new Map<string, string>();
  for (const cc of children(child(root, "CustomControls"), "CustomControl")) {
    const name = textOf(child(cc, "Name"));
    const fileName = textOf(child(cc, "FileName"));
    if (!name || !fileName) p("a <CustomControl> lacks <Name> or <FileName>");
    else controls.set(name, fileName);
  }
  if (children(child(root, "Languages"), "Language").length === 0) p("no <Languages>/<Language>");
  return controls;
}

/** Every root component has its files, its CustomControl entry and a manifest that names it. */
function checkControls(zip: ZipContents, docs: Map<string, XmlElement>, prefix: string, controls: string[], customControls: Map<string, string>, problems: string[]): void {
  const names = zip.entries.map((e) => e.name);
  for (const name of controls) {
    const manifestPath = controlManifestPath(name);
    const files = names.filter((n) => n.startsWith(`${CONTROLS_DIR}${name}/`));
    if (files.length === 0) {
      problems.push(`root component ${name} has no files in the zip (expected ${CONTROLS_DIR}${name}/…)`);
    } else if (!names.includes(manifestPath)) {
      problems.push(`root component ${name} has no control manifest (${manifestPath})`);
    }
    const fileName = customControls.get(name);
    if (fileName === undefined) problems.push(`customizations.xml has no <CustomControl> named ${name}`);
    else if (fileName !== `/${manifestPath}`) problems.push(`customizations.xml: CustomControl ${name} has FileName "${fileName}", expected "/${manifestPath}"`);
    const manifest = docs.get(manifestPath);
    if (manifest) checkManifest(name, manifest, prefix, files, problems);
  }
  for (const name of customControls.keys()) if (!controls.includes(name)) problems.push(`customizations.xml: CustomControl ${name} is not a root component in solution.xml`);
  const folders = new Set(names.filter((n) => n.startsWith(CONTROLS_DIR)).map((n) => n.split("/")[1]));
  for (const folder of folders) if (!controls.includes(folder)) problems.push(`${CONTROLS_DIR}${folder}/ belongs to no root component`);
}

function checkManifest(name: string, root: XmlElement, prefix: string, files: string[], problems: string[]): void {
  const p = (m: string) => problems.push(`${controlManifestPath(name)}: ${m}`);
  const control = child(root, "control");
  if (root.name !== "manifest" || !control) {
    p("not a control manifest (<manifest><control …>)");
    return;
  }
  const version = attr(control, "version");
  const expected = controlName(prefix, attr(control, "namespace"), attr(control, "constructor"));
  if (expected !== name) p(`names the control ${expected} (prefix_namespace.constructor), but the root component is ${name}`);
  if (!CONTROL_VERSION.test(version)) p(`control version "${version}" is not three numbers (major.minor.patch)`);
  const resources = child(control, "resources");
  const paths = (resources?.children ?? []).filter((r) => ["code", "css", "resx", "img", "html"].includes(r.name)).map((r) => r.attrs.path ?? "");
  if (!paths.length) p("declares no resources");
  for (const path of paths)
    if (!files.includes(`${CONTROLS_DIR}${name}/${path}`)) p(`resource "${path}" is not in the zip`);
}

function checkContentTypes(zip: ZipContents, root: XmlElement, controls: string[], problems: string[]): void {
  const p = (m: string) => problems.push(`[Content_Types].xml: ${m}`);
  if (root.name !== "Types" || root.attrs.xmlns !== CONTENT_TYPES_NS) p(`root must be <Types xmlns="${CONTENT_TYPES_NS}">`);
  const names = zip.entries.map((e) => e.name);
  const present = new Set(names.filter((n) => n !== CONTENT_TYPES).map(extensionOf).filter(Boolean));
  const defaults = new Map(children(root, "Default").map((d) => [(d.attrs.Extension ?? "").toLowerCase(), d.attrs.ContentType ?? ""]));
  for (const ext of present) {
    if (!defaults.has(ext)) p(`no <Default Extension="${ext}"> although the zip has .${ext} files`);
    else if (defaults.get(ext) !== contentTypeFor(ext)) p(`Extension "${ext}" has ContentType "${defaults.get(ext)}", expected "${contentTypeFor(ext)}"`);
  }
  for (const ext of defaults.keys()) if (!present.has(ext)) p(`<Default Extension="${ext}"> but the zip has no .${ext} file`);
  const overrides = children(root, "Override").map((o) => o.attrs.PartName ?? "");
  for (const name of controls) if (!overrides.includes(`/${controlManifestPath(name)}`)) p(`no <Override PartName="/${controlManifestPath(name)}">`);
  for (const part of overrides) if (!names.includes(part.replace(/^\//, ""))) p(`<Override PartName="${part}"> names no entry of the zip`);
}
