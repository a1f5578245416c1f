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
  errors: string[];
  /** How the zip differs from what `npm run pack` writes; Dataverse accepts it as it is. */
  notes: string[];
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
const PUBLISHER_PREFIX = /^[A-Za-z][A-Za-z0-9]{1,7}$/;
const UNIQUE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Manifest resources that are files in the control's folder. */
const FILE_RESOURCES = ["code", "css", "resx", "img", "html"];

class Findings {
  readonly errors: string[] = [];
  readonly notes: string[] = [];
  error(message: string): void {
    this.errors.push(message);
  }
  note(message: string): void {
    this.notes.push(message);
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
    f.error(`the file is not a readable zip: ${(e as Error).message}`);
    return done();
  }
  checkEntries(zip, f);
  const docs = parseXmlEntries(zip, f);

  const solutionXml = docs.get(SOLUTION);
  const prefix = solutionXml ? checkSolutionXml(solutionXml, solution, f) : "";
  if (solutionXml && options.fileName !== undefined) {
    const named = managedFromFileName(options.fileName);
    if (named !== solution.managed)
      f.note(
        `the file name ${options.fileName} says ${named ? "managed" : "unmanaged"}, but solution.xml says ${solution.managed ? "managed" : "unmanaged"} (<Managed>${solution.managed ? 1 : 0}</Managed>); Dataverse goes by solution.xml`,
      );
  }
  const customizations = docs.get(CUSTOMIZATIONS);
  const customControls = customizations ? checkCustomizations(customizations, f) : new Map<string, string>();
  if (solutionXml && customizations) checkControls(zip, docs, prefix, solution, customControls, f);
  const contentTypes = docs.get(CONTENT_TYPES);
  if (contentTypes) checkContentTypes(zip, contentTypes, solution.controls, f);
  return done();
}

const list = (items: string[], max = 3) => (items.length > max ? `${items.slice(0, max).join(", ")}, …` : items.join(", "));
const ordinal = (n: number) => (n === 1 ? "one" : n === 2 ? "two" : n === 3 ? "three" : String(n));

/** The zip's entries: which are there, in what order, how they are stored. */
function checkEntries(zip: ZipContents, f: Findings): void {
  const files = zip.entries.filter((e) => !e.isDirectory);
  const names = files.map((e) => e.name);
  const seen = new Set<string>();
  for (const n of names) {
    // Which copy a reader takes is up to the reader: the zip is ambiguous.
    if (seen.has(n)) f.error(`the zip holds "${n}" more than once`);
    seen.add(n);
  }
  for (const root of ROOT_XML) if (!seen.has(root)) f.error(`${root} is missing: a solution zip needs ${ROOT_XML.join(", ")} at its root`);

  const dirs = zip.entries.filter((e) => e.isDirectory).map((e) => e.name);
  if (dirs.length) f.note(`the zip has ${dirs.length} folder entr${dirs.length === 1 ? "y" : "ies"} (${list(dirs)}); npm run pack writes file entries only`);
  const stored = files.filter((e) => e.method === 0).map((e) => e.name);
  if (stored.length) f.note(`${stored.length} entr${stored.length === 1 ? "y is" : "ies are"} stored without compression (${list(stored)}); npm run pack compresses every entry`);

  const expected = [CUSTOMIZATIONS, SOLUTION, `${CONTROLS_DIR}…`, CONTENT_TYPES];
  const order: string[] = [];
  for (const n of names) {
    const group = (ROOT_XML as readonly string[]).includes(n) ? n : n.startsWith(CONTROLS_DIR) ? `${CONTROLS_DIR}…` : "other files";
    if (order[order.length - 1] !== group) order.push(group);
  }
  const found = order.filter((g) => expected.includes(g));
  if (found.join() !== expected.filter((g) => found.includes(g)).join()) f.note(`the entries come in the order ${found.join(", ")}; npm run pack writes ${expected.join(", ")}`);

  const others = names.filter((n) => !(ROOT_XML as readonly string[]).includes(n) && !n.startsWith(CONTROLS_DIR));
  if (others.length) f.note(`the zip also holds ${others.length} file(s) outside Controls/ (${list(others)}); npm run pack writes none, and this check does not look into them`);

  for (const root of ROOT_XML) {
    const data = zip.data[root];
    if (!data) continue;
    const bom = Buffer.from(data.subarray(0, 3)).equals(BOM);
    if (!bom) f.note(`${root} does not begin with a UTF-8 byte-order mark; npm run pack writes one`);
    if (!Buffer.from(data.subarray(bom ? 3 : 0, (bom ? 3 : 0) + 5)).equals(Buffer.from("<?xml")))
      f.note(`${root} has no XML declaration (<?xml version="1.0" encoding="utf-8"?>); npm run pack writes one`);
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
    if (error) f.error(`${name} is not well-formed XML: ${error}`);
    else if (!docs.has(name)) docs.set(name, parseXml(text));
  }
  return docs;
}

