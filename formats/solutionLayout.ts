/**
 * The solution .zip format as pac / SolutionPackager write it (as seen in pac-built zips in public
 * repos: bthompson-365/PCF-Metadata, microsoft/PowerApps-Samples
 * component-framework/CodeInterpreterControl/solutions/). The packer (pack/build.ts)
 * and the checker (verify.ts) both take their rules from here, so they cannot drift apart.
 */

export const CUSTOMIZATIONS = "customizations.xml";
export const SOLUTION = "solution.xml";
export const CONTENT_TYPES = "[Content_Types].xml";
/** Root XML files, written with a UTF-8 BOM (the .NET writer pac uses emits one). */
export const ROOT_XML = [CUSTOMIZATIONS, SOLUTION, CONTENT_TYPES] as const;
export const CONTROLS_DIR = "Controls/";

export const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export const CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** Component type of a custom (PCF) control in RootComponents. */
export const CUSTOM_CONTROL_TYPE = "66";

/** The elements of customizations.xml, in the order pac writes them. */
export const CUSTOMIZATIONS_ELEMENTS = [
  "Entities",
  "Roles",
  "Workflows",
  "FieldSecurityProfiles",
  "Templates",
  "EntityMaps",
  "EntityRelationships",
  "OrganizationSettings",
  "optionsets",
  "CustomControls",
  "SolutionPluginAssemblies",
  "EntityDataProviders",
  "Languages",
] as const;

/**
 * Fixed entry date, so that two packs of the same source are byte-identical. fflate writes DOS
 * dates from the Date's *local* fields, so the date is built from local fields too: the bytes are
 * then the same in every time zone.
 */
export const ENTRY_DATE = new Date(2000, 0, 1, 0, 0, 0);

/** `<prefix>_<namespace>.<constructor>`: the control's name in solution.xml and customizations.xml. */
export function controlName(prefix: string, namespace: string, constructor: string): string {
  return `${prefix}_${namespace}.${constructor}`;
}

export function controlManifestPath(name: string): string {
  return `${CONTROLS_DIR}${name}/ControlManifest.xml`;
}

export function extensionOf(entry: string): string {
  const base = entry.slice(entry.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

/** xml → text/xml; everything else application/octet-stream (what pac writes). */
export function contentTypeFor(extension: string): string {
  return extension === "xml" ? "text/xml" : "application/octet-stream";
}

/** The [Content_Types].xml pac writes: one Default per extension present, one Override per control manifest. */
export function contentTypesXml(entries: readonly string[], controlNames: readonly string[]): string {
  const extensions: string[] = [];
  for (const e of entries) {
    const ext = extensionOf(e);
    if (ext && !extensions.includes(ext)) extensions.push(ext);
  }
  const defaults = extensions.map((x) => `<Default Extension="${x}" ContentType="${contentTypeFor(x)}" />`);
  const overrides = controlNames.map((n) => `<Override PartName="/${controlManifestPath(n)}" ContentType="application/octet-stream" />`);
  return `<?xml version="1.0" encoding="utf-8"?><Types xmlns="${CONTENT_TYPES_NS}">${defaults.join("")}${overrides.join("")}</Types>`;
}

/** Four-part solution version, each part an integer Dataverse accepts. */
export const SOLUTION_VERSION = /^(0|[1-9]\d{0,9})(\.(0|[1-9]\d{0,9})){3}$/;
/** Three-part control manifest version. */
export const CONTROL_VERSION = /^(0|[1-9]\d{0,9})(\.(0|[1-9]\d{0,9})){2}$/;

/**
 * File names: the versioned, underscored name Dataverse gives an exported solution
 * (`MarketoConfigControl_1_0_0_0_managed.zip`), with an explicit `_unmanaged` on the other one.
 */
export function zipFileName(uniqueName: string, solutionVersion: string, managed: boolean): string {
  return `${uniqueName}_${solutionVersion.replace(/\./g, "_")}_${managed ? "managed" : "unmanaged"}.zip`;
}

/** What a file name says about the managed flag: `_managed.zip` → true, anything else → false. */
export function managedFromFileName(fileName: string): boolean {
  return /_managed\.zip$/i.test(fileName);
}
