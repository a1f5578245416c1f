/**
 * `ImportSolution` / `ImportSolutionAsync`: the zip is unpacked and checked the way Dataverse checks
 * an import, then the solution and its custom controls are registered (`solutions`,
 * `customcontrols`, `solutioncomponents` type 66), with progress and a log in `importjobs`.
 *
 * What Dataverse checks is not what the pac format checker (pack/verify.ts) checks: entry order,
 * BOMs and compression do not matter to the service; root files, well-formed XML, the manifest,
 * root components present in the zip, parseable control manifests and the installed version do.
 *
 * Error codes are the SDK's import error codes (Microsoft.Crm.Sdk ErrorCodes, as listed e.g. in
 * the public `AlbanianXrm/SolutionPackager` ImportErrorCodes enum), as hex:
 *   ImportCustomizationsBadZipFileError 0x80048060, ImportNonWellFormedFileError 0x80048013,
 *   ImportInvalidXmlError 0x8004802C, ImportMissingComponent 0x8004801F,
 *   ImportMissingRootComponentEntry 0x8004803A, ImportSolutionError 0x80048033,
 *   ImportSolutionManagedToUnmanagedMismatch 0x80048040, ImportSolutionUnmanagedToManagedMismatch 0x80048041.
 * The texts are written to read like the service's. The downgrade refusal's wording follows what
 * users report ("The import solution must have a higher version than the existing solution it is
 * upgrading", MicrosoftLearning/PL-400 issue #160); its exact code is not documented (uncertain).
 * Same version: accepted as a reinstall (uncertain: for managed solutions some pipelines report a
 * refusal, microsoft/powerplatform-build-tools#212, which is about the upgrade path).
 */
import { ApiRequest, ApiResponse, ServerContext, json, noContent, parseJsonBody } from "../context";
import { HttpError, badQuery } from "../errors";
import { checkPrivilege } from "../security";
import { Org, newGuid } from "../store";
import { child, children, parseXml, textOf, xmlError, type XmlElement } from "../../pack/xml";
import { readZip, type ZipContents } from "../../pack/zipReader";

export const ImportCodes = {
  badZip: "0x80048060",
  notWellFormed: "0x80048013",
  invalidXml: "0x8004802C",
  missingComponent: "0x8004801F",
  missingRootComponentEntry: "0x8004803A",
  solutionError: "0x80048033",
  managedToUnmanagedMismatch: "0x80048040",
  unmanagedToManagedMismatch: "0x80048041",
} as const;

const ROOT_FILES = ["solution.xml", "customizations.xml", "[Content_Types].xml"];
const CUSTOM_CONTROL = "66";

export interface ImportedControl {
  name: string;
  manifest: string;
  version: string;
  compatibleDataTypes: string;
}

export interface ImportPlan {
  uniqueName: string;
  friendlyName: string;
  version: string;
  managed: boolean;
  controls: ImportedControl[];
  /** What was installed before, if anything. */
  previousVersion?: string;
}

export type ImportCheck = { ok: true; plan: ImportPlan } | { ok: false; code: string; message: string; uniqueName?: string; version?: string };

class ImportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fail = (code: string, message: string): never => {
  throw new ImportFailure(code, message);
};

function parseEntry(zip: ZipContents, name: string): XmlElement {
  const text = Buffer.from(zip.data[name]).toString("utf8");
  const error = xmlError(text);
  if (error) fail(ImportCodes.notWellFormed, `Invalid customization file. This file is not well formed: ${name}: ${error}`);
  return parseXml(text);
}

