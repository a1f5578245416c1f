/** `enable-steps`: enables the Marketo solution's disabled plugin steps. */
import { enablePluginSteps } from "../../core/setup";
import { EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import { loadSetup, type Session } from "../session";

export async function enableSteps(session: Session): Promise<ExitCode> {
  const { io, t, out } = session;
  const { connection, state } = await loadSetup(session);
  const { enabled } = await enablePluginSteps(connection.client, state);
  if (out.json) writeJson(io, { enabled });
  else io.out((enabled.length ? t("Cli_StepsEnabled", { count: enabled.length, names: enabled.join(", ") }) : t("Cli_StepsAllEnabled")) + "\n");
  return EXIT.ok;
}
