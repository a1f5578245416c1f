/** `verify`: the checklist for the org; exit 1 when a line fails (or, with --strict, warns). */
import { attentionCount, overallStatus } from "../../core/setup";
import { EXIT, type ExitCode } from "../errors";
import { checklistText, paint, renderChecks, writeJson } from "../output";
import { loadSetup, type Session } from "../session";

export async function verify(session: Session, options: { strict?: boolean }): Promise<ExitCode> {
  const { t, out, io } = session;
  const { connection, config, items } = await loadSetup(session);
  const overall = overallStatus(items);
  const checks = renderChecks(items, t);
  const failed = overall === "fail" || (options.strict === true && overall === "warn");
  const exitCode = failed ? EXIT.failed : EXIT.ok;
  if (out.json) {
    writeJson(io, {
      orgUrl: connection.orgUrl,
      configTable: config.entity,
      userAttribute: config.attribute,
      record: { id: config.recordId, name: config.recordName },
      overall,
      exitCode,
      checks,
    });
    return exitCode;
  }
  io.out(paint(out.colour, "1", t("Cli_Verify_Header", { org: connection.orgUrl, table: config.displayName, record: config.recordName })) + "\n\n");
  io.out(checklistText(checks, t, out.colour));
  io.out("\n" + (overall === "pass" ? t("Summary_AllPass") : t("Summary_Attention", { count: attentionCount(items) })) + "\n");
  return exitCode;
}
