/** `publish`: Publish All Customizations, waiting for one already running, with a progress line. */
import type { DataverseClient } from "../../core/dataverse/client";
import { publishAll, type PublishPhase } from "../../core/setup";
import { EXIT, type ExitCode } from "../errors";
import { progress, writeJson } from "../output";
import type { Session } from "../session";

const PHASE_KEY: Record<PublishPhase, string> = {
  starting: "Publish_Running",
  waitingForOther: "Publish_WaitingForOther",
  running: "Publish_Running",
  done: "Publish_Running",
};

/** Publishes and shows progress (phase and elapsed seconds on a terminal). */
export async function runPublish(session: Session, client: DataverseClient): Promise<{ completedOn: string; joined: boolean }> {
  const { io, t, out } = session;
  const bar = progress(io, !out.json);
  const started = Date.now();
  let phase: PublishPhase = "starting";
  const draw = () => bar.update(`${t(PHASE_KEY[phase])} (${Math.round((Date.now() - started) / 1000)} s)`);
  const timer = io.stderr.isTTY && !out.json ? setInterval(draw, 1000) : undefined;
  try {
    const result = await publishAll(client, {
      pollIntervalMs: io.pollIntervalMs ?? 2000,
      onProgress: (p) => {
        phase = p;
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
