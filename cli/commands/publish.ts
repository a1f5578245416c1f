/** `publish`: Publish All Customizations, waiting for one already running, with a progress line. */
import type { DataverseClient } from "../../core/dataverse/client";
import { publishAll, type PublishOptions, type PublishPhase, type PublishResult } from "../../core/setup";
import { EXIT, type ExitCode } from "../errors";
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
 * default; `publish` names another publish that takes the same options (bind-form's PublishXml).
 */
export async function runPublish<R = PublishResult>(
  session: Session,
  client: DataverseClient,
  publish: (options: PublishOptions) => Promise<R> = (options) => publishAll(client, options) as Promise<R>,
): Promise<R> {
  const { io, t, out } = session;
  const bar = progress(io, !out.json);
  const started = Date.now();
  let phase: PublishPhase = "starting";
  let blockedBy: string | undefined;
  // The elapsed seconds only on a terminal: a log gets one line per change of phase, not one per poll.
  const label = () => t(PHASE_KEY[phase]) + (phase === "waitingForOther" && blockedBy ? ` [${blockedBy}]` : "");
  const draw = () => bar.update(io.stderr.isTTY ? `${label()} (${Math.round((Date.now() - started) / 1000)} s)` : label());
  const timer = io.stderr.isTTY && !out.json ? setInterval(draw, 1000) : undefined;
  try {
    const result = await publish({
      pollIntervalMs: io.pollIntervalMs ?? 2000,
      maxWaitMs: io.maxWaitMs,
      onProgress: (p, detail) => {
        phase = p;
        blockedBy = detail?.blockedBy;
        if (p !== "done") draw();
      },
    });
    return result;
  } finally {
    if (timer) clearInterval(timer);
    bar.done();
  }
}

export async function publish(session: Session): Promise<ExitCode> {
  const { client } = await session.connection();
  const result = await runPublish(session, client);
  if (session.out.json) writeJson(session.io, { published: true, completedOn: result.completedOn, joined: result.joined });
  else session.io.out(session.t("Publish_Done", { time: result.completedOn }) + "\n");
  return EXIT.ok;
}
