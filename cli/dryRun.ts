/**
 * `--dry-run`: every read is made, so the plan is the one a real run would follow; every request
 * that would change the org is listed instead of sent (method, URL, a short summary of its body).
 * Reads that travel as a POST (`$batch` of GETs, core's batchGet) and the sign-in are sent as usual.
 */
import { EXIT, type ExitCode } from "./errors";
import { writeJson } from "./output";
import type { Session } from "./session";
import type { Translate } from "./strings";

export interface PlannedRequest {
  method: string;
  url: string;
  summary: string;
}

const LONG = 60;

/** The body's fields, each value short: a long one (a zip in base64, form XML) gives only its size. */
export function summariseBody(body: unknown): string {
  if (typeof body !== "string" || body === "") return "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `<${body.length} chars>`;
  }
  if (!parsed || typeof parsed !== "object") return "";
  return Object.entries(parsed as Record<string, unknown>)
    .map(([k, v]) => {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      return `${k}=${text.length > LONG ? `<${text.length} chars>` : text}`;
    })
    .join(", ");
}

export class DryRun {
  readonly requests: PlannedRequest[] = [];

  add(method: string, url: string, summary = ""): void {
    this.requests.push({ method, url, summary });
  }

  /**
   * A change to the org is listed and answered 204 (done, nothing to return); anything else is sent.
   * A `$batch` of reads is sent; one with changes (core's `batch`, e.g. the role given to everyone)
   * has each change listed and each part answered 204.
   */
  intercept(method: string, url: string, body: unknown): Response | undefined {
    if (method === "GET" || !url.includes("/api/data/")) return undefined;
    if (/\/\$batch(\?|$)/.test(url)) return this.interceptBatch(typeof body === "string" ? body : "");
    this.add(method, url, summariseBody(body));
    return new Response(null, { status: 204 });
  }

  private interceptBatch(body: string): Response | undefined {
    const lines = [...body.matchAll(/^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1\r?$/gm)];
    if (lines.every((m) => m[1] === "GET")) return undefined;
    const boundary = "batchresponse_dryrun";
    let text = "";
    for (const [, method, partUrl] of lines) {
      this.add(method, partUrl);
      text += `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n`;
    }
    text += `--${boundary}--\r\n`;
    return new Response(text, { status: 200, headers: { "Content-Type": `multipart/mixed; boundary=${boundary}` } });
  }

  /** The plan as text: a header, then one indented line per request. */
  text(t: Translate): string {
    if (this.requests.length === 0) return t("Cli_DryRunNothing") + "\n";
    const lines = this.requests.map((r) => `  ${r.method} ${r.url}${r.summary ? `  (${r.summary})` : ""}`);
    return [t("Cli_DryRunHeader", { count: this.requests.length }), ...lines].join("\n") + "\n";
  }
}

/** Ends a dry run: the plan on stdout (text, or JSON with `dryRun: true` and what else the command knows). */
export function reportDryRun(session: Session, extra: object = {}): ExitCode {
  const plan = session.runtime.dryRun;
  if (!plan) return EXIT.ok;
  if (session.out.json) writeJson(session.io, { dryRun: true, ...extra, requests: plan.requests });
  else session.io.out(plan.text(session.t));
  return EXIT.ok;
}
