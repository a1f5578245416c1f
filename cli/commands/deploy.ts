/**
 * `deploy <zip>`: checks the zip with the pack verifier (nothing is sent when it finds an error; its
 * notes are shown and the zip is sent), imports it
 * with ImportSolutionAsync, shows the import job's progress, then publishes.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { DataverseClient, ODataCollection } from "../../core/dataverse/client";
import { anyOf, buildQuery, eq, recordPath } from "../../core/dataverse/odata";
import { isDataverseError } from "../../core/dataverse/errors";
import { compareVersions } from "../../core/setup/version";
import { startImportWhenFree } from "../../core/setup/actions";
import { findingKey, verifySolutionZip } from "../../formats/verify";
import { attr, child, parseXml, xmlError } from "../../formats/xml";
import { CliError, EXIT, type ExitCode } from "../errors";
import { HEARTBEAT_MS } from "../clock";
import { progress, writeJson } from "../output";
import type { Session } from "../session";
import { runPublish } from "./publish";

const IMPORT_JOB = (id: string) => recordPath("importjobs", id) + buildQuery({ select: ["progress", "completedon", "data"] });

interface ImportJob {
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

async function installedVersion(client: DataverseClient, uniqueName: string): Promise<string | undefined> {
  const page = await client.get<ODataCollection<{ version: string }>>("solutions" + buildQuery({ select: ["version"], filter: eq("uniquename", uniqueName) }));
  return page.value[0]?.version;
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

export async function deploy(session: Session, file: string, options: { publish?: boolean; overwriteUnmanaged?: boolean }): Promise<ExitCode> {
  const { io, t, out } = session;
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
  const { client } = await session.connection();
  const previous = await installedVersion(client, uniqueName);
  const kept = previous ? await controlsKept(client, check.solution.controlVersions) : [];
  // Said before the import, on stderr: the import itself succeeds, and the form quietly keeps the old code.
  for (const k of kept) io.err(t("Cli_DeployControlKept", { control: k.control, installed: k.installed, version: k.version }) + "\n");
  const kind = t(managed ? "Cli_Managed" : "Cli_Unmanaged");
  if (!out.json) io.out(t(previous ? "Cli_DeployUpgrading" : "Cli_DeployInstalling", { name: uniqueName, version, kind, previous: previous ?? "" }) + "\n");

  let importJobId = "";
  let waitingSaid = false;
  // Another import or publish running in Dynamics is waited for, and said once (core startImportWhenFree).
  const started = await startImportWhenFree(
    () => {
      // A fresh job id each attempt: a refused attempt's id is never reused.
      importJobId = randomUUID();
      return client.callAction<{ AsyncOperationId: string; ImportJobKey?: string }>(
        "ImportSolutionAsync",
        { CustomizationFile: bytes.toString("base64"), OverwriteUnmanagedCustomizations: options.overwriteUnmanaged === true, PublishWorkflows: true, ImportJobId: importJobId },
        { timeoutMs: 10 * 60_000 },
      );
    },
    {
      pollIntervalMs: io.pollIntervalMs ?? 2000,
      maxWaitMs: io.maxWaitMs,
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
  const bar = progress(io, !out.json);
  const poll = io.pollIntervalMs ?? 2000;
  let job: ImportJob = {};
  let op: AsyncOperation;
  const deadline = Date.now() + (io.maxWaitMs ?? 60 * 60_000);
  const importStarted = session.runtime.clock.now();
  let percent = 0;
  // A log gets a line at least every HEARTBEAT_MS even while the import's progress does not move.
  const stopHeartbeat =
    out.json || io.stderr.isTTY
      ? undefined
      : session.runtime.clock.every(HEARTBEAT_MS, () =>
          bar.update(`${t("Cli_DeployProgress", { name: uniqueName })} (${Math.round((session.runtime.clock.now() - importStarted) / 1000)} s)`, percent),
        );
  try {
    for (;;) {
      try {
        job = await client.get<ImportJob>(IMPORT_JOB(jobId));
      } catch (e) {
        // The import job row appears shortly after the request on a real org.
        if (!(isDataverseError(e) && e.kind === "notFound")) throw e;
      }
      op = await client.get<AsyncOperation>(recordPath("asyncoperations", started.AsyncOperationId) + buildQuery({ select: ["statecode", "statuscode", "message", "friendlymessage"] }));
      percent = op.statecode === 3 && op.statuscode === 30 ? 100 : (job.progress ?? 0);
      bar.update(t("Cli_DeployProgress", { name: uniqueName }), percent);
      if (op.statecode === 3) break;
      // A suspended or stuck job is not waited for forever: the admin is told where to look.
      if (Date.now() > deadline) throw new CliError(EXIT.failed, "Cli_DeployStillRunning", { name: uniqueName, job: jobId });
      await sleep(poll);
    }
  } finally {
    stopHeartbeat?.();
    bar.done();
  }
  if (op.statuscode !== 30) {
    // The job may have been read just before the operation ended: read its final log.
    job = await client.get<ImportJob>(IMPORT_JOB(jobId)).catch(() => job);
    const failure = importFailure(job.data);
    throw new CliError(
      EXIT.failed,
      "Cli_DeployFailed",
      { name: uniqueName, code: failure?.code ?? String(op.statuscode) },
      failure?.text || op.friendlymessage || op.message || `asyncoperation statuscode ${op.statuscode}`,
    );
  }
  if (!out.json) io.out(t("Cli_DeployDone", { name: uniqueName, version, kind }) + "\n");
  let publishedOn: string | undefined;
  if (options.publish !== false) publishedOn = (await runPublish(session, client)).completedOn;
  if (out.json) writeJson(io, { imported: { uniqueName, version, managed, previousVersion: previous ?? null, importJobId: jobId }, controlsKept: kept, publishedOn: publishedOn ?? null });
  else if (publishedOn) io.out(t("Publish_Done", { time: publishedOn }) + "\n");
  return EXIT.ok;
}
