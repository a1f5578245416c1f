/**
 * `--junit FILE`: the run as a JUnit XML report, the format CI systems (GitHub Actions test
 * reporters, Azure Pipelines' PublishTestResults, GitLab, Jenkins) show test by test: one
 * `<testsuite>` per environment, one `<testcase>` per check; a failed check is a `<failure>`, one that
 * could not run an `<error>`, one not judged (waits for something) `<skipped>`. A command other
 * than verify, or an environment that could not be checked at all, is one test case for the command.
 * Written to a temporary file beside the target, then renamed: a reader never sees half a report.
 */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { EnvironmentResult } from "./environments";
import { CliError, EXIT } from "./errors";
import type { Output } from "./output";
import { TOOL_NAME } from "./output";

/** Text and attribute values: the five XML escapes, and characters XML 1.0 does not allow dropped. */
export function xmlEscape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");

interface CheckLine {
  id: string;
  status: string;
  title?: string;
  message?: string;
}

/** verify's lines, as its JSON gives them (status "error": could not run). */
export const checksOf = (r: EnvironmentResult): CheckLine[] => (Array.isArray(r.result?.checks) ? (r.result.checks as CheckLine[]) : []);

interface Case {
  name: string;
  outcome: "pass" | "failure" | "error" | "skipped";
  message?: string;
  /** The failure's or error's body: the message, then the hint and technical details. */
  body?: string;
  text?: string;
}

function casesOf(r: EnvironmentResult, command: string): Case[] {
  const checks = checksOf(r);
  if (checks.length > 0) {
    return checks.map((c) => {
      const message = `${c.title ?? c.id}: ${c.message ?? ""}`;
      const name = `${c.id} ${c.title ?? ""}`.trim();
      if (c.status === "fail") return { name, outcome: "failure", message };
      if (c.status === "error") return { name, outcome: "error", message };
      if (c.status === "unknown") return { name, outcome: "skipped", message };
      return { name, outcome: "pass", text: c.status === "warn" ? message : undefined };
    });
  }
  if (r.exitCode === EXIT.ok) return [{ name: command, outcome: "pass" }];
  const body = r.error ? [r.error.message, r.error.hint, r.error.details].filter(Boolean).join("\n") : undefined;
  // 1: the org said no (a failure); 2 and 3: the command did not get to judge (an error).
  return [{ name: command, outcome: r.exitCode === EXIT.failed ? "failure" : "error", message: r.error?.message ?? `exit code ${r.exitCode}`, body }];
}

export function junitXml(command: string, results: EnvironmentResult[], now: number): string {
  const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, "");
  const suites = results.map((r) => {
    const cases = casesOf(r, command);
    const count = (o: Case["outcome"]) => cases.filter((c) => c.outcome === o).length;
    const body = cases.map((c) => {
      const open = `    <testcase${attrs({ classname: `${TOOL_NAME}.${command}.${r.environment.name}`, name: c.name, time: 0 })}`;
      const system = c.text ? `\n      <system-out>${xmlEscape(c.text)}</system-out>` : "";
      if (c.outcome === "pass") return system ? `${open}>${system}\n    </testcase>` : `${open}/>`;
      const tag = c.outcome === "skipped" ? "skipped" : c.outcome;
      const inner =
        c.outcome === "skipped" ? `<skipped${attrs({ message: c.message ?? "" })}/>` : `<${tag}${attrs({ message: c.message ?? "", type: tag })}>${xmlEscape(c.body ?? c.message ?? "")}</${tag}>`;
      return `${open}>\n      ${inner}\n    </testcase>`;
    });
    const a = attrs({ name: r.environment.name, tests: cases.length, failures: count("failure"), errors: count("error"), skipped: count("skipped"), timestamp: stamp, hostname: r.environment.url });
    const props = `    <properties>\n      <property${attrs({ name: "url", value: r.environment.url })}/>\n      <property${attrs({ name: "exitCode", value: r.exitCode })}/>\n    </properties>`;
    return `  <testsuite${a}>\n${props}\n${body.join("\n")}\n  </testsuite>`;
  });
  const all = results.map((r) => casesOf(r, command));
  const total = (o?: Case["outcome"]) => all.flat().filter((c) => o === undefined || c.outcome === o).length;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: `${TOOL_NAME} ${command}`, tests: total(), failures: total("failure"), errors: total("error"), skipped: total("skipped") })}>\n` +
    suites.join("\n") +
    `\n</testsuites>\n`
  );
}

export async function writeJunit(path: string, command: string, results: EnvironmentResult[], out: Output, now: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, out.io.scrub(junitXml(command, results, now)), { encoding: "utf8", flag: "wx" });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw new CliError(EXIT.couldNotRun, "Cli_JunitUnwritable", { path }, (e as Error).message);
  }
}
