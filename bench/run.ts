/**
 * `npm run bench`: every figure beside its baseline, printed as a table and saved with the
 * machine and the date to bench/results.json.
 *
 * `npm run bench -- --only role-holders` (any of the case names below, comma-separated) runs only
 * those cases and keeps the other figures of the last results.json, so one case can be measured
 * again without the builds and the browser. `--quick` takes 5 runs per figure instead of 20.
 * The run ends by drawing docs/bench-latency.svg from the results (bench/chart.ts).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchBrowser } from "./browser";
import { CHART_FILE, writeLatencyChart } from "./chart";
import type { WireCount } from "./measure";
import { benchBundle, benchLoadTime, benchPack, benchRoleHolders, benchRoundTrips, benchSearchLatency, LATENCIES } from "./node";

type Row = [string, string, string];
type Results = Record<string, unknown> & {
  bundle?: ReturnType<typeof benchBundle>;
  roundTrips?: Awaited<ReturnType<typeof benchRoundTrips>>;
  nodeLoadTime?: Array<Awaited<ReturnType<typeof benchLoadTime>>>;
  search?: Awaited<ReturnType<typeof benchSearchLatency>>;
  roleHolders?: Awaited<ReturnType<typeof benchRoleHolders>> & { date?: string };
  browser?: Awaited<ReturnType<typeof benchBrowser>>;
  pack?: ReturnType<typeof benchPack>;
};

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const count = (n: number) => n.toLocaleString("en-US");

/** Runs per timed figure: 20, or 5 with --quick. */
let RUNS = 20;

/** The cases in table order; each fills its key of the results. */
const CASES: Array<{ name: string; label: string; run: (r: Results) => Promise<void> | void }> = [
  { name: "bundle", label: "bundle (two production builds)", run: (r) => void (r.bundle = benchBundle()) },
  { name: "round-trips", label: "round trips and bytes to a complete checklist", run: async (r) => void (r.roundTrips = await benchRoundTrips()) },
  {
    name: "load-time",
    label: `load time in Node at ${LATENCIES.join(", ")} ms latency`,
    run: async (r) => {
      r.nodeLoadTime = [];
      for (const latency of LATENCIES) r.nodeLoadTime.push(await benchLoadTime(latency, RUNS));
    },
  },
  { name: "search", label: "search latency, demo and 100,000-user org", run: async (r) => void (r.search = await benchSearchLatency()) },
  {
    name: "role-holders",
    label: "20,000 role holders (expanded collection past 5,000 rows)",
    run: async (r) => void (r.roleHolders = { ...(await benchRoleHolders(20_000)), date: new Date().toISOString() }),
  },
  { name: "browser", label: "browser (Chromium, harness)", run: async (r) => void (r.browser = await benchBrowser(RUNS, LATENCIES)) },
  { name: "pack", label: "npm run pack", run: (r) => void (r.pack = benchPack()) },
];

