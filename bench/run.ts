/**
 * `npm run bench`: every figure beside its baseline, printed as a table and saved with the
 * machine and the date to bench/results.json.
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { benchBrowser } from "./browser";
import { benchBundle, benchLoadTime, benchPack, benchRoundTrips, benchSearchLatency } from "./node";

type Row = [string, string, string];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main() {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const step = (name: string) => process.stderr.write(`bench: ${name}…\n`);

  step("bundle (two production builds)");
  const bundle = benchBundle();
  results.bundle = bundle;
  rows.push(["bundle.js bytes", `${kb(bundle.ours.bytes)} (gzip ${kb(bundle.ours.gzipBytes)})`, `${kb(bundle.baseline.bytes)} (gzip ${kb(bundle.baseline.gzipBytes)}) React+Fluent bundled`]);

  step("round trips and bytes to a complete checklist");
  const trips = await benchRoundTrips();
  results.roundTrips = trips;
  rows.push(["round trips to checklist", String(trips.ours.requests), `${trips.baseline.requests} sequential`]);
  rows.push(["bytes to checklist (sent / received)", `${kb(trips.ours.bytesSent)} / ${kb(trips.ours.bytesReceived)}`, `${kb(trips.baseline.bytesSent)} / ${kb(trips.baseline.bytesReceived)}`]);

  step("load time in Node at 0 and 80 ms latency");
  const nodeLoad = [await benchLoadTime(0), await benchLoadTime(80)];
  results.nodeLoadTime = nodeLoad;
  for (const l of nodeLoad)
    rows.push([`state load in Node, ${l.latencyMs} ms latency (median / p95)`, `${l.ours.medianMs} / ${l.ours.p95Ms} ms`, `${l.baseline.medianMs} / ${l.baseline.p95Ms} ms`]);

  step("search latency, demo and 100,000-user org");
  const search = await benchSearchLatency();
  results.search = search;
  for (const s of search)
    rows.push([`search on ${s.org} org (${s.users} users) p50 / p95`, `${s.p50Ms} / ${s.p95Ms} ms, ${s.requestsPerSearch} request, ${kb(s.bytesPerSearch)}`, "server's own scan (no client-side growth)"]);

  step("browser (Chromium, harness)");
  const browser = await benchBrowser();
  results.browser = browser;
  if (browser.skipped) rows.push(["browser figures", `skipped: ${browser.skipped}`, ""]);
  for (const c of browser.controlInitToChecklist ?? [])
    rows.push([`control init → every check rendered, Chromium, ${c.latencyMs} ms latency (median / p95 of ${c.runs})`, `${c.medianMs} / ${c.p95Ms} ms`, "(see the loader rows)"]);
  for (const t of browser.timeToChecklist ?? [])
    rows.push([`time to checklist in Chromium, ${t.latencyMs} ms latency (median / p95 of ${t.runs})`, `${t.ours.medianMs} / ${t.ours.p95Ms} ms`, `${t.baseline.medianMs} / ${t.baseline.p95Ms} ms sequential`]);
  if (browser.typing)
    rows.push([`search requests while typing "${browser.typing.text}" (${browser.typing.delayMs} ms/key)`, String(browser.typing.ours), `${browser.typing.baseline} (one per keystroke)`]);

  step("npm run pack");
  const pack = benchPack();
  results.pack = pack;
  rows.push(["npm run pack", `${pack.seconds} s`, "(no baseline: pac is not available here)"]);

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["figure", "ours", "baseline"][i].length));
  const line = (r: Row) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const table = [line(["figure", "ours", "baseline"]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
  process.stdout.write(table + "\n");

  const machine = { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
  writeFileSync(join(__dirname, "results.json"), JSON.stringify({ date: new Date().toISOString(), machine, results, table }, null, 2) + "\n");
  process.stderr.write(`bench: saved ${join(__dirname, "results.json")}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
