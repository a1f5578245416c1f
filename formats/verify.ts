/**
 * Checks a solution zip and sorts what it finds into two lists:
 * - errors: Dataverse would refuse the import, or the control in it would not load;
 * - notes: the zip differs from what `npm run pack` writes (solutionLayout.ts), in ways Dataverse accepts.
 * Only errors refuse a zip (`npm run pack -- --verify`, the CLI's deploy).
 *
 * What Dataverse accepts is taken from real zips in public repos, not only from pac's output:
 * - the layout Dataverse itself exports (rwilson504/PCFControls
 *   Calendar/Sample/CanvasCalendar_1.0.0.5_managed.zip): no BOM and no XML declaration on
 *   solution.xml/customizations.xml, entries in the order customizations.xml, [Content_Types].xml,
 *   solution.xml, Controls/…, `xml` typed application/octet-stream, no <Override> for the control
 *   manifests, no <SolutionPluginAssemblies/>, other component types (entities, canvas apps) beside
 *   the controls;
 * - a zip re-made by hand with a zip tool (same repo, CanvasCalendar_1_0_0_4.zip): directory
 *   entries, stored entries, the root files after Controls/;
 * - pac's default two-part `<Version>1.0</Version>` (microsoft/PowerApps-Samples
 *   component-framework/CodeInterpreterControl/solutions/).
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
  extensionOf,
  managedFromFileName,
} from "./solutionLayout";
import { attr, child, children, parseXml, textOf, xmlError, type XmlElement } from "./xml";
import { readZip, type ZipContents } from "./zipReader";

export interface SolutionSummary {
  /** Empty strings / false / [] when solution.xml could not be read. */
  uniqueName: string;
  version: string;
  managed: boolean;
  /** Names of the custom controls (root components of type 66), e.g. mss_MarketoSync.MarketoConfigControl. */
  controls: string[];
  /** Each control's manifest version (`<control version>`), by control name, where the manifest could be read. */
  controlVersions: Record<string, string>;
}

export interface VerifyResult {
  /** True when there is no error (notes do not matter). */
  ok: boolean;
  /** Why Dataverse would refuse the zip, or the control would not load. */
  errors: Finding[];
  /** How the zip differs from what `npm run pack` writes; Dataverse accepts it as it is. */
  notes: Finding[];
  solution: SolutionSummary;
}

export interface VerifyOptions {
  /** The zip's file name, compared with the managed flag (a note only: Dataverse ignores file names). */
  fileName?: string;
}

/**
 * A solution version Dataverse accepts: two to four integers (it is read as a .NET System.Version,
 * whose parts are non-negative 32-bit integers). pac's `solution init` writes two parts ("1.0").
 */
const ACCEPTED_VERSION = /^\d{1,10}(\.\d{1,10}){1,3}$/;
const MAX_VERSION_PART = 2147483647;
/**
 * Publisher prefix: 2 to 8 letters or digits, starting with a letter, not starting with "mscrm"
 * (Microsoft Learn, "Create a solution publisher").
 */
export const PUBLISHER_PREFIX = /^[A-Za-z][A-Za-z0-9]{1,7}$/;
const UNIQUE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Manifest resources that are files in the control's folder. */
const FILE_RESOURCES = ["code", "css", "resx", "img", "html"];

/**
 * One finding, in no language: `Verify_<key>` names its text in the control's resx files
 * (MarketoConfigControl/strings), `params` fill the text's `{placeholders}`; a `count` picks the
 * `_one` form where there is one. The CLI renders it with its translator (English or French),
 * `npm run pack -- --verify` with renderFinding and the English resx.
 */
export interface Finding {
  key: string;
  params: Record<string, string | number>;
}

/** The resx key of a finding's text. */
export const findingKey = (finding: Finding): string => `Verify_${finding.key}`;

/**
 * A finding's text from a resx key → text map (English plural rules: `_one` for a count of 1);
 * unknown keys render as the key. The CLI uses core's translator instead, which knows French plurals.
 */
export function renderFinding(finding: Finding, strings: ReadonlyMap<string, string>): string {
  const key = findingKey(finding);
  const template = (finding.params.count === 1 ? strings.get(`${key}_one`) : undefined) ?? strings.get(key) ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in finding.params ? String(finding.params[name]) : whole));
}

type Params = Record<string, string | number>;

class Findings {
  readonly errors: Finding[] = [];
  readonly notes: Finding[] = [];
  error(key: string, params: Params = {}): void {
    this.errors.push({ key, params });
  }
  note(key: string, params: Params = {}): void {
    this.notes.push({ key, params });
  }
}

