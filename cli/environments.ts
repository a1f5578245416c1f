/**
 * One command over many environments: `--url a --url b` (or `--url a,b`), or `--environments FILE`
 * (YAML or JSON) naming each environment with its own tenant, client ID and credential. Each
 * environment is one run of the same command, in JSON, with its own output captured; at most
 * `--parallel` run at once. Then one summary (table or JSON) and, with `--junit`, one JUnit report.
 *
 * Secrets are never in the file: an environment names the variable that holds its secret
 * (`secretEnv`), or a certificate or federated token file.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { PassThrough } from "node:stream";
import { parse as parseYaml } from "yaml";
import { SECRET_ENV } from "./connection";
import { CliError, EXIT, type ExitCode } from "./errors";
import { checkOneCredential } from "./signIn";
import type { Io, IoBase, Stream } from "./io";
import { checksOf, writeJunit } from "./junit";
import { jsonHeader, paint, type Output } from "./output";
import type { GlobalOptions } from "./session";

export interface Environment {
  name: string;
  url: string;
  tenant?: string;
  clientId?: string;
  authority?: string;
  /** The environment variable holding this environment's client secret. */
  secretEnv?: string;
  certificate?: string;
  federatedTokenFile?: string;
}

export interface MultiOptions {
  environments?: string;
  parallel?: string;
  junit?: string;
}

/** What each environment's run gets instead of the command line's connection options. */
export type RunOverrides = Partial<GlobalOptions> & MultiOptions;

export type RunCommand = (base: IoBase, overrides: RunOverrides) => Promise<number>;

export interface EnvironmentResult {
  environment: Environment;
  exitCode: ExitCode;
  /** The command's JSON document (verify: the report with `checks`), without its header. */
  result?: Record<string, unknown>;
  /** The error document's `error` when the run ended with an error. */
  error?: { key: string; message: string; hint: string | null; details: string | null };
}

export const DEFAULT_PARALLEL = 4;
const FIELDS = new Set(["name", "url", "tenant", "clientId", "authority", "secretEnv", "certificate", "federatedTokenFile"]);
/** Keys that would put a secret in the file: refused, the file is meant to be committed. */
const SECRET_FIELDS = /secret$|password|privateKey|^token$/i;

/** `--url a,b` and `--url a --url b` (main.ts joins repeated --url with commas). */
export const urlList = (url: string | undefined) =>
  (url ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);

export function isMultiRun(opts: GlobalOptions & MultiOptions): boolean {
  return Boolean(opts.environments || opts.junit || urlList(opts.url).length > 1);
}

export function parallelism(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 64)) throw new CliError(EXIT.usage, "Cli_BadParallel", { value });
  return n;
}

const hostOf = (url: string) => {
  try {
    return new URL(/^https?:\/\//i.test(url) ? url : `https://${url}`).host;
  } catch {
    return url;
  }
};

function fromEntry(entry: unknown, defaults: Record<string, unknown>, index: number, path: string): Environment {
  if (typeof entry === "string") entry = { url: entry };
  // Numbered from 1, as a person counts the entries of the file.
  const at = { path, entry: index + 1 };
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) throw new CliError(EXIT.usage, "Cli_Environments_BadEntry", at);
  const merged: Record<string, unknown> = { ...defaults, ...(entry as Record<string, unknown>) };
  for (const [key, value] of Object.entries(merged)) {
    if (SECRET_FIELDS.test(key)) throw new CliError(EXIT.usage, "Cli_Environments_SecretInFile", { path, key });
    if (!FIELDS.has(key)) throw new CliError(EXIT.usage, "Cli_Environments_UnknownField", { ...at, field: key, known: [...FIELDS].join(", ") });
    if (typeof value !== "string" || !value.trim()) throw new CliError(EXIT.usage, "Cli_Environments_EmptyField", { ...at, field: key });
  }
  const url = merged.url as string | undefined;
  if (!url) throw new CliError(EXIT.usage, "Cli_Environments_NoUrl", at);
  return { ...(merged as Omit<Environment, "name" | "url">), name: (merged.name as string | undefined) ?? hostOf(url), url };
}

/**
 * The file: `{ environments: [...] }` (plus optional defaults for every entry: tenant, clientId,
 * authority, secretEnv, certificate, federatedTokenFile) or a bare list. `.json` is read as JSON,
 * anything else as YAML (JSON is YAML too).
 */
