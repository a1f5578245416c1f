/** Exit codes and the CLI's own errors (a resx key, its parameters and technical details). */
import { isDataverseError } from "../core/dataverse/errors";
import { SetupActionError } from "../core/setup/actions";
import { describeError, detailsText, type Operation } from "../core/setup/messages";
import type { Translate } from "./strings";

/**
 * What a pipeline can branch on (README, "Exit codes"): 0 success, every check passed; 1 the setup is
 * wrong (a check failed) or the org refused the change; 2 usage or sign-in; 3 a check or the command
 * could not run (the org unreachable, 5xx, throttled beyond the retries, a read denied, --timeout).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, couldNotRun: 3, /** Ctrl-C (SIGINT): 128 + 2, as shells report it. */ interrupted: 130 } as const;
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

/** Kinds that mean "could not get an answer" rather than "the org said no". */
const COULD_NOT_RUN_KINDS = new Set(["network", "timeout", "aborted", "server", "throttled", "publishBusy"]);

/** The exit code of an error: a refused sign-in is 2, no answer (or no usable one) 3, a refusal 1. */
export function exitCodeOf(e: unknown): ExitCode {
  // A fix that stopped because a read of the setup failed (no answer, a read denied, a failed part of the
  // batch) could not finish, as verify's "Error" lines: 3; a refused sign-in stays 2.
  if (e instanceof SetupActionError && e.key === "stateUnknown") return isDataverseError(e.cause) && e.cause.kind === "sessionExpired" ? EXIT.usage : EXIT.couldNotRun;
  // The org's own refusals of a fix (no role copy in that unit, the sync user's role kept): the setup is the problem.
  if (e instanceof SetupActionError) return EXIT.failed;
  // Anything else (an answer that is not JSON, from a proxy's login page; a bug) is no verdict on the
  // setup: the command could not finish (README, exit codes), never "the setup is wrong".
  if (!isDataverseError(e)) return EXIT.couldNotRun;
  if (e.kind === "sessionExpired") return EXIT.usage;
  return COULD_NOT_RUN_KINDS.has(e.kind) ? EXIT.couldNotRun : EXIT.failed;
}

/**
 * For a read by an id the user gave (a job to follow): Dataverse's "not found" becomes a usage error
 * naming that id, since running the command again cannot help; anything else goes on as it was.
 */
export function unknownIdAs(key: string, params: Record<string, string>) {
  return (e: unknown): never => {
    throw isDataverseError(e) && e.kind === "notFound" ? new CliError(EXIT.usage, key, params, e.message) : e;
  };
}

/** A failure of one step of a command that makes several (setup: create the user, assign the role, save it…). */
export class StepFailure extends Error {
  constructor(
    readonly operation: Operation,
    readonly failure: unknown,
  ) {
    super(`${operation} failed`);
    this.name = "StepFailure";
  }
}

/** Runs one step; its Dataverse refusal is then explained as that step's (the privilege it needs), not the command's. */
export async function during<T>(operation: Operation, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw isDataverseError(e) ? new StepFailure(operation, e) : e;
  }
}

export function explain(e: unknown, operation: Operation, t: Translate): ExplainedError {
  if (e instanceof StepFailure) return explain(e.failure, e.operation, t);
  if (e instanceof CliError) {
    return { exitCode: e.exitCode, key: e.key, message: t(e.key, e.params), hint: e.hintKey ? t(e.hintKey, e.params) : undefined, details: e.details };
  }
  const d = describeError(e, operation);
  const exitCode = exitCodeOf(e);
  return { exitCode, key: d.key, message: t(d.key, d.params), hint: d.hintKey ? t(d.hintKey, d.params) : undefined, details: detailsText(d, t) };
}