/** The table rows for whatever the results hold. */
export function tableRows(results: Results): Row[] {
  const rows: Row[] = [];
  const { bundle, roundTrips: trips, nodeLoadTime, search, roleHolders, browser, pack } = results;
  if (bundle)
    rows.push(["bundle.js bytes", `${kb(bundle.ours.bytes)} (gzip ${kb(bundle.ours.gzipBytes)})`, `${kb(bundle.baseline.bytes)} (gzip ${kb(bundle.baseline.gzipBytes)}) React+Fluent bundled`]);
  if (trips?.parallel) {
    const { ours, parallel, sequential } = trips;
    const both = (f: (w: WireCount) => string) => (c: typeof ours) => `${f(c.first)}, later ${f(c.later)}`;
    const three = (label: string, f: (w: WireCount) => string) =>
      rows.push([`${label} to checklist (first load on a form, later load)`, both(f)(ours), `parallel ${both(f)(parallel)}; sequential ${both(f)(sequential)}`]);
    three("round trips", (w) => String(w.roundTrips));
    three("HTTP requests (service-protection count)", (w) => String(w.requests));
    three("API calls (each $batch part counts)", (w) => String(w.apiCalls));
    three("bytes sent / received", (w) => `${kb(w.bytesSent)} / ${kb(w.bytesReceived)}`);
    if (trips.withoutHints)
      rows.push(["round trips to checklist, first load without a form's hints (a CLI command)", String(trips.withoutHints.roundTrips), "(the same two-round rule for every loader)"]);
  }
  for (const l of nodeLoadTime ?? []) {
    if (!l.parallel) continue;
    const ms = (x: { medianMs: number; p95Ms: number }) => `${x.medianMs} / ${x.p95Ms} ms`;
    rows.push([
      `state load in Node, ${l.latencyMs} ms latency (median / p95 of ${l.runs})`,
      `first ${ms(l.ours.first)}, later ${ms(l.ours.later)}`,
      `parallel ${ms(l.parallel.first)}; sequential ${ms(l.sequential.first)}`,
    ]);
  }
  for (const s of search ?? [])
    rows.push([
      `search on ${s.org} org (${s.users} users) p50 / p95`,
      `${s.p50Ms} / ${s.p95Ms} ms, ${s.requestsPerSearch} request, ${kb(s.bytesPerSearch)}`,
      "server's own scan (no client-side growth)",
    ]);
  if (roleHolders) {
    const { ours, baseline } = roleHolders;
    rows.push([
      `round trips to checklist, ${count(roleHolders.holders)} role holders`,
      `${ours.requests} (2 batches + ${ours.extraRequests} nextLink pages, first load), ${count(ours.holdersSeen)} holders seen`,
      `${baseline.requests} without following the nextLink: ${count(baseline.holdersSeen)} holders seen`,
    ]);
    for (const t of ours.loadTimes)
      rows.push([
        `state load in Node, ${count(roleHolders.holders)} role holders, ${t.latencyMs} ms latency (median / p95 of ${t.runs})`,
        `${t.medianMs} / ${t.p95Ms} ms, ${kb(ours.bytesReceived)} received`,
        "(the baseline misses holders: no time to compare)",
      ]);
  }
  if (browser?.skipped) rows.push(["browser figures", `skipped: ${browser.skipped}`, ""]);
  for (const c of browser?.controlInitToChecklist ?? [])
    rows.push([`control init → every check rendered, Chromium, ${c.latencyMs} ms latency (median / p95 of ${c.runs})`, `${c.medianMs} / ${c.p95Ms} ms`, "(see the loader rows)"]);
  for (const t of browser?.timeToChecklist ?? []) {
    if (!t.parallel) continue;
    const ms = (x: { medianMs: number; p95Ms: number }) => `${x.medianMs} / ${x.p95Ms} ms`;
    rows.push([
      `time to checklist in Chromium, ${t.latencyMs} ms latency (median / p95 of ${t.runs})`,
      `first ${ms(t.ours)}, later ${ms(t.oursLater)}`,
      `parallel ${ms(t.parallel)}; sequential ${ms(t.sequential)}`,
    ]);
  }
  if (browser?.typing)
    rows.push([
      `search requests while typing "${browser.typing.text}" in Chromium (${browser.typing.delayMs} ms/key)`,
      String(browser.typing.ours),
      `${browser.typing.baseline} (picker searching on every keystroke, measured)`,
    ]);
  if (pack?.packSeconds !== undefined) {
    rows.push(["production build (scripts/build.mjs --force)", `${pack.buildSeconds} s`, "(no baseline: pac is not available here)"]);
    rows.push(["npm run pack after that build", `${pack.packSeconds} s`, pack.reusedBuild ? "(the build reused: inputs unchanged)" : "(rebuilt: the inputs changed during the run)"]);
  }
  return rows;
}

function renderTable(rows: Row[]): string {
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["figure", "ours", "baseline"][i].length));
  const line = (r: Row) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(["figure", "ours", "baseline"]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: "string" }, quick: { type: "boolean" } } });
  if (values.quick) RUNS = 5;
  const file = join(__dirname, "results.json");
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((n) => !CASES.some((c) => c.name === n)) ?? [];
  if (unknown.length) throw new Error(`Unknown bench case(s): ${unknown.join(", ")}. Cases: ${CASES.map((c) => c.name).join(", ")}`);
  const previous = only && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { date?: string; results?: Results }) : undefined;
  const results: Results = { ...(previous?.results ?? {}) };
  for (const c of CASES) {
    if (only && !only.includes(c.name)) continue;
    process.stderr.write(`bench: ${c.label}…\n`);
    await c.run(results);
  }

  const table = renderTable(tableRows(results));
  process.stdout.write(table + "\n");

  const machine = { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
  // A partial run keeps the date of the full run it completes; the cases it ran carry their own.
  const date = previous?.date ?? new Date().toISOString();
  writeFileSync(file, JSON.stringify({ date, machine, results, table }, null, 2) + "\n");
  process.stderr.write(`bench: saved ${file}\n`);
  if (writeLatencyChart(results)) process.stderr.write(`bench: drew ${CHART_FILE}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