export function verifySolutionZip(bytes: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  const f = new Findings();
  const solution: SolutionSummary = { uniqueName: "", version: "", managed: false, controls: [], controlVersions: {} };
  const done = (): VerifyResult => ({ ok: f.errors.length === 0, errors: f.errors, notes: f.notes, solution });

  let zip: ZipContents;
  try {
    zip = readZip(bytes);
  } catch (e) {
    f.error("NotZip", { reason: (e as Error).message });
    return done();
  }
  checkEntries(zip, f);
  const docs = parseXmlEntries(zip, f);

  const solutionXml = docs.get(SOLUTION);
  const prefix = solutionXml ? checkSolutionXml(solutionXml, solution, f) : "";
  if (solutionXml && options.fileName !== undefined) {
    const named = managedFromFileName(options.fileName);
    if (named !== solution.managed) f.note(named ? "FileNameManaged" : "FileNameUnmanaged", { file: options.fileName });
  }
  const customizations = docs.get(CUSTOMIZATIONS);
  const customControls = customizations ? checkCustomizations(customizations, f) : new Map<string, string>();
  if (solutionXml && customizations) checkControls(zip, docs, prefix, solution, customControls, f);
  const contentTypes = docs.get(CONTENT_TYPES);
  if (contentTypes) checkContentTypes(zip, contentTypes, solution.controls, f);
  return done();
}

const list = (items: string[], max = 3) => (items.length > max ? `${items.slice(0, max).join(", ")}, …` : items.join(", "));

/** The zip's entries: which are there, in what order, how they are stored. */
function checkEntries(zip: ZipContents, f: Findings): void {
  const files = zip.entries.filter((e) => !e.isDirectory);
  const names = files.map((e) => e.name);
  const seen = new Set<string>();
  for (const n of names) {
    // Which copy a reader takes is up to the reader: the zip is ambiguous.
    if (seen.has(n)) f.error("Duplicate", { name: n });
    seen.add(n);
  }
  for (const root of ROOT_XML) if (!seen.has(root)) f.error("RootMissing", { name: root, required: ROOT_XML.join(", ") });

  const dirs = zip.entries.filter((e) => e.isDirectory).map((e) => e.name);
  if (dirs.length) f.note("FolderEntries", { count: dirs.length, names: list(dirs) });
  const stored = files.filter((e) => e.method === 0).map((e) => e.name);
  if (stored.length) f.note("Stored", { count: stored.length, names: list(stored) });

  const expected = [CUSTOMIZATIONS, SOLUTION, `${CONTROLS_DIR}…`, CONTENT_TYPES];
  const order: string[] = [];
  for (const n of names) {
    const group = (ROOT_XML as readonly string[]).includes(n) ? n : n.startsWith(CONTROLS_DIR) ? `${CONTROLS_DIR}…` : "other files";
    if (order[order.length - 1] !== group) order.push(group);
  }
  const found = order.filter((g) => expected.includes(g));
  if (found.join() !== expected.filter((g) => found.includes(g)).join()) f.note("EntryOrder", { found: found.join(", "), expected: expected.join(", ") });

  const others = names.filter((n) => !(ROOT_XML as readonly string[]).includes(n) && !n.startsWith(CONTROLS_DIR));
  if (others.length) f.note("OtherFiles", { count: others.length, names: list(others) });

  for (const root of ROOT_XML) {
    const data = zip.data[root];
    if (!data) continue;
    const bom = Buffer.from(data.subarray(0, 3)).equals(BOM);
    if (!bom) f.note("NoBom", { name: root });
    if (!Buffer.from(data.subarray(bom ? 3 : 0, (bom ? 3 : 0) + 5)).equals(Buffer.from("<?xml"))) f.note("NoXmlDeclaration", { name: root });
  }
}

/** The root XML files and every .xml/.resx under Controls/ must be well-formed; returns the parsed ones. */
function parseXmlEntries(zip: ZipContents, f: Findings): Map<string, XmlElement> {
  const docs = new Map<string, XmlElement>();
  for (const { name, isDirectory } of zip.entries) {
    const ext = extensionOf(name);
    const data = zip.data[name];
    if (isDirectory || (ext !== "xml" && ext !== "resx") || !data) continue;
    if (!(ROOT_XML as readonly string[]).includes(name) && !name.startsWith(CONTROLS_DIR)) continue;
    const text = Buffer.from(data).toString("utf8");
    const error = xmlError(text);
    if (error) f.error("NotWellFormed", { name, detail: error });
    else if (!docs.has(name)) docs.set(name, parseXml(text));
  }
  return docs;
}

