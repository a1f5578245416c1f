/** Exit codes and the CLI's own errors (a resx key, its parameters and technical details). */
import { isDataverseError } from "../core/dataverse/errors";
import { describeError, type Operation } from "../core/setup/messages";
import type { Translate } from "./strings";

/** 0 success / all checks pass; 1 checks failed or the operation was refused; 2 usage, sign-in or connection error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    readonly details?: string,
    readonly hintKey?: string,
  ) {
    super(key);
    this.name = "CliError";
  }
}

export interface ExplainedError {
  exitCode: ExitCode;
  key: string;
  message: string;
  hint?: string;
  details?: string;
}

/** Kinds that mean "could not talk to the org" rather than "the org said no". */
const CONNECTION_KINDS = new Set(["network", "timeout", "sessionExpired", "aborted"]);

export function explain(e: unknown, operation: Operation, t: Translate): ExplainedError {
  if (e instanceof CliError) {
    return { exitCode: e.exitCode, key: e.key, message: t(e.key, e.params), hint: e.hintKey ? t(e.hintKey, e.params) : undefined, details: e.details };
  }
  const d = describeError(e, operation);
  const exitCode = isDataverseError(e) && CONNECTION_KINDS.has(e.kind) ? EXIT.usage : EXIT.failed;
  return { exitCode, key: d.key, message: t(d.key, d.params), hint: d.hintKey ? t(d.hintKey, d.params) : undefined, details: d.details };
}
