/**
 * Benchmarks that need no browser: bundle size against a build with React and Fluent bundled,
 * round trips and bytes to a complete checklist, search latency by organisation size, pack time.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { DataverseClient } from "../core/dataverse/client";
import { loadSetupState, type LoadHints } from "../core/setup/load";
import { rolesByNamePath } from "../core/setup/queries";
import { searchUsers } from "../core/setup/search";
import type { SetupInput } from "../core/setup/types";
import { generateLargeOrg } from "../devserver/generate";
import { CONFIG, ROLE_NAME, SOLUTION, USER } from "../devserver/fixtures/ids";
import { startDevServer, type DevServerOptions } from "../devserver/server";
import { countingFetch, median, percentile, round, timeIt, type WireCount } from "./measure";
import { clientFor, type LoaderKind } from "./sequentialLoader";

export const LOADERS: LoaderKind[] = ["batched", "parallel", "sequential"];
export const LATENCIES = [0, 80, 200];

const root = join(__dirname, "..");
const CONTROL_OUT = join("out", "controls", "MarketoConfigControl", "bundle.js");

export const demoInput: SetupInput = {
  config: { entity: CONFIG.demo.entity, id: CONFIG.defaultRecord, attribute: CONFIG.demo.userAttribute },
  chosenUserId: USER.marketoSync,
  roleName: ROLE_NAME,
  solutionName: SOLUTION.friendlyName,
};

/**
 * What the control on a form hands the loader (MarketoConfigControl/services/loadHints.ts): the
 * table's entity set name and the signed-in user (the stand-in signs everyone in as its admin).
 * Every loader gets them, the baselines too; a CLI has none (the `withoutHints` figures).
 */
export const FORM_HINTS: LoadHints = { entitySets: { [CONFIG.demo.entity]: CONFIG.demo.entitySet }, callerId: USER.admin };

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "1" }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r;
}

