/**
 * Figures measured in Debian's Chromium through the `npm start` harness: time from control
 * init to every check rendered (the real control), time to a complete checklist for the batched
 * loader against the sequential baseline (both run in the page), and search requests sent while
 * an admin types.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { startHarness } from "../devserver/harness/server";
import { median, percentile, round } from "./measure";
import { demoInput } from "./node";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

interface Stat {
  medianMs: number;
  p95Ms: number;
}

export interface BrowserFigures {
  skipped?: string;
  controlInitToChecklist?: Array<{ latencyMs: number; runs: number } & Stat>;
  timeToChecklist?: Array<{ latencyMs: number; runs: number; ours: Stat; baseline: Stat }>;
  typing?: { text: string; delayMs: number; ours: number; baseline: number };
}

const stat = (values: number[]): Stat => ({ medianMs: round(median(values)), p95Ms: round(percentile(values, 95)) });

/**
 * Resolves, inside the page, once all ten checks are rendered and nothing is loading. Written as
 * source text: tsx would otherwise wrap the functions with a helper the page does not have.
 */
const CHECKLIST_RENDERED = `new Promise((resolve) => {
  const done = () => document.querySelectorAll("[data-check][data-status]").length >= 10 && !document.querySelector("[aria-busy='true']");
  const finish = () => resolve(performance.now() - (performance.getEntriesByName("mss-control-init")[0]?.startTime ?? 0));
  if (done()) return finish();
  const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); finish(); } });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true });
})`;

const checklistRendered = (page: Page): Promise<number> => page.evaluate(CHECKLIST_RENDERED) as Promise<number>;

async function loaderScript(): Promise<string> {
  const out = await build({ entryPoints: [join(__dirname, "browserLoaders.ts")], bundle: true, write: false, format: "iife", platform: "browser", target: "es2020" });
  return out.outputFiles[0].text;
}

export async function benchBrowser(runs = 20): Promise<BrowserFigures> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)` };
  if (!existsSync(join(__dirname, "..", "out", "controls", "MarketoConfigControl", "bundle.js"))) {
    const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: join(__dirname, ".."), encoding: "utf8" });
    if (r.status !== 0) return { skipped: `the control did not build:\n${r.stdout}${r.stderr}` };
  }
  const script = await loaderScript();
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const figures: BrowserFigures = { controlInitToChecklist: [], timeToChecklist: [] };
  try {
    for (const latencyMs of [0, 80]) {
      const harness = await startHarness({ port: 0, latencyMs, publishDurationMs: 0 });
      try {
        const page = await (await browser.newContext()).newPage();
        const control: number[] = [];
        for (let i = 0; i < runs; i++) {
          await page.goto(`${harness.url}/`);
          control.push(await checklistRendered(page));
        }
        figures.controlInitToChecklist!.push({ latencyMs, runs, ...stat(control) });

        await page.addScriptTag({ content: script });
        const times = async (kind: string) => {
          const t: number[] = [];
          const call = `window.mssBench.timeToChecklist(${JSON.stringify(kind)}, ${JSON.stringify(demoInput)})`;
          for (let i = 0; i < runs; i++) t.push((await page.evaluate(call)) as number);
          return stat(t);
        };
        figures.timeToChecklist!.push({ latencyMs, runs, ours: await times("batched"), baseline: await times("sequential") });

        if (latencyMs === 0) {
          const text = "Marketo Sync";
          const delayMs = 150;
          await page.goto(`${harness.url}/`);
          await checklistRendered(page);
          const before = harness.devserver.requests.length;
          await page.locator("[role=combobox]").click();
          await page.locator("[role=combobox]").pressSequentially(text, { delay: delayMs });
          await page.waitForSelector("[role=option]");
          await page.waitForTimeout(800);
          const searches = harness.devserver.requests.slice(before).filter((r) => /systemusers\?/.test(decodeURIComponent(r.url)));
          figures.typing = { text, delayMs, ours: searches.length, baseline: text.length };
        }
      } finally {
        await harness.close();
      }
    }
  } finally {
    await browser.close();
  }
  return figures;
}