/** Checks a solution file against the organisation, without changing anything. */
export function checkSolutionFile(org: Org, bytes: Uint8Array): ImportCheck {
  let partial: { uniqueName?: string; version?: string } = {};
  try {
    let zip: ZipContents;
    try {
      zip = readZip(bytes);
    } catch {
      return fail(ImportCodes.badZip, badZipMessage());
    }
    const names = new Set(Object.keys(zip.data));
    if (!ROOT_FILES.every((f) => names.has(f))) fail(ImportCodes.badZip, badZipMessage());
    const contentTypes = parseEntry(zip, "[Content_Types].xml");
    if (contentTypes.name !== "Types") fail(ImportCodes.invalidXml, "The import file is invalid: [Content_Types].xml has no <Types> root element.");
    const solution = parseEntry(zip, "solution.xml");
    const customizations = parseEntry(zip, "customizations.xml");
    if (solution.name !== "ImportExportXml" || customizations.name !== "ImportExportXml") {
      fail(ImportCodes.invalidXml, "The import file is invalid. XSD validation failed: the root element must be <ImportExportXml>.");
    }
    const manifest = child(solution, "SolutionManifest");
    if (!manifest) return fail(ImportCodes.invalidXml, "The import file is invalid. XSD validation failed: solution.xml has no <SolutionManifest>.");
    const uniqueName = textOf(child(manifest, "UniqueName"));
    const version = textOf(child(manifest, "Version"));
    partial = { uniqueName, version };
    const managedText = textOf(child(manifest, "Managed"));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(uniqueName)) fail(ImportCodes.invalidXml, `The import file is invalid. XSD validation failed: UniqueName '${uniqueName}' is not valid.`);
    if (!/^\d+(\.\d+){1,3}$/.test(version)) fail(ImportCodes.invalidXml, `The import file is invalid. XSD validation failed: Version '${version}' is not a valid solution version.`);
    if (managedText !== "0" && managedText !== "1") fail(ImportCodes.invalidXml, `The import file is invalid. XSD validation failed: Managed '${managedText}' must be 0 or 1.`);
    const managed = managedText === "1";
    const localized = children(child(manifest, "LocalizedNames"), "LocalizedName");
    const friendlyName = (localized.find((l) => l.attrs.languagecode === "1033") ?? localized[0])?.attrs.description ?? uniqueName;

    const roots = children(child(manifest, "RootComponents"), "RootComponent");
    const declared = new Map(children(child(customizations, "CustomControls"), "CustomControl").map((c) => [textOf(child(c, "Name")), textOf(child(c, "FileName"))]));
    const controls: ImportedControl[] = [];
    for (const rc of roots) {
      if (rc.attrs.type !== CUSTOM_CONTROL) continue; // other component types are not emulated
      const name = rc.attrs.schemaName ?? "";
      const fileName = (declared.get(name) ?? `/Controls/${name}/ControlManifest.xml`).replace(/^\//, "");
      if (!declared.has(name) || !names.has(fileName)) {
        fail(ImportCodes.missingComponent, `Cannot add a Root Component ${name} of type ${CUSTOM_CONTROL} because it is not in the target system.`);
      }
      const text = Buffer.from(zip.data[fileName]).toString("utf8");
      const error = xmlError(text);
      const doc = error ? undefined : parseXml(text);
      const control = doc?.name === "manifest" ? child(doc, "control") : undefined;
      if (!control) fail(ImportCodes.invalidXml, `The control manifest ${fileName} could not be read${error ? `: ${error}` : ": it has no <manifest><control>."}`);
      const bound = children(control, "property").find((p) => p.attrs.usage === "bound");
      controls.push({ name, manifest: text.replace(/^\uFEFF/, ""), version: control!.attrs.version ?? "", compatibleDataTypes: bound?.attrs["of-type"] ?? "" });
    }
    for (const name of declared.keys()) {
      if (!roots.some((rc) => rc.attrs.type === CUSTOM_CONTROL && rc.attrs.schemaName === name)) {
        fail(ImportCodes.missingRootComponentEntry, `The import has failed because component ${name} of type ${CUSTOM_CONTROL} is not declared in the solution file as a root component.`);
      }
    }

    const installed = [...org.table(org.entity("solution")).values()].find((s) => String(s.uniquename).toLowerCase() === uniqueName.toLowerCase());
    if (installed) {
      if (installed.ismanaged === true && !managed) {
        fail(ImportCodes.unmanagedToManagedMismatch, `The solution is already installed on this system as a managed solution and the package supplied is attempting to install it in unmanaged mode. Import can only update solutions when the modes match. Uninstall the current solution and try again.`);
      }
      if (installed.ismanaged !== true && managed) {
        fail(ImportCodes.managedToUnmanagedMismatch, `The solution is already installed on this system as an unmanaged solution and the package supplied is attempting to install it in managed mode. Import can only update solutions when the modes match. Uninstall the current solution and try again.`);
      }
      if (managed && compare(version, String(installed.version)) < 0) {
        fail(ImportCodes.solutionError, `Solution '${uniqueName}' ${version} cannot be imported: version ${installed.version} is installed. The import solution must have a higher version than the existing solution it is upgrading.`);
      }
    }
    return { ok: true, plan: { uniqueName, friendlyName, version, managed, controls, previousVersion: installed ? String(installed.version) : undefined } };
  } catch (e) {
    if (e instanceof ImportFailure) return { ok: false, code: e.code, message: e.message, ...partial };
    throw e;
  }
}

