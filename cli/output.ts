/** Human output: the checklist table (coloured on a terminal), progress indicators, JSON. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkTitleKey } from "../core/setup/evaluate";
import { fixCommand } from "../core/setup/fixes";
import { REPORT_SCHEMA_VERSION } from "../core/setup/report";
import type { CheckItem, CheckStatus } from "../core/setup/types";
import type { Io } from "./io";
import type { Translate } from "./strings";

/**
 * A line's status as the CLI reports it. A line whose read failed (5xx, throttled, a read denied, a
 * failed part of the batch) is "error": it was not judged, and a pipeline must tell it from a line
 * that only waits for something (no Marketo User yet), which stays "unknown".
 */
export type CliStatus = CheckStatus | "error";
export const cliStatus = (i: Pick<CheckItem, "status" | "error">): CliStatus => (i.status === "unknown" && i.error ? "error" : i.status);

const COLOURS: Record<CliStatus, string> = { pass: "32", warn: "33", fail: "31", unknown: "33", info: "36", error: "35" };

export type OutputFormat = "json" | "table" | "text";

export interface Output {
  io: Io;
  t: Translate;
  json: boolean;
  /** table: the aligned checklist; text: the plain report the control's "Copy report" gives. */
  format: OutputFormat;
  colour: boolean;
}

export const TOOL_NAME = "marketo-dynamics";
/** From package.json, so --version and the JSON say the version that is installed. */
export const TOOL_VERSION: string = (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;

/** What every JSON document starts with: which shape, which tool, when. Same schema version as core's report. */
export const jsonHeader = (now: number = Date.now()) => ({ schemaVersion: REPORT_SCHEMA_VERSION, tool: { name: TOOL_NAME, version: TOOL_VERSION }, generatedAt: new Date(now).toISOString() });

export function useColour(io: Io): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}

export function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export interface RenderedCheck {
  id: string;
  status: CliStatus;
  title: string;
  message: string;
  detail?: string;
  fix?: string;
  error?: string;
}

export function renderChecks(items: CheckItem[], t: Translate): RenderedCheck[] {
  return items.map((i) => ({
    id: i.id,
    status: cliStatus(i),
    title: t(checkTitleKey(i)),
    message: t(i.messageKey, i.params),
    detail: i.detailKey && i.status !== "pass" ? t(i.detailKey, i.params) : undefined,
    // A line that could not be read suggests no fix: nothing says one is needed.
    fix: i.fix && i.status !== "pass" && cliStatus(i) !== "error" ? fixCommand(i.fix) : undefined,
    error: i.error ? `${t(`Error_${i.error.kind}`)} (${i.error.status ? `HTTP ${i.error.status}` : i.error.kind}${i.error.code ? ` ${i.error.code}` : ""})` : undefined,
  }));
}

/** One line per check: status label padded, message; detail, error and fix indented below. */
export function checklistText(checks: RenderedCheck[], t: Translate, colour: boolean): string {
  const labels = checks.map((c) => t(`Status_${c.status}`));
  const width = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [];
  checks.forEach((c, i) => {
    // The colon is spaced as the language wants it (French: "Solution Marketo : …").
    lines.push(`${paint(colour, COLOURS[c.status], labels[i].padEnd(width))}  ${t("Cli_CheckLine", { title: c.title, message: c.message })}`);
    const indent = " ".repeat(width + 2);
    if (c.detail) lines.push(`${indent}${paint(colour, "2", c.detail)}`);
    if (c.error) lines.push(`${indent}${c.error}`);
    if (c.fix) lines.push(`${indent}${paint(colour, "1", "→ " + c.fix)}`);
  });
  return lines.join("\n") + "\n";
}

/**
 * Marketo's step 3 values as aligned "label  value" lines (labels are resx keys), each with `indent`;
 * a missing value says "Not available yet", in yellow when `colour`.
 */
export function connectionRows(rows: Array<[string, string | null]>, t: Translate, options: { indent?: string; colour?: boolean } = {}): string {
  const labels = rows.map(([key]) => t(key));
  const width = Math.max(...labels.map((l) => l.length));
  const missing = paint(options.colour ?? false, "33", t("Connection_NotAvailable"));
  return rows.map(([, value], i) => `${options.indent ?? ""}${labels[i].padEnd(width)}  ${value ?? missing}\n`).join("");
}

export function writeJson(io: Io, value: object): void {
  io.out(JSON.stringify({ ...jsonHeader(io.clock?.now()), ...value }, null, 2) + "\n");
}

/**
 * A progress indicator on stderr: a redrawn bar on a terminal, otherwise one line per change of
 * at least 10 points (or of label), so logs of CI runs stay short.
 */
export function progress(io: Io, enabled: boolean) {
  const tty = Boolean(io.stderr.isTTY);
  let lastPercent = -100;
  let lastLabel = "";
  let drawn = false;
  return {
    update(label: string, percent?: number) {
      if (!enabled) return;
      const p = percent === undefined ? undefined : Math.max(0, Math.min(100, Math.round(percent)));
      if (tty) {
        const bar = p === undefined ? "" : `[${"#".repeat(Math.round(p / 5)).padEnd(20, ".")}] ${String(p).padStart(3)}% `;
        io.err(`\r\u001b[2K${bar}${label}`);
        drawn = true;
        return;
      }
      if (label === lastLabel && (p === undefined || p - lastPercent < 10) && p !== 100) return;
      if (label === lastLabel && p === lastPercent) return;
      lastLabel = label;
      if (p !== undefined) lastPercent = p;
      io.err(`${p === undefined ? "" : `${String(p).padStart(3)}% `}${label}\n`);
    },
    done() {
      if (enabled && tty && drawn) io.err("\n");
      drawn = false;
    },
  };
}