export async function readEnvironmentsFile(path: string): Promise<Environment[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(EXIT.usage, "Cli_Environments_Unreadable", { path }, (e as Error).message);
  }
  let doc: unknown;
  try {
    doc = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    // The parser's own words (English) go in the technical details, not in the sentence.
    throw new CliError(EXIT.usage, "Cli_Environments_Invalid", { path }, (e as Error).message.split("\n")[0]);
  }
  const { environments, ...defaults } = (Array.isArray(doc) ? { environments: doc } : (doc ?? {})) as { environments?: unknown };
  if (!Array.isArray(environments) || environments.length === 0) throw new CliError(EXIT.usage, "Cli_Environments_NoList", { path });
  return environments.map((e, i) => fromEntry(e, defaults, i, path));
}

/** The environments of this run; the command line's options are the defaults of every entry. */
export async function environmentsOf(opts: GlobalOptions & MultiOptions): Promise<Environment[]> {
  const fromLine = { tenant: opts.tenant, clientId: opts.clientId, authority: opts.authority, certificate: opts.certificate, federatedTokenFile: opts.federatedTokenFile };
  const list: Environment[] = opts.environments ? await readEnvironmentsFile(opts.environments) : urlList(opts.url).map((url) => ({ name: hostOf(url), url }));
  if (list.length === 0) throw new CliError(EXIT.usage, "Cli_MissingOption", { option: "--url" });
  const envs = list.map((e) => {
    const merged: Environment = { ...e };
    for (const [k, v] of Object.entries(fromLine)) if (v !== undefined && (merged as unknown as Record<string, unknown>)[k] === undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    // One credential per environment: the entry's own wins over the command line's.
    if (e.certificate || e.federatedTokenFile || e.secretEnv) {
      if (!e.certificate) delete merged.certificate;
      if (!e.federatedTokenFile) delete merged.federatedTokenFile;
    }
    return merged;
  });
  const seen = new Set<string>();
  for (const e of envs) {
    if (seen.has(e.name)) throw new CliError(EXIT.usage, "Cli_Environments_DuplicateName", { name: e.name });
    seen.add(e.name);
  }
  return envs;
}

/**
 * Which exit code wins over the others (README, "Use in CI"): 2 (usage or sign-in: the pipeline
 * itself needs fixing) over 1 (a setup is wrong) over 3 (could not check) over 0, the same order as
 * within one environment, where a failed check wins over one that could not run.
 */
const SEVERITY: Record<number, number> = { 0: 0, 3: 1, 1: 2, 2: 3 };
export const worstExitCode = (codes: number[]): ExitCode => codes.reduce((w, c) => ((SEVERITY[c] ?? 2) > (SEVERITY[w] ?? 2) ? c : w), EXIT.ok as number) as ExitCode;

/** Collects what one environment's run writes: each write is one piece (a JSON document is one write). */
class Capture implements Stream {
  readonly pieces: string[] = [];
  constructor(private readonly forward?: (text: string) => void) {}
  write(text: string) {
    this.pieces.push(text);
    this.forward?.(text);
    return true;
  }
}

const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

async function runOne(env: Environment, io: Io, baseEnv: NodeJS.ProcessEnv, runCommand: RunCommand): Promise<EnvironmentResult> {
  const childEnv: NodeJS.ProcessEnv = { ...baseEnv };
  if (env.secretEnv || env.certificate || env.federatedTokenFile) delete childEnv[SECRET_ENV];
  if (env.secretEnv) {
    const secret = baseEnv[env.secretEnv];
    if (!secret) return { environment: env, exitCode: EXIT.usage, error: { key: "Cli_Environments_SecretEnvMissing", message: "", hint: null, details: null } };
    childEnv[SECRET_ENV] = secret;
    io.addSecret(secret);
  }
  const stdout = new Capture();
  // Progress and --verbose lines go on as they come, each marked with its environment.
  const stderr = new Capture((text) => {
    if (!text.trimStart().startsWith("{")) io.err(text.replace(/^(?=.)/gm, `[${env.name}] `));
  });
  const stdin = new PassThrough();
  stdin.end();
  const code = (await runCommand(
    { stdout, stderr, stdin, env: childEnv, fetch: io.fetch, retryDelayMs: io.retryDelayMs, pollIntervalMs: io.pollIntervalMs, maxWaitMs: io.maxWaitMs, clock: io.clock, interrupt: io.interrupt },
    {
      url: env.url,
      tenant: env.tenant,
      clientId: env.clientId,
      authority: env.authority,
      certificate: env.certificate,
      federatedTokenFile: env.federatedTokenFile,
      clientSecretStdin: false,
      output: "json",
      json: true,
      environments: undefined,
      junit: undefined,
    },
  )) as ExitCode;
  const doc = parseJson(stdout.pieces.join(""));
  const errorDoc = stderr.pieces.map(parseJson).find((d) => d?.error);
  const result = doc ? Object.fromEntries(Object.entries(doc).filter(([k]) => !["schemaVersion", "tool", "generatedAt"].includes(k))) : undefined;
  return { environment: env, exitCode: code, result, error: errorDoc?.error as EnvironmentResult["error"] };
}

/** Runs `tasks` with at most `limit` at once; results in the tasks' order. */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function summaryTable(results: EnvironmentResult[], out: Output): string {
  const { t } = out;
  const rows = results.map((r) => {
    const attention = checksOf(r).filter((c) => c.status === "fail" || c.status === "error").length;
    const outcome = t(`Cli_Envs_Result_${r.exitCode}`) + (attention > 0 ? ` (${t("Cli_Envs_Attention", { count: attention })})` : "");
    return [r.environment.name, r.environment.url, outcome, String(r.exitCode)];
  });
  const head = [t("Cli_Envs_ColName"), t("Cli_Envs_ColUrl"), t("Cli_Envs_ColResult"), t("Cli_Envs_ColExit")];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  const lines = [paint(out.colour, "1", line(head)), ...rows.map(line)];
  // Below the table, what each environment that did not pass has to say: its error, or its lines that failed or could not run.
  for (const r of results) {
    if (r.exitCode === EXIT.ok) continue;
    const lines2: string[] = [];
    if (r.error) lines2.push(`  ${r.error.message}`, ...(r.error.hint ? [`  ${r.error.hint}`] : []));
    for (const c of checksOf(r).filter((c) => c.status === "fail" || c.status === "error")) lines2.push(`  ${t(`Status_${c.status}`)}  ${c.title ?? c.id}: ${c.message ?? ""}`);
    if (lines2.length > 0) lines.push("", paint(out.colour, "1", `${r.environment.name} (${r.environment.url})`), ...lines2);
  }
  return lines.join("\n") + "\n";
}

/** Reads the secret from stdin once for every environment that takes it from there. */
async function stdinSecret(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

export async function runEnvironments(opts: GlobalOptions & MultiOptions, out: Output, command: string, runCommand: RunCommand): Promise<ExitCode> {
  const { io, t } = out;
  const limit = parallelism(opts.parallel);
  // The same rule as one environment's run: a secret in the environment beside a certificate or token is a usage error.
  checkOneCredential(opts, io.env, SECRET_ENV);
  const envs = await environmentsOf(opts);
  // Every environment's secret is hidden from the start, whichever environment's line would echo it.
  for (const env of envs) if (env.secretEnv && io.env[env.secretEnv]) io.addSecret(io.env[env.secretEnv]!);
  const baseEnv: NodeJS.ProcessEnv = { ...io.env };
  if (opts.clientSecretStdin) {
    const secret = await stdinSecret(io);
    if (!secret) throw new CliError(EXIT.usage, "Cli_NoSecret", { env: SECRET_ENV });
    io.addSecret(secret);
    baseEnv[SECRET_ENV] = secret;
  }
  const results = await pool(
    envs.map((env) => () => runOne(env, io, baseEnv, runCommand)),
    limit,
  );
  for (const r of results) {
    if (r.error?.key === "Cli_Environments_SecretEnvMissing") r.error.message = t("Cli_Environments_SecretEnvMissing", { name: r.environment.name, env: r.environment.secretEnv ?? "" });
  }
  const exitCode = worstExitCode(results.map((r) => r.exitCode));
  if (opts.junit) await writeJunit(opts.junit, command, results, out, io.clock?.now() ?? Date.now());
  if (out.format === "json") {
    io.out(
      JSON.stringify(
        {
          ...jsonHeader(io.clock?.now()),
          command,
          exitCode,
          environments: results.map((r) => ({
            name: r.environment.name,
            url: r.environment.url,
            tenant: r.environment.tenant ?? null,
            clientId: r.environment.clientId ?? null,
            signIn: r.environment.certificate ? "certificate" : r.environment.federatedTokenFile ? "federated" : "secret",
            exitCode: r.exitCode,
            result: r.result ?? null,
            error: r.error ?? null,
          })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.out(summaryTable(results, out));
    const count = (c: number) => results.filter((r) => r.exitCode === c).length;
    io.out("\n" + t("Cli_Envs_Summary", { count: results.length, ok: count(0), failed: count(1), usage: count(2), couldNotRun: count(3), code: exitCode }) + "\n");
  }
  return exitCode;
}
