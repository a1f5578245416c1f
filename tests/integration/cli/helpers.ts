/** Runs the CLI in-process (or as a real process) against a devserver in token mode. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import type { FetchLike } from "../../../core/dataverse/client";
import type { Clock } from "../../../cli/clock";
import { run } from "../../../cli/main";
import type { DevServer } from "../../../devserver/server";
import { APP, ORG, SECRET } from "../../../devserver/fixtures/ids";

export const REPO = join(__dirname, "..", "..", "..");

export function connectionArgs(server: DevServer, clientId: string = APP.marketoSync): string[] {
  return ["--url", server.url, "--tenant", ORG.tenantId, "--client-id", clientId, "--authority", `${server.url}/${ORG.tenantId}`];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Every URL the CLI fetched (token endpoint and Web API). */
  urls: string[];
}

class Capture {
  text = "";
  constructor(readonly isTTY = false) {}
  write(s: string) {
    this.text += s;
    return true;
  }
}

export interface RunOptions {
  secret?: string | null;
  env?: Record<string, string>;
  stdin?: string;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  /** Called before each fetch; may throw or change nothing. */
  onFetch?: (url: string) => void;
  /** How long an import is followed before giving up. */
  maxWaitMs?: number;
  /** The clock of deadlines, heartbeats and timings (manualClock.ts). */
  clock?: Clock;
  /** The fetch behind the recording one (default the global fetch). */
  fetch?: FetchLike;
  /** Ctrl-C: aborting it is what SIGINT does to the real command. */
  interrupt?: AbortSignal;
}

export async function cli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const stdout = new Capture(options.stdoutIsTTY);
  const stderr = new Capture();
  const urls: string[] = [];
  const fetchImpl: FetchLike = (url, init) => {
    urls.push(url);
    options.onFetch?.(url);
    return (options.fetch ?? fetch)(url, init);
  };
  const stdin = (options.stdin !== undefined ? Readable.from([options.stdin]) : new PassThrough()) as Readable & { isTTY?: boolean };
  if (options.stdin === undefined) (stdin as PassThrough).end();
  stdin.isTTY = options.stdinIsTTY;
  const secret = options.secret === undefined ? SECRET.marketoSync : options.secret;
  const env: NodeJS.ProcessEnv = { ...(secret === null ? {} : { MARKETO_DYNAMICS_CLIENT_SECRET: secret }), ...options.env };
  const code = await run(args, { stdout, stderr, stdin, env, fetch: fetchImpl, retryDelayMs: 5, pollIntervalMs: 40, maxWaitMs: options.maxWaitMs, clock: options.clock, interrupt: options.interrupt });
  return { code, stdout: stdout.text, stderr: stderr.text, urls };
}

/** The real command, as a user runs it: `npx --no-install marketo-dynamics …` in the repository. */
export function spawnCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["--no-install", "marketo-dynamics", ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

export const tokenRequests = (r: CliResult) => r.urls.filter((u) => /\/oauth2\/v2\.0\/token(\?|$)/.test(u)).length;
export const apiRequests = (r: CliResult) => r.urls.filter((u) => u.includes("/api/data/")).length;