function sizes(path: string) {
  const bytes = readFileSync(path);
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/** Ours (platform libraries) and the baseline: the same control with React and Fluent UI bundled in. */
export function benchBundle() {
  run(process.execPath, ["scripts/build.mjs"], root);
  const ours = sizes(join(root, CONTROL_OUT));
  const dir = mkdtempSync(join(tmpdir(), "mss-bench-"));
  try {
    const skip = new Set(["node_modules", "out", "dist", ".git", "docs", "bench"]);
    cpSync(root, dir, { recursive: true, filter: (src) => !skip.has(relative(root, src).split(/[\\/]/)[0]) });
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    const manifest = join(dir, "MarketoConfigControl", "ControlManifest.Input.xml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/\s*<platform-library[^>]*\/>/g, ""));
    run(join(root, "node_modules", ".bin", "pcf-scripts"), ["build", "--buildMode", "production"], dir);
    const baseline = sizes(join(dir, CONTROL_OUT));
    return { ours, baseline };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Requests, round trips, operations and bytes for one complete checklist, for our loader and both
 * baselines: on a client's first load (the control just opened on a form, with its hints) and on a
 * later one (a refresh); and a first load without hints (a CLI command).
 */
export async function benchRoundTrips() {
  const server = await startDevServer({ publishDurationMs: 0 });
  try {
    const measure = async (kind: LoaderKind) => {
      const counter = countingFetch();
      const client = clientFor(kind, { orgUrl: server.url, fetch: counter.fetch });
      await loadSetupState(client, demoInput, { hints: FORM_HINTS });
      const first: WireCount = { ...counter.count };
      counter.reset();
      await loadSetupState(client, demoInput, { hints: FORM_HINTS });
      return { kind, first, later: { ...counter.count } };
    };
    const [ours, parallel, sequential] = [await measure("batched"), await measure("parallel"), await measure("sequential")];
    const cli = countingFetch();
    await loadSetupState(clientFor("batched", { orgUrl: server.url, fetch: cli.fetch }), demoInput);
    return { ours, parallel, sequential, withoutHints: { ...cli.count } };
  } finally {
    await server.close();
  }
}

/** Load time in Node at a given latency, first load (fresh client each run) and later load. */
export async function benchLoadTime(latencyMs: number, runs = 20) {
  const server = await startDevServer({ latencyMs, publishDurationMs: 0 });
  try {
    const times = async (kind: LoaderKind) => {
      const first: number[] = [];
      const later: number[] = [];
      for (let i = 0; i < runs; i++) {
        const client = clientFor(kind, { orgUrl: server.url });
        first.push(await timeIt(() => loadSetupState(client, demoInput, { hints: FORM_HINTS })));
        later.push(await timeIt(() => loadSetupState(client, demoInput, { hints: FORM_HINTS })));
      }
      return { first: stat(first), later: stat(later) };
    };
    return { latencyMs, runs, ours: await times("batched"), parallel: await times("parallel"), sequential: await times("sequential") };
  } finally {
    await server.close();
  }
}

const stat = (t: number[]) => ({ medianMs: round(median(t)), p95Ms: round(percentile(t, 95)) });

/** Search latency on the demo org and on a generated org: cost must not grow beyond the server's own. */
export async function benchSearchLatency(runs = 20) {
  const measure = async (fixture: Parameters<typeof startDevServer>[0], label: string, users: number) => {
    const server = await startDevServer(fixture);
    try {
      const client = new DataverseClient({ orgUrl: server.url });
      const counter = countingFetch();
      const counted = new DataverseClient({ orgUrl: server.url, fetch: counter.fetch });
      const texts = ["Integ", "Marketo", "O'Brien", "100%", "a_b", "R&D", "Maria", "zzz"];
      const t: number[] = [];
      for (let i = 0; i < runs; i++) t.push(await timeIt(() => searchUsers(client, { text: texts[i % texts.length], roleName: ROLE_NAME, includeAllUsers: true })));
      await searchUsers(counted, { text: "Integ", roleName: ROLE_NAME, includeAllUsers: true });
      return { org: label, users, p50Ms: round(median(t)), p95Ms: round(percentile(t, 95)), requestsPerSearch: counter.count.requests, bytesPerSearch: counter.count.bytesReceived };
    } finally {
      await server.close();
    }
  };
  const demo = await measure({ publishDurationMs: 0 }, "demo", 32);
  const large = await measure({ fixture: generateLargeOrg({ users: 100_000, roles: 2_000 }), publishDurationMs: 0 }, "generated", 100_000);
  return [demo, large];
}

/**
 * A large organisation: `holders` generated users hold the role. Dataverse cuts an expanded
 * collection at 5,000 rows (join-tables.md), so the loader follows the holders' nextLink; this
 * counts the round trips that costs, against a loader that would stop at the cut.
 */
export async function benchRoleHolders(holders = 20_000, runs = 5) {
  // Every second generated user is in the role's business unit and holds it. The stand-in reads
  // latencyMs per request, so one server (one generated org) serves both latencies.
  const serverOptions: DevServerOptions = { fixture: generateLargeOrg({ users: holders * 2, roles: 0, roleHolders: holders * 2 }), publishDurationMs: 0, latencyMs: 0 };
  const server = await startDevServer(serverOptions);
  try {
    const counter = countingFetch();
    const state = await loadSetupState(new DataverseClient({ orgUrl: server.url, fetch: counter.fetch }), demoInput);
    if (!state.roles.ok) throw new Error("bench: the roles could not be read");
    const seen = state.roles.value.reduce((n, r) => n + r.holders.length, 0);
    // What the first batch alone gives: the holders a loader that ignores the nextLink would see.
    const [cut] = await new DataverseClient({ orgUrl: server.url }).batchGet([rolesByNamePath(ROLE_NAME)]);
    const cutRows = ((cut.data as { value?: Array<{ systemuserroles_association?: unknown[] }> })?.value ?? []).reduce((n, r) => n + (r.systemuserroles_association?.length ?? 0), 0);
    const times = async (latencyMs: number) => {
      serverOptions.latencyMs = latencyMs;
      const client = new DataverseClient({ orgUrl: server.url });
      const t: number[] = [];
      for (let i = 0; i < runs; i++) t.push(await timeIt(() => loadSetupState(client, demoInput)));
      return { latencyMs, runs, medianMs: round(median(t)), p95Ms: round(percentile(t, 95)) };
    };
    const loadTimes = [await times(0), await times(80)];
    return {
      holders,
      ours: { requests: counter.count.requests, extraRequests: state.roundTrips - 2, holdersSeen: seen, bytesReceived: counter.count.bytesReceived, loadTimes },
      baseline: { requests: 2, holdersSeen: cutRows },
    };
  } finally {
    await server.close();
  }
}

/**
 * Build and pack timed apart: a forced production build, then `npm run pack` with that build in
 * place (scripts/build.mjs reuses it: its inputs have not changed).
 */
export function benchPack() {
  const timed = (command: string, args: string[]) => {
    const start = performance.now();
    const r = run(command, args, root);
    return { seconds: round((performance.now() - start) / 1000, 2), stdout: r.stdout };
  };
  const buildSeconds = timed(process.execPath, ["scripts/build.mjs", "--force"]).seconds;
  // A trial pack: --same-version records no release (pack/releasedVersion.ts). When an input
  // changed after the build (someone editing the tree), the pack rebuilds: that time is not the
  // pack's, so it is measured again once the build is current, and the table says which it was.
  let pack = timed("npm", ["run", "pack", "--silent", "--", "--same-version"]);
  let reusedBuild = /Build up to date/.test(pack.stdout);
  if (!reusedBuild) {
    pack = timed("npm", ["run", "pack", "--silent", "--", "--same-version"]);
    reusedBuild = /Build up to date/.test(pack.stdout);
  }
  return { buildSeconds, packSeconds: pack.seconds, reusedBuild };
}