/** solution.xml's manifest; fills the summary and returns the publisher's prefix. */
function checkSolutionXml(root: XmlElement, summary: SolutionSummary, f: Findings): string {
  if (root.name !== "ImportExportXml") {
    f.error("SolutionRoot", { element: root.name });
    return "";
  }
  const noAttrs = ["version", "SolutionPackageVersion", "languagecode", "generatedBy"].filter((a) => !root.attrs[a]);
  if (noAttrs.length) f.note("SolutionAttributes", { names: noAttrs.join(", ") });
  const manifest = child(root, "SolutionManifest");
  if (!manifest) {
    f.error("NoSolutionManifest");
    return "";
  }
  summary.uniqueName = textOf(child(manifest, "UniqueName"));
  if (!UNIQUE_NAME.test(summary.uniqueName)) f.error("UniqueName", { name: summary.uniqueName });
  if (children(child(manifest, "LocalizedNames"), "LocalizedName").length === 0) f.note("NoLocalizedNames");

  summary.version = textOf(child(manifest, "Version"));
  const parts = summary.version.split(".");
  if (!ACCEPTED_VERSION.test(summary.version) || parts.some((p) => Number(p) > MAX_VERSION_PART)) f.error("BadVersion", { version: summary.version });
  else if (!SOLUTION_VERSION.test(summary.version)) f.note("VersionParts", { version: summary.version, count: parts.length });

  const managed = textOf(child(manifest, "Managed"));
  if (managed !== "0" && managed !== "1") f.error("BadManaged", { value: managed });
  summary.managed = managed === "1";

  const publisher = child(manifest, "Publisher");
  const prefix = textOf(child(publisher, "CustomizationPrefix"));
  if (!publisher) f.error("NoPublisher");
  else {
    if (!textOf(child(publisher, "UniqueName"))) f.error("PublisherNoUniqueName");
    if (!PUBLISHER_PREFIX.test(prefix) || /^mscrm/i.test(prefix)) f.error("BadPrefix", { prefix });
    const optionPrefix = Number(textOf(child(publisher, "CustomizationOptionValuePrefix")));
    if (!Number.isInteger(optionPrefix) || optionPrefix < 10000 || optionPrefix > 99999) f.error("BadOptionPrefix");
  }

  const roots = child(manifest, "RootComponents");
  const otherTypes = new Set<string>();
  for (const rc of children(roots, "RootComponent")) {
    if (rc.attrs.type === CUSTOM_CONTROL_TYPE && rc.attrs.schemaName) summary.controls.push(rc.attrs.schemaName);
    else otherTypes.add(rc.attrs.type ?? "?");
  }
  if (otherTypes.size) f.note("OtherComponents", { types: [...otherTypes].join(", ") });
  if (summary.controls.length === 0) f.note("NoControls");
  if (!child(manifest, "MissingDependencies")) f.note("NoMissingDependencies");
  return prefix;
}

/** customizations.xml's elements and its CustomControl list (name → FileName). */
function checkCustomizations(root: XmlElement, f: Findings): Map<string, string> {
  const controls = new Map<string, string>();
  if (root.name !== "ImportExportXml") {
    f.error("CustomizationsRoot", { element: root.name });
    return controls;
  }
  const present = root.children.map((c) => c.name).filter((n) => (CUSTOMIZATIONS_ELEMENTS as readonly string[]).includes(n));
  const absent = CUSTOMIZATIONS_ELEMENTS.filter((n) => !present.includes(n));
  if (absent.length) f.note("CustomizationsMissing", { count: absent.length, elements: absent.map((n) => `<${n}>`).join(", ") });
  const expected = CUSTOMIZATIONS_ELEMENTS.filter((n) => present.includes(n));
  if (present.join() !== expected.join()) f.note("CustomizationsOrder", { found: present.join(", "), expected: expected.join(", ") });
  for (const cc of children(child(root, "CustomControls"), "CustomControl")) {
    const name = textOf(child(cc, "Name"));
    const fileName = textOf(child(cc, "FileName"));
    if (!name || !fileName) f.error("CustomControlIncomplete");
    else controls.set(name, fileName);
  }
  if (present.includes("Languages") && children(child(root, "Languages"), "Language").length === 0) f.note("NoLanguage");
  return controls;
}