function badZipMessage(): string {
  return "The solution file is invalid. The compressed file must contain the following files at its root: solution.xml, customizations.xml, and [Content_Types].xml. Customization files exported from previous versions of Microsoft Dynamics 365 are not supported.";
}

function compare(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Registers the solution and its controls (upsert by unique name / control name). */
export function applyImport(org: Org, plan: ImportPlan): string {
  const now = new Date().toISOString();
  const solutions = org.table(org.entity("solution"));
  let solution = [...solutions.values()].find((s) => String(s.uniquename).toLowerCase() === plan.uniqueName.toLowerCase());
  if (solution) Object.assign(solution, { version: plan.version, friendlyname: plan.friendlyName, modifiedon: now, versionnumber: org.nextVersion() });
  else solution = org.insert(org.entity("solution"), { uniquename: plan.uniqueName, friendlyname: plan.friendlyName, version: plan.version, ismanaged: plan.managed, isvisible: true, installedon: now });
  const solutionId = String(solution.solutionid);
  const controls = org.table(org.entity("customcontrol"));
  const components = org.table(org.entity("solutioncomponent"));
  for (const c of plan.controls) {
    const fields = { name: c.name, manifest: c.manifest, version: c.version, compatibledatatypes: c.compatibleDataTypes, ismanaged: plan.managed, solutionid: solutionId };
    let row = [...controls.values()].find((r) => r.name === c.name);
    if (row) Object.assign(row, fields, { modifiedon: now, versionnumber: org.nextVersion() });
    else row = org.insert(org.entity("customcontrol"), fields);
    const id = String(row.customcontrolid);
    if (![...components.values()].some((sc) => sc.objectid === id && sc._solutionid_value === solutionId)) {
      org.insert(org.entity("solutioncomponent"), { objectid: id, componenttype: 66, rootcomponentbehavior: 0, _solutionid_value: solutionId });
    }
  }
  return solutionId;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The `importjob.data` log, in the shape Dataverse writes (importexportxml / solutionManifests / result). */
export function importLog(check: ImportCheck, at: string): string {
  const result = check.ok ? `<result result="success" errorcode="0" errortext="" datetime="${at}" />` : `<result result="failure" errorcode="${check.code}" errortext="${esc(check.message)}" datetime="${at}" />`;
  const name = check.ok ? check.plan.uniqueName : (check.uniqueName ?? "");
  const version = check.ok ? check.plan.version : (check.version ?? "");
  const managed = check.ok ? `<Managed>${check.plan.managed ? 1 : 0}</Managed>` : "";
  const controls = check.ok
    ? `<customControls>${check.plan.controls.map((c) => `<customControl id="${esc(c.name)}" name="${esc(c.name)}" processed="true"><result result="success" errorcode="0" errortext="" datetime="${at}" /></customControl>`).join("")}</customControls>`
    : "";
  return `<importexportxml start="${at}" stop="${at}" progress="${check.ok ? 100 : 0}" processed="true"><solutionManifests><solutionManifest languagecode="1033" id="${esc(name)}" processed="true"><UniqueName>${esc(name)}</UniqueName><Version>${esc(version)}</Version>${managed}${result}</solutionManifest></solutionManifests>${controls}</importexportxml>`;
}

function decodeFile(base64: unknown): Buffer {
  if (typeof base64 !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64.replace(/\s/g, ""))) {
    throw badQuery("CustomizationFile must be the solution .zip file encoded in base64.");
  }
  return Buffer.from(base64, "base64");
}

function importJobIdOf(body: Record<string, unknown>): string {
  const id = body.ImportJobId;
  return typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id) && id !== "00000000-0000-0000-0000-000000000000" ? id.toLowerCase() : newGuid();
}

