/**
 * The CLI's fetch: every request (sign-in and Web API) is bound to the command's signal (--timeout,
 * an unreachable host), traced with --verbose, and a host that cannot be reached ends the command at
 * once with the reason, instead of the client's retries hiding it for half a minute.
 */
import type { FetchLike } from "../core/dataverse/client";
import type { Clock } from "./clock";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";
import type { DryRun } from "./dryRun";

export interface CommandRuntime {
  /** Aborted when the command must stop: --timeout reached, or a host is unreachable. */
  signal: AbortSignal;
  abort(reason: CliError): void;
  clock: Clock;
  verbose: boolean;
  /** --dry-run: the requests that would change something are listed here instead of sent. */
  dryRun?: DryRun;
  /** A system job this command started and waits for: what Ctrl-C says about following it. */
  following?: { key: string; params: Record<string, string> };
}

/** A pause (a retry's, a poll's) on the command's clock that ends at once when the command is stopped. */
export function sleepUntil(runtime: CommandRuntime) {
  return (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const signals = [runtime.signal, ...(signal ? [signal] : [])];
      const any = AbortSignal.any(signals);
      if (any.aborted) return reject(any.reason);
      const cancel = runtime.clock.after(ms, () => {
        any.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(any.reason);
      };
      any.addEventListener("abort", onAbort, { once: true });
    });
}

/** The system error code under a failed fetch (undici puts it on `cause`, sometimes one level down). */
export function networkCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Which failures say the host cannot be reached at all: retrying them only delays the answer.
 * ENOTFOUND / EAI_AGAIN: the name did not resolve; ECONNREFUSED: nothing listens on that port.
 */
export function unreachable(url: string, code: string | undefined): CliError | undefined {
  const host = new URL(url).host;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new CliError(EXIT.couldNotRun, "Cli_HostNotFound", { host }, `${code} ${host}`);
  if (code === "ECONNREFUSED") return new CliError(EXIT.couldNotRun, "Cli_ConnectionRefused", { host }, `${code} ${host}`);
  return undefined;
}

export function commandFetch(inner: FetchLike, io: Io, runtime: CommandRuntime): FetchLike {
  return async (url, init) => {
    const method = (init.method ?? "GET").toUpperCase();
    const started = runtime.clock.now();
    const signal = init.signal ? AbortSignal.any([init.signal, runtime.signal]) : runtime.signal;
    // Never the headers (Authorization) nor the body (the token request carries the secret).
    const trace = (result: string) => runtime.verbose && io.err(`${method} ${url} ${result} ${Math.round(runtime.clock.now() - started)} ms\n`);
    // --dry-run: a change to the org is listed and answered "done" here; nothing leaves the machine.
    const planned = runtime.dryRun?.intercept(method, url, init.body);
    if (planned) return planned;
    try {
      const response = await inner(url, { ...init, signal });
      trace(String(response.status));
      return response;
    } catch (e) {
      const code = networkCode(e);
      trace(code ?? (signal.aborted ? "aborted" : "failed"));
      const reason = unreachable(url, code);
      if (reason) runtime.abort(reason);
      throw e;
    }
  };
}
