/**
 * `ImportSolution` / `ImportSolutionAsync`: the zip is unpacked and checked the way Dataverse checks
 * an import, then the solution and its custom controls are registered (`solutions`,
 * `customcontrols`, `solutioncomponents` type 66), with progress and a log in `importjobs`.
 *
 * What Dataverse checks is not what the pac format checker (formats/verify.ts) checks. Accepted, as
 * the service accepts them: any entry order, deflated or stored entries, BOM or none, no XML
 * declaration, the layout Dataverse itself exports (customizations, [Content_Types], solution,
 * Controls; xml typed application/octet-stream, e.g. rwilson504/PCFControls'
 * CanvasCalendar_1.0.0.5_managed.zip) and pac's default two-part `<Version>1.0</Version>`.
 * Refused: missing root files, malformed XML, schema failures (ImportXsdValidationError, in the
 * SDK's message shape, e.g. a solution.xml without <Publisher>), root components not in the zip,
 * controls the custom-control handler refuses (importControl.ts: prefix, name, resources, types),
 * a mode change, and a managed solution that is not a higher version than the installed one: a
 * managed solution is immutable per version (microsoft/powerplatform-build-tools#212, by design),
 * and a lower or equal version fails with 0x80048541 "The import solution must have a higher version
 * than the existing solution it is upgrading." (KB 4499878). Unmanaged solutions are overwritten at
 * any version.
 *
 * A control already installed is replaced only when the imported manifest's version is higher:
 * Dataverse detects a change by the control version, at least its PATCH part must rise
 * (code-components-alm.md, "Incrementing the PATCH version"). Otherwise the import succeeds and the
 * old control stays; the devserver's import log then carries a `result="warning"` on that control
 * saying so (the service logs nothing documented for it).
 *
 * `StageAndUpgradeAsync` (Web API reference, "StageAndUpgradeAsync Action": imports a solution,
 * stages it for upgrade and applies the upgrade; same parameters and response as
 * ImportSolutionAsync) is the same import, checked the same way, and on an installed managed
 * solution an upgrade: the holding solution is promoted, so the components the new version no
 * longer has are deleted ("Upgrade or update a solution", Microsoft Learn). A plain import of a
 * higher managed version is an update and keeps them.
 *
 * Error codes and message shapes: importErrors.ts.
 */
import { ApiRequest, ApiResponse, ServerContext, json, noContent, parseJsonBody } from "../context";
import { HttpError, badQuery } from "../errors";
import { checkPrivilege } from "../security";
import { Org, newGuid } from "../store";
import { child, children, parseXml, textOf, xmlError, type XmlElement } from "../../formats/xml";
import { readZip, type ZipContents } from "../../formats/zipReader";
import { PUBLISHER_PREFIX } from "../../formats/verify";
import { compareVersions } from "../../core/setup/version";
import { escapeXml } from "../../core/dataverse/xml";
import { checkSolutionLock } from "./solutionLock";
import { ImportCodes, ImportFailure, fail, failXsd, positionOf } from "./importErrors";
import { entryIndex, readControl, type ImportedControl } from "./importControl";

export { ImportCodes } from "./importErrors";
export type { ImportedControl } from "./importControl";

const ROOT_FILES = ["solution.xml", "customizations.xml", "[Content_Types].xml"];
const CUSTOM_CONTROL = "66";

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

/** What the import did with each control of the plan. */
export interface ControlOutcome {
  name: string;
  /** False: a control of that name was installed and the imported version is not higher, so it was kept. */
  updated: boolean;
  importedVersion: string;
  installedVersion?: string;
}

export interface ImportOutcome {
  solutionId: string;
  controls: ControlOutcome[];
}