/** solution.xml's manifest; fills the summary and returns the publisher's prefix. */
function checkSolutionXml(root: XmlElement, summary: SolutionSummary, f: Findings): string {
  const error = (m: string) => f.error(`solution.xml: ${m}`);
  const note = (m: string) => f.note(`solution.xml: ${m}`);
  if (root.name !== "ImportExportXml") {
    error(`the root element is <${root.name}>; a solution manifest is <ImportExportXml>`);
    return "";
  }
  const noAttrs = ["version", "SolutionPackageVersion", "languagecode", "generatedBy"].filter((a) => !root.attrs[a]);
  if (noAttrs.length) note(`<ImportExportXml> has no ${noAttrs.join(", ")} attribute; npm run pack writes them`);
  const manifest = child(root, "SolutionManifest");
  if (!manifest) {
    error("there is no <SolutionManifest>");
    return "";
  }
  summary.uniqueName = textOf(child(manifest, "UniqueName"));
  if (!UNIQUE_NAME.test(summary.uniqueName)) error(`<UniqueName> "${summary.uniqueName}" is empty or not a valid name (letters, digits and _, not starting with a digit)`);
  if (children(child(manifest, "LocalizedNames"), "LocalizedName").length === 0) note("there is no <LocalizedNames>/<LocalizedName> (display name); npm run pack writes one per language");

  summary.version = textOf(child(manifest, "Version"));
  const parts = summary.version.split(".");
  if (!ACCEPTED_VERSION.test(summary.version) || parts.some((p) => Number(p) > MAX_VERSION_PART))
    error(`<Version> "${summary.version}" is not a version Dataverse accepts (two to four whole numbers, such as 1.0 or 1.0.0.0)`);
  else if (!SOLUTION_VERSION.test(summary.version)) note(`<Version> ${summary.version} has ${ordinal(parts.length)} parts; npm run pack writes four (major.minor.build.revision)`);

  const managed = textOf(child(manifest, "Managed"));
  if (managed !== "0" && managed !== "1") error(`<Managed> is "${managed}"; it must be 0 (unmanaged) or 1 (managed)`);
  summary.managed = managed === "1";

  const publisher = child(manifest, "Publisher");
  const prefix = textOf(child(publisher, "CustomizationPrefix"));
  if (!publisher) error("there is no <Publisher>");
  else {
    if (!textOf(child(publisher, "UniqueName"))) error("the <Publisher> has no <UniqueName>");
    if (!PUBLISHER_PREFIX.test(prefix) || /^mscrm/i.test(prefix))
      error(`the publisher's <CustomizationPrefix> "${prefix}" is not 2 to 8 letters or digits starting with a letter (and not starting with "mscrm")`);
    const optionPrefix = Number(textOf(child(publisher, "CustomizationOptionValuePrefix")));
    if (!Number.isInteger(optionPrefix) || optionPrefix < 10000 || optionPrefix > 99999) error("the publisher's <CustomizationOptionValuePrefix> is not a whole number from 10000 to 99999");
  }

  const roots = child(manifest, "RootComponents");
  const otherTypes = new Set<string>();
  for (const rc of children(roots, "RootComponent")) {
    if (rc.attrs.type === CUSTOM_CONTROL_TYPE && rc.attrs.schemaName) summary.controls.push(rc.attrs.schemaName);
    else otherTypes.add(rc.attrs.type ?? "?");
  }
  if (otherTypes.size)
    note(`besides custom controls, the solution holds components of type ${[...otherTypes].join(", ")}; npm run pack writes controls only, and this check leaves the others to Dataverse`);
  if (summary.controls.length === 0) note('the solution lists no custom control (<RootComponent type="66">), so there is no control to check');
  if (!child(manifest, "MissingDependencies")) note("there is no <MissingDependencies>; npm run pack writes an empty one");
  return prefix;
}

