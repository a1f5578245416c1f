/**
 * `verify`: the checklist for the org. Exit 0 all passed, 1 a check failed (or, with --strict, warns),
 * 3 a check could not run (its read failed): a pipeline tells "the setup is wrong" from "not checked".
 */
import { attentionCount, overallStatus } from "../../core/setup";
import { buildReport } from "../../core/setup/report";
import type { CheckItem } from "../../core/setup/types";
import { EXIT, type ExitCode } from "../errors";
import { checklistText, cliStatus, paint, renderChecks, writeJson } from "../output";
import { loadSetup, type Session } from "../session";

export function verifyExitCode(items: CheckItem[], strict: boolean): ExitCode {
  const overall = overallStatus(items);
  // A known failure wins: the setup is wrong whatever the lines that could not be read say.
  if (overall === "fail") return EXIT.failed;
  if (items.some((i) => cliStatus(i) === "error")) return EXIT.couldNotRun;
  return strict && overall === "warn" ? EXIT.failed : EXIT.ok;
}

export async function verify(session: Session, options: { strict?: boolean }): Promise<ExitCode> {
  const { t, out, io, runtime } = session;
  const { connection, config, items, state } = await loadSetup(session);
  const overall = overallStatus(items);
  const checks = renderChecks(items, t);
  const exitCode = verifyExitCode(items, options.strict === true);
  // The same report the control's "Copy report" gives (core/setup/report.ts), one shape for both.
  const report = buildReport(state, items, t, { checkedAt: new Date(runtime.clock.now()).toISOString(), clientUrl: connection.orgUrl });
  if (out.format === "json") {
    writeJson(io, {
      ...report.data,
      orgUrl: connection.orgUrl,
      configTable: config.entity,
      userAttribute: config.attribute,
      record: { id: config.recordId, name: config.recordName },
      exitCode,
      checks: report.data.checks.map((c, i) => {
        const item = items[i];
        return {
          ...c,
          status: checks[i].status,
          detail: checks[i].detail,
          // The command to run; `fixId` is the fix's stable id.
          fix: checks[i].fix,
          fixId: item.fix,
          error: item.error ? { kind: item.error.kind, status: item.error.status, code: item.error.code ?? null, message: item.error.message } : undefined,
        };
      }),
    });
    return exitCode;
  }
  if (out.format === "text") {
    io.out(report.text + "\n");
    return exitCode;
  }
  io.out(paint(out.colour, "1", t("Cli_Verify_Header", { org: connection.orgUrl, table: config.displayName, record: config.recordName })) + "\n\n");
  io.out(checklistText(checks, t, out.colour));
  io.out("\n" + (overall === "pass" ? t("Summary_AllPass") : t("Summary_Attention", { count: attentionCount(items) })) + "\n");
  if (exitCode === EXIT.couldNotRun) io.out(t("Cli_Verify_CouldNotCheck", { count: checks.filter((c) => c.status === "error").length }) + "\n");
  return exitCode;
}