function record(ctx: ServerContext, body: Record<string, unknown>, bytes: Buffer, importJobId: string): void {
  ctx.org.imports.push({
    importJobId,
    bytes: bytes.length,
    at: new Date().toISOString(),
    overwriteUnmanagedCustomizations: Boolean(body.OverwriteUnmanagedCustomizations),
    publishWorkflows: Boolean(body.PublishWorkflows),
  });
}

/** What both imports do first: check the privilege, read and record the file, check it as Dataverse does. */
function receiveImport(ctx: ServerContext, req: ApiRequest) {
  const org = ctx.org;
  checkPrivilege(org, req.userId, "prvImportCustomization");
  const body = parseJsonBody(req);
  const bytes = decodeFile(body.CustomizationFile);
  const importJobId = importJobIdOf(body);
  record(ctx, body, bytes, importJobId);
  return { org, body, importJobId, check: checkSolutionFile(org, bytes) };
}

/** Synchronous import: refused with the import error, or applied before the 204. */
export function importSolution(ctx: ServerContext, req: ApiRequest): ApiResponse {
  const { org, importJobId, check } = receiveImport(ctx, req);
  const now = new Date().toISOString();
  org.insert(org.entity("importjob"), {
    importjobid: importJobId,
    name: "Solution import",
    solutionname: check.ok ? check.plan.uniqueName : (check.uniqueName ?? null),
    progress: check.ok ? 100 : 0,
    startedon: now,
    completedon: now,
    data: importLog(check, now),
  });
  if (!check.ok) throw new HttpError(400, check.code, check.message);
  applyImport(org, check.plan);
  return noContent();
}

/**
 * Asynchronous import: answers at once with the job ids; the import job's progress rises from 0
 * to 100 over the org's import duration, and the solution is registered when it completes. A bad
 * file fails the job (asyncoperation statuscode 31, the log in importjob.data), as the service does.
 */
export function importSolutionAsync(ctx: ServerContext, req: ApiRequest): ApiResponse {
  const { org, importJobId, check } = receiveImport(ctx, req);
  const now = Date.now();
  org.insert(org.entity("importjob"), {
    importjobid: importJobId,
    name: "Solution import",
    solutionname: check.ok ? check.plan.uniqueName : (check.uniqueName ?? null),
    progress: 0,
    startedon: new Date(now).toISOString(),
    completedon: null,
    data: null,
  });
  const id = newGuid();
  org.insert(org.entity("asyncoperation"), { asyncoperationid: id, name: "Solution Import", operationtype: 5, messagename: "ImportSolutionAsync", statecode: 0, statuscode: 0, message: null, friendlymessage: null, completedon: null });
  org.jobs.push({
    id,
    kind: "import",
    startedAt: now,
    durationMs: org.importDurationMs,
    done: false,
    importJobId,
    fail: check.ok ? undefined : `${check.message} (${check.code})`,
    progress: (fraction) => {
      const ij = org.get("importjob", importJobId);
      if (ij && !ij.completedon) Object.assign(ij, { progress: Math.floor(fraction * (check.ok ? 100 : 40)), versionnumber: org.nextVersion() });
    },
    finish: (completedon) => {
      if (check.ok) applyImport(org, check.plan);
      const ij = org.get("importjob", importJobId);
      if (ij) Object.assign(ij, { progress: check.ok ? 100 : ij.progress, completedon, modifiedon: completedon, data: importLog(check, completedon), versionnumber: org.nextVersion() });
    },
  });
  org.tick(now);
  return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.ImportSolutionAsyncResponse`, AsyncOperationId: id, ImportJobKey: importJobId });
}