function parseEntry(zip: ZipContents, name: string): { text: string; root: XmlElement } {
  const text = Buffer.from(zip.data[name]).toString("utf8");
  const error = xmlError(text);
  if (error) fail(ImportCodes.notWellFormed, `Invalid customization file. This file is not well formed: ${name}: ${error}`);
  return { text, root: parseXml(text) };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An element's value failed its schema type: .NET's wording, at the element. */
function invalidValue(element: string, value: string, datatype: string, constraint: string, text: string): never {
  return failXsd(
    `The '${element}' element is invalid - The value '${value}' is invalid according to its datatype '${datatype}' - The ${constraint} constraint failed.`,
    text,
    positionOf(text, new RegExp(`<${element}\\b`)),
  );
}

/** A required child is missing: .NET names the element found in its place, or the parent's end. */
function missingChild(parent: XmlElement, parentName: string, after: string, expected: string, text: string): never {
  const siblings = parent.children.map((c) => c.name);
  const next = siblings[siblings.indexOf(after) + 1];
  if (siblings.includes(after) && next) {
    return failXsd(
      `The element '${parentName}' has invalid child element '${next}'. List of possible elements expected: '${expected}'.`,
      text,
      positionOf(text, new RegExp(`<${escapeRegExp(next)}\\b`)),
    );
  }
  return failXsd(`The element '${parentName}' has incomplete content. List of possible elements expected: '${expected}'.`, text, positionOf(text, new RegExp(`</${parentName}>`)));
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
    const contentTypes = parseEntry(zip, "[Content_Types].xml").root;
    if (contentTypes.name !== "Types") fail(ImportCodes.invalidXml, "The import file is invalid: [Content_Types].xml has no <Types> root element.");
    const { text: solutionText, root: solution } = parseEntry(zip, "solution.xml");
    const { text: customizationsText, root: customizations } = parseEntry(zip, "customizations.xml");
    for (const [root, text] of [
      [solution, solutionText],
      [customizations, customizationsText],
    ] as const) {
      if (root.name !== "ImportExportXml") failXsd(`The '${root.name}' element is not declared.`, text, positionOf(text, new RegExp(`<${escapeRegExp(root.name)}\\b`)));
    }
    const manifest = child(solution, "SolutionManifest");
    if (!manifest)
      return failXsd(
        "The element 'ImportExportXml' has incomplete content. List of possible elements expected: 'SolutionManifest'.",
        solutionText,
        positionOf(solutionText, /<\/ImportExportXml>|\/>\s*$/),
      );
    const uniqueName = textOf(child(manifest, "UniqueName"));
    const version = textOf(child(manifest, "Version"));
    partial = { uniqueName, version };
    const managedText = textOf(child(manifest, "Managed"));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(uniqueName)) invalidValue("UniqueName", uniqueName, "String", "Pattern", solutionText);
    // Two to four parts: pac's own default is "1.0".
    if (!/^\d+(\.\d+){1,3}$/.test(version)) invalidValue("Version", version, "String", "Pattern", solutionText);
    if (managedText !== "0" && managedText !== "1") invalidValue("Managed", managedText, "Int32", "Enumeration", solutionText);
    const managed = managedText === "1";
    const publisher = child(manifest, "Publisher");
    if (!publisher) return missingChild(manifest, "SolutionManifest", "Managed", "Publisher", solutionText);
    const prefix = textOf(child(publisher, "CustomizationPrefix"));
    if (!child(publisher, "CustomizationPrefix")) missingChild(publisher, "Publisher", "SupportingWebsiteUrl", "CustomizationPrefix", solutionText);
    // The schema's prefix pattern (Microsoft Learn, "Create a solution publisher"), shared with the verifier.
    if (!PUBLISHER_PREFIX.test(prefix)) invalidValue("CustomizationPrefix", prefix, "String", "Pattern", solutionText);
    const localized = children(child(manifest, "LocalizedNames"), "LocalizedName");
    const friendlyName = (localized.find((l) => l.attrs.languagecode === "1033") ?? localized[0])?.attrs.description ?? uniqueName;

    const installed = [...org.table(org.entity("solution")).values()].find((s) => String(s.uniquename).toLowerCase() === uniqueName.toLowerCase());
    // The id the solution has, or will have: the prefix refusal names it.
    const solutionId = installed ? String(installed.solutionid) : newGuid();
    const roots = children(child(manifest, "RootComponents"), "RootComponent");
    const declared = new Map(children(child(customizations, "CustomControls"), "CustomControl").map((c) => [textOf(child(c, "Name")), textOf(child(c, "FileName"))]));
    const entries = entryIndex(zip);
    const controls: ImportedControl[] = [];
    for (const rc of roots) {
      if (rc.attrs.type !== CUSTOM_CONTROL) continue; // other component types are not emulated
      const name = rc.attrs.schemaName ?? "";
      const fileName = (declared.get(name) ?? `/Controls/${name}/ControlManifest.xml`).replace(/^\//, "");
      if (!declared.has(name) || !names.has(fileName)) {
        fail(ImportCodes.missingComponent, `Cannot add a Root Component ${name} of type ${CUSTOM_CONTROL} because it is not in the target system.`);
      }
      controls.push(readControl(zip, entries, name, fileName, prefix, solutionId));
    }
    for (const name of declared.keys()) {
      if (!roots.some((rc) => rc.attrs.type === CUSTOM_CONTROL && rc.attrs.schemaName === name)) {
        fail(ImportCodes.missingRootComponentEntry, `The import has failed because component ${name} of type ${CUSTOM_CONTROL} is not declared in the solution file as a root component.`);
      }
    }

    if (installed) {
      if (installed.ismanaged === true && !managed) {
        fail(
          ImportCodes.unmanagedToManagedMismatch,
          `The solution is already installed on this system as a managed solution and the package supplied is attempting to install it in unmanaged mode. Import can only update solutions when the modes match. Uninstall the current solution and try again.`,
        );
      }
      if (installed.ismanaged !== true && managed) {
        fail(
          ImportCodes.managedToUnmanagedMismatch,
          `The solution is already installed on this system as an unmanaged solution and the package supplied is attempting to install it in managed mode. Import can only update solutions when the modes match. Uninstall the current solution and try again.`,
        );
      }
      if (managed && compareVersions(version, String(installed.version)) <= 0) {
        fail(ImportCodes.versionNotHigher, "The import solution must have a higher version than the existing solution it is upgrading.");
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

/**
 * Registers the solution and its controls (upsert by unique name / control name). An installed
 * control is replaced only when the imported version is higher; otherwise it is kept as it is.
 */
export function applyImport(org: Org, plan: ImportPlan, options: { upgrade?: boolean } = {}): ImportOutcome {
  const now = new Date().toISOString();
  const solutions = org.table(org.entity("solution"));
  let solution = [...solutions.values()].find((s) => String(s.uniquename).toLowerCase() === plan.uniqueName.toLowerCase());
  if (solution) Object.assign(solution, { version: plan.version, friendlyname: plan.friendlyName, modifiedon: now, versionnumber: org.nextVersion() });
  else
    solution = org.insert(org.entity("solution"), { uniquename: plan.uniqueName, friendlyname: plan.friendlyName, version: plan.version, ismanaged: plan.managed, isvisible: true, installedon: now });
  const solutionId = String(solution.solutionid);
  const controls = org.table(org.entity("customcontrol"));
  const components = org.table(org.entity("solutioncomponent"));
  const outcomes: ControlOutcome[] = [];
  for (const c of plan.controls) {
    const fields = { name: c.name, manifest: c.manifest, version: c.version, compatibledatatypes: c.compatibleDataTypes, ismanaged: plan.managed, solutionid: solutionId };
    let row = [...controls.values()].find((r) => String(r.name).toLowerCase() === c.name.toLowerCase());
    if (!row) {
      row = org.insert(org.entity("customcontrol"), fields);
      outcomes.push({ name: c.name, updated: true, importedVersion: c.version });
    } else {
      const installedVersion = String(row.version ?? "");
      const updated = compareVersions(c.version, installedVersion) > 0;
      if (updated) Object.assign(row, fields, { modifiedon: now, versionnumber: org.nextVersion() });
      outcomes.push({ name: c.name, updated, importedVersion: c.version, installedVersion });
    }
    const id = String(row.customcontrolid);
    if (![...components.values()].some((sc) => sc.objectid === id && sc._solutionid_value === solutionId)) {
      org.insert(org.entity("solutioncomponent"), { objectid: id, componenttype: 66, rootcomponentbehavior: 0, _solutionid_value: solutionId });
    }
  }
  if (options.upgrade && plan.managed && plan.previousVersion) {
    // The upgrade's promote step: a control of the old version that the new one lacks is deleted.
    const kept = new Set(outcomes.map((o) => o.name.toLowerCase()));
    for (const [key, sc] of [...components.entries()]) {
      if (sc._solutionid_value !== solutionId || Number(sc.componenttype) !== 66) continue;
      const control = controls.get(String(sc.objectid).toLowerCase());
      if (control && kept.has(String(control.name).toLowerCase())) continue;
      components.delete(key);
      if (control) controls.delete(String(sc.objectid).toLowerCase());
    }
  }
  return { solutionId, controls: outcomes };
}

function controlResult(c: ControlOutcome, at: string): string {
  if (c.updated) return `<result result="success" errorcode="0" errortext="" datetime="${at}" />`;
  const text = `The control ${c.name} was not updated: the imported manifest version ${c.importedVersion} is not higher than the installed version ${c.installedVersion}. Dataverse replaces a control only when its version rises (at least the PATCH part).`;
  return `<result result="warning" errorcode="0" errortext="${escapeXml(text)}" datetime="${at}" />`;
}

/**
 * The `importjob.data` log, in the shape Dataverse writes (importexportxml / solutionManifests /
 * result). A successful check comes with what the import did (`applyImport`'s outcome).
 */
export function importLog(check: ImportCheck, at: string, outcome?: ImportOutcome): string {
  const result = check.ok
    ? `<result result="success" errorcode="0" errortext="" datetime="${at}" />`
    : `<result result="failure" errorcode="${check.code}" errortext="${escapeXml(check.message)}" datetime="${at}" />`;
  const name = check.ok ? check.plan.uniqueName : (check.uniqueName ?? "");
  const version = check.ok ? check.plan.version : (check.version ?? "");
  const managed = check.ok ? `<Managed>${check.plan.managed ? 1 : 0}</Managed>` : "";
  const outcomes = outcome?.controls ?? (check.ok ? check.plan.controls.map((c) => ({ name: c.name, updated: true, importedVersion: c.version })) : []);
  const controls = check.ok
    ? `<customControls>${outcomes.map((c) => `<customControl id="${escapeXml(c.name)}" name="${escapeXml(c.name)}" processed="true">${controlResult(c, at)}</customControl>`).join("")}</customControls>`
    : "";
  return `<importexportxml start="${at}" stop="${at}" progress="${check.ok ? 100 : 0}" processed="true"><solutionManifests><solutionManifest languagecode="1033" id="${escapeXml(name)}" processed="true"><UniqueName>${escapeXml(name)}</UniqueName><Version>${escapeXml(version)}</Version>${managed}${result}</solutionManifest></solutionManifests>${controls}</importexportxml>`;
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

/**
 * What both imports do first: check the privilege, then the solution lock (a user who may not
 * import learns that, not that Dynamics is busy), read and record the file, check it as Dataverse does.
 */
function receiveImport(ctx: ServerContext, req: ApiRequest) {
  const org = ctx.org;
  checkPrivilege(org, req.userId, "prvImportCustomization");
  checkSolutionLock(org, "Import");
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
  const outcome = check.ok ? applyImport(org, check.plan) : undefined;
  org.insert(org.entity("importjob"), {
    importjobid: importJobId,
    name: "Solution import",
    solutionname: check.ok ? check.plan.uniqueName : (check.uniqueName ?? null),
    progress: check.ok ? 100 : 0,
    startedon: now,
    completedon: now,
    data: importLog(check, now, outcome),
  });
  if (!check.ok) throw new HttpError(400, check.code, check.message);
  return noContent();
}

/**
 * Asynchronous import: answers at once with the job ids; the import job's progress rises from 0
 * to 100 over the org's import duration, and the solution is registered when it completes. A bad
 * file fails the job (asyncoperation statuscode 31, the log in importjob.data), as the service does.
 */
export function importSolutionAsync(ctx: ServerContext, req: ApiRequest, message: "ImportSolutionAsync" | "StageAndUpgradeAsync" = "ImportSolutionAsync"): ApiResponse {
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
  org.insert(org.entity("asyncoperation"), {
    asyncoperationid: id,
    name: "Solution Import",
    operationtype: 5,
    messagename: message,
    statecode: 0,
    statuscode: 0,
    message: null,
    friendlymessage: null,
    completedon: null,
  });
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
      const outcome = check.ok ? applyImport(org, check.plan, { upgrade: message === "StageAndUpgradeAsync" }) : undefined;
      const ij = org.get("importjob", importJobId);
      if (ij) Object.assign(ij, { progress: check.ok ? 100 : ij.progress, completedon, modifiedon: completedon, data: importLog(check, completedon, outcome), versionnumber: org.nextVersion() });
    },
  });
  org.tick(now);
  return json(200, { "@odata.context": `${ctx.serviceRoot}$metadata#Microsoft.Dynamics.CRM.${message}Response`, AsyncOperationId: id, ImportJobKey: importJobId });
}
