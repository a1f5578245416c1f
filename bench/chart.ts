/**
 * docs/bench-latency.svg from bench/results.json: time to a complete checklist by latency, our
 * loader against both baselines, as grouped bars. Written by `npm run bench`; on its own:
 * `npx tsx bench/chart.ts`. The browser figures are drawn when present, else the Node ones.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Stat {
  medianMs: number;
  p95Ms: number;
}
export interface LatencyPoint {
  latencyMs: number;
  ours: Stat;
  oursLater: Stat;
  parallel: Stat;
  sequential: Stat;
}

const SERIES: Array<{ key: keyof Omit<LatencyPoint, "latencyMs">; label: string; color: string }> = [
  { key: "ours", label: "ours, first load on a form (1 batch)", color: "#0f6cbd" },
  { key: "oursLater", label: "ours, later load (1 batch)", color: "#62abf5" },
  { key: "parallel", label: "parallel GETs (Promise.all)", color: "#c19c00" },
  { key: "sequential", label: "sequential GETs", color: "#a4262c" },
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The points to draw and where they were measured. */
export function latencyPoints(results: Record<string, unknown>): { source: string; points: LatencyPoint[] } {
  const browser = (results.browser as { timeToChecklist?: LatencyPoint[] } | undefined)?.timeToChecklist;
  if (browser?.length && browser.every((p) => p.parallel && p.oursLater)) return { source: "Chromium", points: browser };
  const node = (results.nodeLoadTime as Array<{ latencyMs: number; ours: { first: Stat; later: Stat }; parallel: { first: Stat }; sequential: { first: Stat } }> | undefined) ?? [];
  return {
    source: "Node",
    points: node.map((n) => ({ latencyMs: n.latencyMs, ours: n.ours.first, oursLater: n.ours.later, parallel: n.parallel.first, sequential: n.sequential.first })),
  };
}

export function latencyChartSvg(source: string, points: LatencyPoint[]): string {
  const W = 720;
  const H = 360;
  const left = 64;
  const right = 16;
  const top = 40;
  const bottom = 96;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map((s) => p[s.key].medianMs)));
  const step = niceStep(max / 5);
  const yMax = Math.ceil(max / step) * step;
  const y = (ms: number) => top + plotH - (ms / yMax) * plotH;
  const groupW = plotW / Math.max(1, points.length);
  const barW = Math.min(36, (groupW * 0.8) / SERIES.length);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>Time to a complete checklist by latency (${esc(source)}, median)</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="22" font-size="14" font-weight="600">Time to a complete checklist by round-trip latency (${esc(source)}, median ms)</text>`);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e1e1e1"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#444">${Math.round(v)}</text>`);
  }
  points.forEach((p, g) => {
    const x0 = left + g * groupW + (groupW - barW * SERIES.length) / 2;
    SERIES.forEach((s, i) => {
      const v = p[s.key].medianMs;
      const x = x0 + i * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(s.label)}: ${v} ms</title></rect>`,
      );
      out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="10" fill="#222">${Math.round(v)}</text>`);
    });
    out.push(`<text x="${(left + g * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${p.latencyMs} ms latency</text>`);
  });
  out.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#444"/>`);
  SERIES.forEach((s, i) => {
    const lx = left + (i % 2) * 300;
    const ly = H - 52 + Math.floor(i / 2) * 20;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${s.color}"/><text x="${lx + 18}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

export const CHART_FILE = join(__dirname, "..", "docs", "bench-latency.svg");

/** Writes the chart; false when the results hold no latency figures. */
export function writeLatencyChart(results: Record<string, unknown>, file = CHART_FILE): boolean {
  const { source, points } = latencyPoints(results);
  if (!points.length) return false;
  writeFileSync(file, latencyChartSvg(source, points));
  return true;
}

if (require.main === module) {
  const { results } = JSON.parse(readFileSync(join(__dirname, "results.json"), "utf8")) as { results: Record<string, unknown> };
  if (!writeLatencyChart(results)) throw new Error("bench/results.json holds no latency figures: run npm run bench first");
  process.stdout.write(`wrote ${CHART_FILE}\n`);
}
