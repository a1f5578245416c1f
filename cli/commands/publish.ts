/**
 * `publish`: Publish All Customizations, waiting for one already running, with a progress line;
 * `publish --job ID` follows one already started (the id a stopped publish printed).
 */
import { API_PATH, type DataverseClient } from "../../core/dataverse/client";
import { buildQuery, isGuid, recordPath } from "../../core/dataverse/odata";
import { publishAll, type PublishOptions, type PublishPhase, type PublishResult } from "../../core/setup";
import { HEARTBEAT_MS } from "../clock";
import { sleepUntil } from "../network";
import { reportDryRun } from "../dryRun";
import { CliError, EXIT, unknownIdAs, type ExitCode } from "../errors";
import { progress, writeJson } from "../output";
import type { Session } from "../session";

const PHASE_KEY: Record<PublishPhase, string> = {
  starting: "Publish_Running",
  // Another import or publish holds Dataverse's solution lock: said, and waited for (core publishAll).
  waitingForOther: "Publish_WaitingForLock",
  running: "Publish_Running",
  done: "Publish_Running",
};

/**
 * Publishes and shows progress (phase and elapsed seconds on a terminal). All customizations by
 * default; `publish` names another publish that takes the same options (bind-form's PublishXml),
 * and `running` says what it publishes while it runs.
 */
export async function runPublish<R = PublishResult>(
  session: Session,
  client: DataverseClient,
  publish: (options: PublishOptions) => Promise<R> = (options) => publishAll(client, options) as Promise<R>,
  running?: string,
): Promise<R> {
  const { io, t, out, runtime } = session;
  const bar = progress(io, !out.json);
  const started = runtime.clock.now();
  let phase: PublishPhase = "starting";
  let blockedBy: string | undefined;
  // The elapsed seconds only on a terminal: a log gets one line per change of phase, not one per poll.
  const label = () => (phase !== "waitingForOther" && running ? running : t(PHASE_KEY[phase])) + (phase === "waitingForOther" && blockedBy ? ` [${blockedBy}]` : "");
  const elapsed = () => `${label()} (${Math.round((runtime.clock.now() - started) / 1000)} s)`;
  const draw = () => bar.update(io.stderr.isTTY ? elapsed() : label());
  // Every second on a terminal; in a log, a line at least every HEARTBEAT_MS, so a long wait never looks hung.
  const stop = out.json ? undefined : runtime.clock.every(io.stderr.isTTY ? 1000 : HEARTBEAT_MS, () => bar.update(elapsed()));
  try {
    const result = await publish({
      pollIntervalMs: io.pollIntervalMs ?? 2000,
      maxWaitMs: io.maxWaitMs,
      onProgress: (p, detail) => {
        phase = p;
        blockedBy = detail?.blockedBy;
        // From here Ctrl-C says which system job goes on publishing, and how to follow it.
        if (detail?.operationId) runtime.following = { key: "Cli_InterruptedPublish", params: { job: detail.operationId } };
        if (p !== "done") draw();
      },
    });
    return result;
  } finally {
    stop?.();
    bar.done();
  }
}

const ASYNC_COMPLETED = 3;
const ASYNC_SUCCEEDED = 30;

/**
 * `publish --job ID`: follows a publish already started (asyncoperations row, Microsoft Learn
 * "AsyncOperation table": statecode 3 Completed, statuscode 30 Succeeded) to its end.
 */
async function followJob(session: Session, job: string): Promise<{ completedOn: string }> {
  const { io, t, runtime } = session;
  if (!isGuid(job)) throw new CliError(EXIT.usage, "Cli_BadJobId", { job });
  const { client } = await session.connection();
  runtime.following = { key: "Cli_InterruptedPublish", params: { job } };
  if (!session.out.json) io.err(t("Cli_FollowingJob", { job }) + "\n");
  const deadline = runtime.clock.now() + (io.maxWaitMs ?? 60 * 60_000);
  for (;;) {
    const op = await client
      .get<{ statecode: number; statuscode: number; message?: string | null; friendlymessage?: string | null; completedon?: string | null }>(
        recordPath("asyncoperations", job) + buildQuery({ select: ["statecode", "statuscode", "message", "friendlymessage", "completedon"] }),
      )
      .catch(unknownIdAs("Cli_JobNotFound", { job }));
    if (op.statecode === ASYNC_COMPLETED) {
      if (op.statuscode === ASYNC_SUCCEEDED) return { completedOn: op.completedon ?? new Date(runtime.clock.now()).toISOString() };
      throw new CliError(EXIT.failed, "Cli_JobFailed", { job, status: op.statuscode }, op.friendlymessage || op.message || undefined);
    }
    if (runtime.clock.now() > deadline) throw new CliError(EXIT.couldNotRun, "Cli_JobStillRunning", { job });
    // The command's clock (a test moves it) and its Ctrl-C end the pause, as for every other wait.
    await sleepUntil(runtime)(io.pollIntervalMs ?? 2000);
  }
}

export async function publish(session: Session, options: { job?: string } = {}): Promise<ExitCode> {
  if (session.runtime.dryRun) {
    const { orgUrl } = await session.connection();
    // Following a job sends nothing that changes the org; a publish sends one action.
    if (!options.job) session.runtime.dryRun.add("POST", `${orgUrl}${API_PATH}PublishAllXmlAsync`);
    return reportDryRun(session);
  }
  const { client } = await session.connection();
  const result = options.job ? { ...(await followJob(session, options.job)), joined: true } : await runPublish(session, client);
  if (session.out.json) writeJson(session.io, { published: true, completedOn: result.completedOn, joined: result.joined });
  else session.io.out(session.t("Publish_Done", { time: result.completedOn }) + "\n");
  return EXIT.ok;
}
