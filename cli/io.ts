/**
 * Where the CLI reads and writes. Every line written goes through `scrub`, which hides the client
 * secret (and its URL-encoded form) whatever produced the text: a defence in depth on top of never
 * printing it on purpose.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { FetchLike } from "../core/dataverse/client";

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
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

export function createIo(base: IoBase): Io {
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
    out: (text) => base.stdout.write(scrub(text)),
    err: (text) => base.stderr.write(scrub(text)),
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
