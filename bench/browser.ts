/**
 * Figures measured in Chromium (see scripts/chromium.ts) through the `npm start` harness: time from control
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
import { chromiumLaunchOptions, type ChromiumLaunch } from "../scripts/chromium";
import { median, percentile, round } from "./measure";
import { demoInput, FORM_HINTS } from "./node";

interface Stat {
  medianMs: number;
  p95Ms: number;
}

export interface BrowserFigures {
  skipped?: string;
  controlInitToChecklist?: Array<{ latencyMs: number; runs: number } & Stat>;
  /** ours: a client's first load on a form, with its hints (one batch); oursLater: its next load. */
  timeToChecklist?: Array<{ latencyMs: number; runs: number; ours: Stat; oursLater: Stat; parallel: Stat; sequential: Stat }>;
  /** Search requests sent while typing: our picker, and a picker searching on every keystroke. */
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

export async function benchBrowser(runs = 20, latencies = [0, 80, 200]): Promise<BrowserFigures> {
  let launch: ChromiumLaunch;
  try {
    launch = await chromiumLaunchOptions();
  } catch (e) {
    return { skipped: (e as Error).message };
  }
  if (!existsSync(join(__dirname, "..", "out", "controls", "MarketoConfigControl", "bundle.js"))) {
    const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: join(__dirname, ".."), encoding: "utf8" });
    if (r.status !== 0) return { skipped: `the control did not build:\n${r.stdout}${r.stderr}` };
  }
  const script = await loaderScript();
  const browser: Browser = await chromium.launch({ executablePath: launch.executablePath, env: launch.env, headless: true, args: launch.args });
  const figures: BrowserFigures = { controlInitToChecklist: [], timeToChecklist: [] };
  try {
    for (const latencyMs of latencies) {
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
        const times = async (kind: string, later = false) => {
          const t: number[] = [];
          const call = `window.mssBench.timeToChecklist(${JSON.stringify(kind)}, ${JSON.stringify(demoInput)}, ${later}, ${JSON.stringify(FORM_HINTS)})`;
          for (let i = 0; i < runs; i++) t.push((await page.evaluate(call)) as number);
          return stat(t);
        };
        figures.timeToChecklist!.push({
          latencyMs,
          runs,
          ours: await times("batched"),
          oursLater: await times("batched", true),
          parallel: await times("parallel"),
          sequential: await times("sequential"),
        });

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
          const searches = (from: number) => harness.devserver.requests.slice(from).filter((r) => /systemusers\?/.test(decodeURIComponent(r.url))).length;
          const ours = searches(before);

          // The baseline, typed the same way into a picker that searches on every keystroke.
          await page.goto(`${harness.url}/`);
          await checklistRendered(page);
          await page.addScriptTag({ content: script });
          await page.evaluate(`window.mssBench.mountPerKeystrokePicker(${JSON.stringify(demoInput.roleName)})`);
          const naiveFrom = harness.devserver.requests.length;
          await page.locator("#mss-bench-naive-picker").pressSequentially(text, { delay: delayMs });
          await page.evaluate("window.mssBench.pickerSettled()");
          figures.typing = { text, delayMs, ours, baseline: searches(naiveFrom) };
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