/** Every control the solution lists: its prefix, its entry in customizations.xml, its files and its manifest. */
function checkControls(zip: ZipContents, docs: Map<string, XmlElement>, prefix: string, solution: SolutionSummary, customControls: Map<string, string>, f: Findings): void {
  const { controls } = solution;
  const names = zip.entries.filter((e) => !e.isDirectory).map((e) => e.name);
  for (const name of controls) {
    const underscore = name.indexOf("_");
    const controlPrefix = underscore > 0 ? name.slice(0, underscore) : "";
    // Dataverse refuses a control whose prefix is not the publisher's ("… Publisher prefix … for
    // this control … does not match the prefix … for the solution": bthompson-365/PCF-Metadata#1,
    // microsoft/powercat-creator-kit#540).
    if (!controlPrefix) f.error("ControlNoPrefix", { control: name });
    else if (prefix && controlPrefix !== prefix) f.error("ControlPrefix", { control: name, prefix: controlPrefix, publisherPrefix: prefix });

    const manifestPath = controlManifestPath(name);
    const files = names.filter((n) => n.startsWith(`${CONTROLS_DIR}${name}/`));
    if (files.length === 0) f.error("ControlNoFiles", { control: name, folder: `${CONTROLS_DIR}${name}/` });
    else if (!names.includes(manifestPath)) f.error("ControlNoManifest", { control: name, path: manifestPath });

    const fileName = customControls.get(name);
    if (fileName === undefined) f.error("ControlNotCustomized", { control: name });
    else if (fileName !== `/${manifestPath}`) {
      if (names.includes(fileName.replace(/^\//, ""))) f.note("ControlFileName", { control: name, fileName, path: manifestPath });
      else f.error("ControlFileNameMissing", { control: name, fileName });
    }
    const manifest = docs.get(manifestPath);
    if (manifest) {
      checkManifest(name, controlPrefix, manifest, files, f);
      const version = attr(child(manifest, "control"), "version");
      if (version) solution.controlVersions[name] = version;
    }
  }
  for (const name of customControls.keys()) if (!controls.includes(name)) f.note("ControlNotRoot", { control: name });
  const folders = new Set(names.filter((n) => n.startsWith(CONTROLS_DIR)).map((n) => n.split("/")[1]));
  for (const folder of folders) if (!controls.includes(folder)) f.note("StrayFolder", { folder: `${CONTROLS_DIR}${folder}` });
}

function checkManifest(name: string, prefix: string, root: XmlElement, files: string[], f: Findings): void {
  const path = controlManifestPath(name);
  const control = child(root, "control");
  if (root.name !== "manifest" || !control) {
    f.error("NotManifest", { path });
    return;
  }
  const declared = `${attr(control, "namespace")}.${attr(control, "constructor")}`;
  if (`${prefix}_${declared}` !== name) f.error("ManifestName", { path, declared, control: name });
  const version = attr(control, "version");
  if (!CONTROL_VERSION.test(version)) f.note("ControlVersion", { path, version });
  const resources = (child(control, "resources")?.children ?? []).filter((r) => FILE_RESOURCES.includes(r.name));
  if (!resources.some((r) => r.name === "code")) f.error("NoCode", { path });
  for (const r of resources) {
    const file = r.attrs.path ?? "";
    if (!files.includes(`${CONTROLS_DIR}${name}/${file}`)) f.error("ResourceMissing", { path, file, expected: `${CONTROLS_DIR}${name}/${file}` });
  }
}

function checkContentTypes(zip: ZipContents, root: XmlElement, controls: string[], f: Findings): void {
  if (root.name !== "Types" || root.attrs.xmlns !== CONTENT_TYPES_NS) {
    f.error("ContentTypesRoot", { ns: CONTENT_TYPES_NS });
    return;
  }
  const names = zip.entries.filter((e) => !e.isDirectory && e.name !== CONTENT_TYPES).map((e) => e.name);
  const overrides = children(root, "Override").map((o) => o.attrs.PartName ?? "");
  const present = new Set(names.map(extensionOf).filter(Boolean));
  const defaults = new Map(children(root, "Default").map((d) => [(d.attrs.Extension ?? "").toLowerCase(), d.attrs.ContentType ?? ""]));
  for (const ext of present) {
    const type = defaults.get(ext);
    if (type === undefined) f.note("NoDefault", { ext });
    else if (type !== contentTypeFor(ext)) f.note("DefaultType", { ext, type, expected: contentTypeFor(ext) });
  }
  for (const ext of defaults.keys()) if (!present.has(ext)) f.note("UnusedDefault", { ext });
  const untyped = names.filter((n) => !extensionOf(n) && !overrides.includes(`/${n}`));
  if (untyped.length) f.note("Untyped", { count: untyped.length, names: list(untyped) });
  const noOverride = controls.filter((name) => !overrides.includes(`/${controlManifestPath(name)}`));
  if (noOverride.length) f.note("NoOverride", { names: list(noOverride.map(controlManifestPath)) });
  for (const part of overrides) if (!names.includes(part.replace(/^\//, ""))) f.note("UnusedOverride", { part });
}
