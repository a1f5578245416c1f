/**
 * `deploy <zip>`: checks the zip with the pack verifier (nothing is sent when it finds an error; its
 * notes are shown and the zip is sent), imports it
 * with ImportSolutionAsync, shows the import job's progress, then publishes.
 *
 * Like `pac solution import`: --skip-lower-version / --skip-same-version compare with the installed
 * version, --stage-and-upgrade uses StageAndUpgradeAsync (Web API reference, "StageAndUpgradeAsync
 * Action": imports, stages for upgrade and applies the upgrade; same parameters as
 * ImportSolutionAsync), --max-async-wait is in minutes (pac's default 60), --no-publish-workflows
 * sends PublishWorkflows false (ImportSolutionAsync's parameter). Words as Dataverse uses them: a
 * plain import over an installed solution is an update; stage-and-upgrade is an upgrade (Microsoft
 * Learn, "Update solutions" / "Upgrade or update a solution").
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { API_PATH, type DataverseClient, type ODataCollection } from "../../core/dataverse/client";
import { anyOf, buildQuery, eq, isGuid, recordPath } from "../../core/dataverse/odata";
import { isDataverseError } from "../../core/dataverse/errors";
import { compareVersions } from "../../core/setup/version";
import { startImportWhenFree } from "../../core/setup/actions";
import { findingKey, verifySolutionZip } from "../../formats/verify";
import { attr, child, parseXml, xmlError } from "../../formats/xml";
import { CliError, EXIT, explain, unknownIdAs, type ExitCode } from "../errors";
import { reportDryRun, summariseBody } from "../dryRun";
import { HEARTBEAT_MS } from "../clock";
import { progress, writeJson } from "../output";
import type { Session } from "../session";
import { runPublish } from "./publish";

const IMPORT_JOB = (id: string) => recordPath("importjobs", id) + buildQuery({ select: ["progress", "completedon", "data", "solutionname"] });

interface ImportJob {
  solutionname?: string | null;
  progress?: number;
  completedon?: string | null;
  data?: string | null;
}

interface AsyncOperation {
  statecode: number;
  statuscode: number;
  message?: string | null;
  friendlymessage?: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first failure in an import log: `<result result="failure" errorcode="…" errortext="…"/>`. */
export function importFailure(data: string | null | undefined): { code: string; text: string } | undefined {
  const m = /<result\b(?=[^>]*\bresult="failure")[^>]*>/i.exec(data ?? "");
  if (!m) return undefined;
  const valueOf = (name: string) =>
    (new RegExp(`\\b${name}="([^"]*)"`).exec(m[0])?.[1] ?? "")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  return { code: valueOf("errorcode"), text: valueOf("errortext") };
}

async function installedSolution(client: DataverseClient, uniqueName: string): Promise<{ version: string; managed: boolean } | undefined> {
  const page = await client.get<ODataCollection<{ version: string; ismanaged: boolean }>>("solutions" + buildQuery({ select: ["version", "ismanaged"], filter: eq("uniquename", uniqueName) }));
  const row = page.value[0];
  return row && { version: row.version, managed: row.ismanaged === true };
}

export interface ControlKept {
  control: string;
  installed: string;
  version: string;
}

/**
 * The controls this import would leave as they are: Dataverse replaces a control's code only when the
 * imported manifest version is higher than the installed one (Microsoft Learn, "Code components
 * application lifecycle management": at least the PATCH part must rise). Read from the installed
 * controls' manifests, so it holds on any organisation, whatever its import log says.
 */
async function controlsKept(client: DataverseClient, versions: Record<string, string>): Promise<ControlKept[]> {
  const names = Object.keys(versions);
  if (names.length === 0) return [];
  const page = await client.get<ODataCollection<{ name: string; manifest?: string | null }>>(
    "customcontrols" + buildQuery({ select: ["name", "manifest"], filter: anyOf(names.map((n) => eq("name", n))) }),
  );
  return page.value.flatMap((row) => {
    const version = versions[row.name];
    const manifest = row.manifest ?? "";
    const installed = manifest && !xmlError(manifest) ? attr(child(parseXml(manifest), "control"), "version") : "";
    return version && installed && compareVersions(version, installed) <= 0 ? [{ control: row.name, installed, version }] : [];
  });
}

export interface DeployOptions {
  publish?: boolean;
  overwriteUnmanaged?: boolean;
  skipLowerVersion?: boolean;
  skipSameVersion?: boolean;
  stageAndUpgrade?: boolean;
  maxAsyncWait?: string;
  publishWorkflows?: boolean;
  importJob?: string;
}

