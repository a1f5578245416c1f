/**
 * Where the CLI reads and writes. Every line written goes through `scrub`, which hides the client
 * secret (and its URL-encoded form) whatever produced the text: a defence in depth on top of never
 * printing it on purpose.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { FetchLike } from "../core/dataverse/client";
import type { Clock } from "./clock";

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** A real stream: its "error" events are listened to (a reader that went away). */
  on?(event: "error", listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export interface IoBase {
  stdout: Stream;
  stderr: Stream;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Tests: the fetch to use (default global fetch). */
  fetch?: FetchLike;
  /** Tests: base delay of retries without Retry-After, and publish/import polling interval. */
  retryDelayMs?: number;
  pollIntervalMs?: number;
  /** Tests: how long an import is followed before the CLI gives up waiting (default an hour). */
  maxWaitMs?: number;
  /** Ctrl-C: aborted on SIGINT by the entry point (tests abort it themselves). */
  interrupt?: AbortSignal;
  /** Tests: the clock of deadlines, heartbeats and timings (default the system's). */
  clock?: Clock;
}

export interface Io extends IoBase {
  addSecret(secret: string): void;
  scrub(text: string): string;
  out(text: string): void;
  err(text: string): void;
  /** Asks a question on a terminal; resolves with the answer line. */
  prompt(question: string): Promise<string>;
  interactive: boolean;
}

export const HIDDEN = "[secret hidden]";

/**
 * `verify | head -1`, `| grep -q`: the reader closes the pipe and the next write fails with EPIPE,
 * an "error" event that would end the process with a stack trace. The stream is marked closed
 * instead: what is left to write is dropped and the command ends with its own exit code.
 */
function guardClosedPipe(stream: Stream): () => boolean {
  let closed = false;
  stream.on?.("error", (error) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") closed = true;
    else throw error;
  });
  return () => closed;
}

export function createIo(base: IoBase): Io {
  const stdoutClosed = guardClosedPipe(base.stdout);
  const stderrClosed = guardClosedPipe(base.stderr);
  const secrets: string[] = [];
  const scrub = (text: string) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join(HIDDEN);
    return out;
  };
  return {
    ...base,
    addSecret(secret) {
      for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) if (form.length > 0 && !secrets.includes(form)) secrets.push(form);
      secrets.sort((a, b) => b.length - a.length);
    },
    scrub,
    out: (text) => void (stdoutClosed() || base.stdout.write(scrub(text))),
    err: (text) => void (stderrClosed() || base.stderr.write(scrub(text))),
    interactive: Boolean(base.stdin.isTTY),
    prompt(question) {
      base.stderr.write(scrub(question));
      return new Promise((resolve) => {
        const rl = createInterface({ input: base.stdin, terminal: false });
        let answered = false;
        rl.once("line", (line) => {
          answered = true;
          rl.close();
          resolve(line);
        });
        rl.once("close", () => {
          if (!answered) resolve("");
        });
      });
    },
  };
}
