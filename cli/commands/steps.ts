/**
 * `enable-steps`: enables the Marketo solution's disabled plugin steps. Steps that are managed and
 * not customizable are left alone (Dataverse refuses them) and named, with what to do instead;
 * the exit code is then 1, since Marketo's sync still lacks them.
 */
import { enablePluginSteps } from "../../core/setup";
import { EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import { loadSetup, type Session } from "../session";
import { reportDryRun } from "../dryRun";

export async function enableSteps(session: Session): Promise<ExitCode> {
  const { io, t, out } = session;
  const { connection, state } = await loadSetup(session);
  const { enabled, skipped } = await enablePluginSteps(connection.client, state);
  if (session.runtime.dryRun) return reportDryRun(session, { enabled, skipped });
  if (out.json) writeJson(io, { enabled, skipped });
  else {
    if (enabled.length) io.out(t("Cli_StepsEnabled", { count: enabled.length, names: enabled.join(", ") }) + "\n");
    else if (!skipped.length) io.out(t("Cli_StepsAllEnabled") + "\n");
    if (skipped.length) io.err(t(skipped.length === 1 ? "Cli_StepsLockedOne" : "Cli_StepsLockedMany", { locked: skipped.join(", ") }) + "\n");
  }
  return skipped.length ? EXIT.failed : EXIT.ok;
}