/** `--max-async-wait 90`: minutes, a positive number (pac's unit); anything else is a usage error. */
function maxAsyncWaitMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const minutes = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(minutes > 0)) throw new CliError(EXIT.usage, "Cli_BadMaxAsyncWait", { value });
  return minutes * 60_000;
}

/**
 * Follows an import job to its end: by its system job (asyncoperation, statecode 3 = completed,
 * statuscode 30 = succeeded) when known, otherwise (`--import-job`) by the import job's own
 * completedon and log.
 */
async function followImport(session: Session, client: DataverseClient, jobId: string, operationId: string | undefined, maxWaitMs: number, knownName = ""): Promise<ImportJob> {
  const { io, t, out } = session;
  const bar = progress(io, !out.json);
  const poll = io.pollIntervalMs ?? 2000;
  let job: ImportJob = {};
  let name = knownName;
  let op: AsyncOperation | undefined;
  const importStarted = session.runtime.clock.now();
  const deadline = importStarted + maxWaitMs;
  let percent = 0;
  // A log gets a line at least every HEARTBEAT_MS even while the import's progress does not move.
  const stopHeartbeat =
    out.json || io.stderr.isTTY
      ? undefined
      : session.runtime.clock.every(HEARTBEAT_MS, () => bar.update(`${t("Cli_DeployProgress", { name })} (${Math.round((session.runtime.clock.now() - importStarted) / 1000)} s)`, percent));
  try {
    for (;;) {
      try {
        job = await client.get<ImportJob>(IMPORT_JOB(jobId));
      } catch (e) {
        // The import job row appears shortly after the request on a real org.
        if (!(isDataverseError(e) && e.kind === "notFound") || !operationId) throw e;
      }
      name = name || (job.solutionname ?? "");
      if (operationId) {
        op = await client.get<AsyncOperation>(recordPath("asyncoperations", operationId) + buildQuery({ select: ["statecode", "statuscode", "message", "friendlymessage"] }));
        percent = op.statecode === 3 && op.statuscode === 30 ? 100 : (job.progress ?? 0);
      } else percent = job.progress ?? 0;
      bar.update(t("Cli_DeployProgress", { name }), percent);
      if (operationId ? op?.statecode === 3 : Boolean(job.completedon)) break;
      // A suspended or stuck job is not waited for forever: the admin is told where to look.
      if (session.runtime.clock.now() > deadline) throw new CliError(EXIT.failed, "Cli_DeployStillRunning", { name, job: jobId });
      await sleep(poll);
    }
  } finally {
    stopHeartbeat?.();
    bar.done();
  }
  if (op ? op.statuscode !== 30 : importFailure(job.data)) {
    // The job may have been read just before the operation ended: read its final log.
    if (op) job = await client.get<ImportJob>(IMPORT_JOB(jobId)).catch(() => job);
    const failure = importFailure(job.data);
    throw new CliError(
      EXIT.failed,
      "Cli_DeployFailed",
      { name: job.solutionname ?? name, code: failure?.code ?? String(op?.statuscode ?? "") },
      failure?.text || op?.friendlymessage || op?.message || `asyncoperation statuscode ${op?.statuscode}`,
    );
  }
  return job;
}

/**
 * Publishes after the import. If that fails, the import stands: said exactly so (text and JSON),
 * with the command that finishes the work.
 */
async function publishAfterImport(session: Session, client: DataverseClient, imported: Record<string, unknown>, name: string, version: string): Promise<{ publishedOn?: string; failed?: ExitCode }> {
  try {
    return { publishedOn: (await runPublish(session, client)).completedOn };
  } catch (e) {
    if (session.runtime.signal.aborted) throw e;
    const x = explain(e, "publish", session.t);
    const error = { key: x.key, message: x.message, details: x.details ?? null };
    if (session.out.json) writeJson(session.io, { imported, published: false, publishError: error, exitCode: x.exitCode });
    else {
      session.io.err(session.t("Cli_DeployImportedPublishFailed", { name, version, reason: x.message }) + "\n");
      if (x.details) session.io.err(x.details.replace(/^/gm, "  ") + "\n");
    }
    return { failed: x.exitCode };
  }
}