/** customizations.xml's elements and its CustomControl list (name → FileName). */
function checkCustomizations(root: XmlElement, f: Findings): Map<string, string> {
  const controls = new Map<string, string>();
  if (root.name !== "ImportExportXml") {
    f.error(`customizations.xml: the root element is <${root.name}>; customizations are <ImportExportXml>`);
    return controls;
  }
  const note = (m: string) => f.note(`customizations.xml: ${m}`);
  const present = root.children.map((c) => c.name).filter((n) => (CUSTOMIZATIONS_ELEMENTS as readonly string[]).includes(n));
  const absent = CUSTOMIZATIONS_ELEMENTS.filter((n) => !present.includes(n));
  if (absent.length) note(`there is no ${absent.map((n) => `<${n}>`).join(", ")}; npm run pack writes ${absent.length === 1 ? "it" : "them"}, empty when there is nothing to list`);
  const expected = CUSTOMIZATIONS_ELEMENTS.filter((n) => present.includes(n));
  if (present.join() !== expected.join()) note(`the elements come in the order ${present.join(", ")}; npm run pack writes ${expected.join(", ")}`);
  for (const cc of children(child(root, "CustomControls"), "CustomControl")) {
    const name = textOf(child(cc, "Name"));
    const fileName = textOf(child(cc, "FileName"));
    if (!name || !fileName) f.error("customizations.xml: a <CustomControl> has no <Name> or no <FileName>");
    else controls.set(name, fileName);
  }
  if (present.includes("Languages") && children(child(root, "Languages"), "Language").length === 0) note("<Languages> lists no <Language>; npm run pack lists 1033");
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
    if (!controlPrefix) f.error(`the control ${name} has no publisher prefix (its name must be <prefix>_<namespace>.<constructor>)`);
    else if (prefix && controlPrefix !== prefix) f.error(`the control ${name} has the prefix "${controlPrefix}", but the publisher's prefix is "${prefix}": Dataverse refuses the import`);

    const manifestPath = controlManifestPath(name);
    const files = names.filter((n) => n.startsWith(`${CONTROLS_DIR}${name}/`));
    if (files.length === 0) f.error(`the control ${name} has no files in the zip (expected ${CONTROLS_DIR}${name}/…)`);
    else if (!names.includes(manifestPath)) f.error(`the control ${name} has no manifest (${manifestPath})`);

    const fileName = customControls.get(name);
    if (fileName === undefined) f.error(`customizations.xml has no <CustomControl> for the control ${name}`);
    else if (fileName !== `/${manifestPath}`) {
      if (names.includes(fileName.replace(/^\//, ""))) f.note(`customizations.xml: the control ${name} has <FileName>${fileName}</FileName>; npm run pack writes /${manifestPath}`);
      else f.error(`customizations.xml: the control ${name} has <FileName>${fileName}</FileName>, which is not in the zip`);
    }
    const manifest = docs.get(manifestPath);
    if (manifest) {
      checkManifest(name, controlPrefix, manifest, files, f);
      const version = attr(child(manifest, "control"), "version");
      if (version) solution.controlVersions[name] = version;
    }
  }
  for (const name of customControls.keys()) if (!controls.includes(name)) f.note(`customizations.xml lists the control ${name}, which is not a root component in solution.xml`);
  const folders = new Set(names.filter((n) => n.startsWith(CONTROLS_DIR)).map((n) => n.split("/")[1]));
  for (const folder of folders) if (!controls.includes(folder)) f.note(`${CONTROLS_DIR}${folder}/ belongs to no control listed in solution.xml`);
}

function checkManifest(name: string, prefix: string, root: XmlElement, files: string[], f: Findings): void {
  const path = controlManifestPath(name);
  const control = child(root, "control");
  if (root.name !== "manifest" || !control) {
    f.error(`${path} is not a control manifest (<manifest><control …>)`);
    return;
  }
  const declared = `${attr(control, "namespace")}.${attr(control, "constructor")}`;
  if (`${prefix}_${declared}` !== name) f.error(`${path} declares the control ${declared} (namespace.constructor), but the solution calls it ${name}: the names must match after the prefix`);
  const version = attr(control, "version");
  if (!CONTROL_VERSION.test(version)) f.note(`${path}: the control version "${version}" is not three numbers (major.minor.patch), as pac requires`);
  const resources = (child(control, "resources")?.children ?? []).filter((r) => FILE_RESOURCES.includes(r.name));
  if (!resources.some((r) => r.name === "code")) f.error(`${path} declares no code file (<code path=…>), so the control cannot load`);
  for (const r of resources) {
    const file = r.attrs.path ?? "";
    if (!files.includes(`${CONTROLS_DIR}${name}/${file}`)) f.error(`${path} declares the file "${file}", which is not in the zip (${CONTROLS_DIR}${name}/${file})`);
  }
}

function checkContentTypes(zip: ZipContents, root: XmlElement, controls: string[], f: Findings): void {
  const note = (m: string) => f.note(`[Content_Types].xml: ${m}`);
  if (root.name !== "Types" || root.attrs.xmlns !== CONTENT_TYPES_NS) {
    f.error(`[Content_Types].xml is not a content-type list: its root must be <Types xmlns="${CONTENT_TYPES_NS}">`);
    return;
  }
  const names = zip.entries.filter((e) => !e.isDirectory && e.name !== CONTENT_TYPES).map((e) => e.name);
  const overrides = children(root, "Override").map((o) => o.attrs.PartName ?? "");
  const present = new Set(names.map(extensionOf).filter(Boolean));
  const defaults = new Map(children(root, "Default").map((d) => [(d.attrs.Extension ?? "").toLowerCase(), d.attrs.ContentType ?? ""]));
  for (const ext of present) {
    const type = defaults.get(ext);
    if (type === undefined) note(`there is no <Default Extension="${ext}"> although the zip has .${ext} files; npm run pack writes one per extension`);
    else if (type !== contentTypeFor(ext)) note(`.${ext} files are typed "${type}"; npm run pack types them "${contentTypeFor(ext)}"`);
  }
  for (const ext of defaults.keys()) if (!present.has(ext)) note(`<Default Extension="${ext}"> names no file of the zip`);
  const untyped = names.filter((n) => !extensionOf(n) && !overrides.includes(`/${n}`));
  if (untyped.length) note(`${list(untyped)} ha${untyped.length === 1 ? "s" : "ve"} no extension and no <Override>`);
  const noOverride = controls.filter((name) => !overrides.includes(`/${controlManifestPath(name)}`));
  if (noOverride.length) note(`there is no <Override> for ${list(noOverride.map(controlManifestPath))}; npm run pack writes one per control manifest`);
  for (const part of overrides) if (!names.includes(part.replace(/^\//, ""))) note(`<Override PartName="${part}"> names no file of the zip`);
}