/** `deploy --import-job ID`: follows an import a stopped deploy left running, then publishes. */
async function followExisting(session: Session, jobId: string, options: DeployOptions, maxWaitMs: number): Promise<ExitCode> {
  const { io, t, out } = session;
  if (!isGuid(jobId)) throw new CliError(EXIT.usage, "Cli_BadJobId", { job: jobId });
  const { client } = await session.connection();
  session.runtime.following = { key: "Cli_InterruptedFollow", params: { job: jobId } };
  if (!out.json) io.err(t("Cli_FollowingImport", { job: jobId }) + "\n");
  const job = await followImport(session, client, jobId, undefined, maxWaitMs).catch(unknownIdAs("Cli_ImportJobNotFound", { job: jobId }));
  const name = job.solutionname ?? "";
  if (!out.json) io.out(t("Cli_DeployFollowedDone", { name, job: jobId }) + "\n");
  const imported = { uniqueName: name, importJobId: jobId };
  let publishedOn: string | undefined;
  if (options.publish !== false) {
    const p = await publishAfterImport(session, client, imported, name, "");
    if (p.failed !== undefined) return p.failed;
    publishedOn = p.publishedOn;
  }
  if (out.json) writeJson(io, { imported, publishedOn: publishedOn ?? null });
  else if (publishedOn) io.out(t("Publish_Done", { time: publishedOn }) + "\n");
  return EXIT.ok;
}

export async function deploy(session: Session, file: string | undefined, options: DeployOptions): Promise<ExitCode> {
  const { io, t, out } = session;
  const maxWaitMs = maxAsyncWaitMs(options.maxAsyncWait) ?? io.maxWaitMs ?? 60 * 60_000;
  if (options.importJob !== undefined) {
    if (file) throw new CliError(EXIT.usage, "Cli_DeployZipOrJob");
    return followExisting(session, options.importJob, options, maxWaitMs);
  }
  if (!file) throw new CliError(EXIT.usage, "Cli_DeployZipOrJob");
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CliError(EXIT.usage, "Cli_FileUnreadable", { file }, (e as Error).message);
  }
  const check = verifySolutionZip(bytes, { fileName: basename(file) });
  const { uniqueName, version, managed } = check.solution;
  // Errors first, then notes, each labelled. Only errors stop the zip: notes are differences from
  // what `npm run pack` writes that Dataverse accepts (its own export layout, for one).
  const findings = [...check.errors.map((e) => t("Cli_CheckError", { text: t(findingKey(e), e.params) })), ...check.notes.map((n) => t("Cli_CheckNote", { text: t(findingKey(n), n.params) }))].join(
    "\n",
  );
  if (!check.ok) {
    // Refused before signing in: nothing is sent to the org.
    throw new CliError(EXIT.failed, "Cli_DeployRefused", { file: basename(file), count: check.errors.length }, findings);
  }
  // On stderr, so that --json output stays one document.
  if (check.notes.length) io.err(`${t("Cli_DeployNotes", { file: basename(file), count: check.notes.length })}\n${findings.replace(/^/gm, "  ")}\n`);
  const { client, orgUrl } = await session.connection();
  const installed = await installedSolution(client, uniqueName);
  const previous = installed?.version;
  // Dataverse never imports a managed solution over an unmanaged one of the same name, nor the reverse
  // (ImportSolutionManagedToUnmanagedMismatch 0x80048040, ImportSolutionUnmanagedToManagedMismatch
  // 0x80048041, SDK error codes): said before the upload, which can take minutes.
  if (installed && installed.managed !== managed) {
    throw new CliError(
      EXIT.failed,
      managed ? "Cli_DeployManagedOverUnmanaged" : "Cli_DeployUnmanagedOverManaged",
      { name: uniqueName, version: installed.version },
      managed ? "0x80048040" : "0x80048041",
    );
  }
  const kind = t(managed ? "Cli_Managed" : "Cli_Unmanaged");

  // pac's --skip-lower-version / --skip-same-version: nothing is sent, exit 0, said in one line.
  const order = previous ? compareVersions(version, previous) : 1;
  const skip = order < 0 && options.skipLowerVersion ? "lower" : order === 0 && options.skipSameVersion ? "same" : undefined;
  if (skip) {
    if (out.json) writeJson(io, { skipped: skip, solution: { uniqueName, version, managed, installedVersion: previous } });
    else io.out(t(skip === "lower" ? "Cli_DeploySkippedLower" : "Cli_DeploySkippedSame", { name: uniqueName, version, previous: previous ?? "" }) + "\n");
    return EXIT.ok;
  }

  // A managed solution at the installed version or a lower one is refused by Dataverse
  // (0x80048541 "The import solution must have a higher version than the existing solution it is
  // upgrading"; "by design: a managed solution is treated as immutable", microsoft/powerplatform-build-tools#212).
  // Said before the upload, which can take minutes; an unmanaged one overwrites at any version.
  if (managed && previous && order <= 0) {
    throw new CliError(EXIT.failed, order < 0 ? "Cli_DeployLowerVersion" : "Cli_DeploySameVersion", { name: uniqueName, version, previous }, "0x80048541");
  }

  const kept = previous ? await controlsKept(client, check.solution.controlVersions) : [];
  // Said before the import, on stderr: the import itself succeeds, and the form quietly keeps the old code.
  for (const k of kept) io.err(t("Cli_DeployControlKept", { control: k.control, installed: k.installed, version: k.version }) + "\n");
  const mode = !previous ? "install" : options.stageAndUpgrade ? "upgrade" : "update";
  const startKey = { install: "Cli_DeployInstalling", update: "Cli_DeployUpdating", upgrade: "Cli_DeployUpgrading" }[mode];

  const action = options.stageAndUpgrade ? "StageAndUpgradeAsync" : "ImportSolutionAsync";
  const parameters = (importJobId: string) => ({
    CustomizationFile: bytes.toString("base64"),
    OverwriteUnmanagedCustomizations: options.overwriteUnmanaged === true,
    PublishWorkflows: options.publishWorkflows !== false,
    ImportJobId: importJobId,
  });
  const plan = { uniqueName, version, managed, previousVersion: previous ?? null, mode };
  if (session.runtime.dryRun) {
    session.runtime.dryRun.add("POST", `${orgUrl}${API_PATH}${action}`, summariseBody(JSON.stringify(parameters("<new id>"))));
    if (options.publish !== false) session.runtime.dryRun.add("POST", `${orgUrl}${API_PATH}PublishAllXmlAsync`);
    return reportDryRun(session, { imported: plan, controlsKept: kept });
  }
  // After the dry run's return: a plan does not say it is importing.
  if (!out.json) io.out(t(startKey, { name: uniqueName, version, kind, previous: previous ?? "" }) + "\n");

  let importJobId = "";
  let waitingSaid = false;
  // Another import or publish running in Dynamics is waited for, and said once (core startImportWhenFree).
  const started = await startImportWhenFree(
    () => {
      // A fresh job id each attempt: a refused attempt's id is never reused.
      importJobId = randomUUID();
      return client.callAction<{ AsyncOperationId: string; ImportJobKey?: string }>(action, parameters(importJobId), { timeoutMs: 10 * 60_000 });
    },
    {
      pollIntervalMs: io.pollIntervalMs ?? 2000,
      maxWaitMs,
      onProgress: (phase, detail) => {
        if (phase !== "waitingForOther" || waitingSaid) return;
        waitingSaid = true;
        io.err(t("Publish_WaitingForLock") + (detail?.blockedBy ? ` [${detail.blockedBy}]` : "") + "\n");
      },
    },
  );
  // The import job created is the one named by the ImportJobId sent (reference/importsolutionasync.md);
  // ImportJobKey is an Edm.String key (reference/importsolutionasyncresponse.md), not that row's id.
  const jobId = importJobId;
  // From here Ctrl-C says the import goes on in Dynamics, and how to follow it.
  session.runtime.following = { key: "Cli_InterruptedDeploy", params: { job: jobId, operation: started.AsyncOperationId } };
  await followImport(session, client, jobId, started.AsyncOperationId, maxWaitMs, uniqueName);
  session.runtime.following = undefined;
  if (!out.json)
    io.out(t(mode === "install" ? "Cli_DeployDone" : mode === "update" ? "Cli_DeployUpdated" : "Cli_DeployUpgraded", { name: uniqueName, version, kind, previous: previous ?? "" }) + "\n");
  const imported = { ...plan, importJobId: jobId };
  let publishedOn: string | undefined;
  if (options.publish !== false) {
    const p = await publishAfterImport(session, client, imported, uniqueName, version);
    if (p.failed !== undefined) return p.failed;
    publishedOn = p.publishedOn;
  }
  if (out.json) writeJson(io, { imported, controlsKept: kept, publishedOn: publishedOn ?? null });
  else if (publishedOn) io.out(t("Publish_Done", { time: publishedOn }) + "\n");
  return EXIT.ok;
}
