/**
 * End-to-end helpers: the `npm start` harness in-process, Chromium (see scripts/chromium.ts) through playwright-core,
 * axe on each state, and the server's own view of the data (assertions never trust the UI alone).
 * Any console error or uncaught error of a page fails the test that opened it (see useE2E), except
 * the failed Web API requests the test itself provoked with addFault.
 */
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { reactVersion, type ReactVersion } from "../../../devserver/harness/react";
import { chromiumLaunchOptions } from "../../../scripts/chromium";
import { startHarness, ROOT, type Harness } from "../../../devserver/harness/server";

/**
 * Where screenshots go: an ignored folder, so that `npm test` leaves the tracked pictures alone;
 * `npm run screenshots` points MSS_SCREENSHOTS_DIR at docs/ to refresh the README's pictures.
 */
export const DOCS = process.env.MSS_SCREENSHOTS_DIR ? path.resolve(ROOT, process.env.MSS_SCREENSHOTS_DIR) : path.join(ROOT, ".tmp", "screenshots");
/** The React the suite runs the control on: E2E_REACT, or by default what model-driven apps load. */
export const SUITE_REACT: ReactVersion = reactVersion(process.env.E2E_REACT, "E2E_REACT");

export interface E2E {
  harness: Harness;
  browser: Browser;
  /** The React version the page runs the control on. */
  react: ReactVersion;
  /** Console errors and uncaught errors of the pages opened by the current test. */
  problems: string[];
  /** Web API paths the current test makes fail on purpose (addFault): their failed loads are expected. */
  faultPaths: Array<string | RegExp>;
  close(): Promise<void>;
}

export async function startE2E(options: { publishDurationMs?: number; react?: ReactVersion } = {}): Promise<E2E> {
  // Throws, saying what to install, when there is no Chromium; globalSetup.js has unpacked the npm one if that is the one.
  const launch = await chromiumLaunchOptions();
  // globalSetup.js hands over a copy of the build (see there).
  const harness = await startHarness({ port: 0, publishDurationMs: options.publishDurationMs ?? 600, controlDir: process.env.MSS_E2E_CONTROL_DIR, react: options.react ?? SUITE_REACT });
  const browser = await chromium.launch({ executablePath: launch.executablePath, env: launch.env, headless: true, args: launch.args });
  return {
    harness,
    browser,
    react: harness.react,
    problems: [],
    faultPaths: [],
    close: async () => {
      await browser.close();
      await harness.close();
    },
  };
}

export interface FormPage {
  page: Page;
  /** Uncaught errors and console errors of the page, for the test to check. */
  errors: string[];
  close(): Promise<void>;
}

/** Opens the form in a fresh browser context (clipboard allowed) and waits until the checklist is loaded. */
export async function openForm(e2e: E2E, query = "", { waitForChecklist = true, width = 1280 } = {}): Promise<FormPage> {
  const context = await e2e.browser.newContext({ viewport: { width, height: 1000 }, locale: query.includes("lang=1036") ? "fr-FR" : "en-US" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2e.harness.url });
  const page = await context.newPage();
  const errors: string[] = [];
  const problem = (text: string) => {
    errors.push(text);
    e2e.problems.push(text);
  };
  page.on("pageerror", (e) => problem(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = m.location().url;
    // Chromium logs each failed request as a console error: only those a fault provoked are expected.
    if (/^Failed to load resource/.test(m.text()) && provokedByFault(e2e, url)) return;
    problem(`console: ${m.text()}${url ? ` (${url})` : ""}`);
  });
  await page.goto(`${e2e.harness.url}/${query}`);
  await page.waitForSelector("body[data-harness='ready']", { timeout: 20_000 });
  await expectReact(page, e2e.react);
  if (waitForChecklist) await checklistLoaded(page);
  return { page, errors, close: () => context.close() };
}

/** A failed request of the page that a fault of the current test explains (same matching as the devserver). */
function provokedByFault(e2e: E2E, url: string): boolean {
  const api = `${e2e.harness.url}/api/data/v9.2/`;
  if (!url.startsWith(api)) return false;
  const relative = decodeURIComponent(url.slice(api.length));
  return e2e.faultPaths.some((p) => (typeof p === "string" ? relative.includes(p) : p.test(relative)));
}

/** The page runs the control on the React asked for, under every global name, and says so. */
export async function expectReact(page: Page, version: string): Promise<void> {
  const running = await page.evaluate(() => {
    const w = window as unknown as Record<string, { version?: string } | undefined>;
    return {
      React: w.React?.version,
      ReactDOM: w.ReactDOM?.version,
      Reactv16: w.Reactv16?.version,
      ReactDOMv16: w.ReactDOMv16?.version,
      shown: document.body.getAttribute("data-react"),
      line: document.getElementById("harness-react")?.textContent,
    };
  });
  expect(running).toEqual({ React: version, ReactDOM: version, Reactv16: version, ReactDOMv16: version, shown: version, line: `React ${version}` });
}

/** Every line of the checklist has a status and nothing is loading. */
export async function checklistLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll("[data-check]").length >= 8 && !document.querySelector("[aria-busy='true']"), undefined, { timeout: 20_000 });
}

export const statusOf = (page: Page, id: string) => page.locator(`[data-check="${id}"]`).getAttribute("data-status");

/** Waits until a check shows the status (the UI), with a readable failure. */
export async function expectStatus(page: Page, id: string, status: string, timeout = 15_000): Promise<void> {
  try {
    await page.waitForSelector(`[data-check="${id}"][data-status="${status}"]`, { timeout });
  } catch {
    const line = await page
      .locator(`[data-check="${id}"]`)
      .innerText()
      .catch(() => "(no such line)");
    const errors = await page.locator(".ms-MessageBar--error, [role='alert']").allInnerTexts();
    throw new Error(`check ${id}: expected ${status}, got ${await statusOf(page, id)}\n  line: ${line.replace(/\s+/g, " ")}\n  errors on the page: ${JSON.stringify(errors)}`);
  }
}

export async function allStatuses(page: Page): Promise<Record<string, string>> {
  return page.$$eval("[data-check]", (els) => Object.fromEntries(els.map((e) => [e.getAttribute("data-check"), e.getAttribute("data-status")])));
}

/** No serious or critical axe violation on the page as it is now. */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${state}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`);
  expect(bad).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, name), fullPage: true, animations: "disabled", caret: "hide" });
}

/** The form's bound value (what Save would store), from the page's host. */
export const boundValue = (page: Page) => page.evaluate(() => (window as unknown as { harness: { boundValue(): ComponentFramework.LookupValue | null } }).harness.boundValue());

// ---- The server's view -------------------------------------------------------------------------

export async function api<T>(e2e: E2E, p: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(`${e2e.harness.url}/api/data/v9.2/${p}`, {
    ...init,
    headers: { Accept: "application/json", "Content-Type": "application/json", Prefer: 'odata.include-annotations="*"', ...(init.headers as Record<string, string>) },
  });
  if (!r.ok) throw new Error(`${init.method ?? "GET"} ${p}: ${r.status} ${await r.text()}`);
  return (r.status === 204 ? undefined : await r.json()) as T;
}

/** The Marketo Config table and record of the loaded fixture, from its "marketo" section and metadata. */
export function marketoConfig(e2e: E2E) {
  const fixture = e2e.harness.devserver.org.fixture;
  const m = fixture.marketo!;
  const entity = fixture.entities!.find((x) => x.logicalName === m.configEntity)!;
  return { entitySet: entity.entitySetName, attribute: m.userAttribute, recordId: m.defaultRecordId, roleName: m.roleName, solutionId: m.solutionId };
}

/** The saved Marketo User of the Default record, on the server. */
export async function savedMarketoUser(e2e: E2E): Promise<string | null> {
  const c = marketoConfig(e2e);
  const row = await api<Record<string, string | null>>(e2e, `${c.entitySet}(${c.recordId})?$select=_${c.attribute}_value`);
  return row[`_${c.attribute}_value`] ?? null;
}

/**
 * Names of everybody who holds the role on the server: directly (enabled or disabled, "(disabled)"
 * added) and as members of a team that holds it ("(team <name>)" added), sorted.
 */
export async function roleHolders(e2e: E2E, roleName: string): Promise<string[]> {
  const name = roleName.replace(/'/g, "''");
  const roles = await api<{ value: Array<{ roleid: string }> }>(e2e, `roles?$select=roleid&$filter=name eq '${name}'`);
  const names: string[] = [];
  for (const role of roles.value) {
    const r = await api<{ systemuserroles_association: Array<{ fullname: string; isdisabled: boolean }> }>(
      e2e,
      `roles(${role.roleid})?$select=name&$expand=systemuserroles_association($select=fullname,isdisabled)`,
    );
    names.push(...r.systemuserroles_association.map((u) => (u.isdisabled ? `${u.fullname} (disabled)` : u.fullname)));
  }
  const teams = await api<{ value: Array<{ name: string; teammembership_association: Array<{ fullname: string }> }> }>(
    e2e,
    `teams?$select=name&$filter=teamroles_association/any(r:r/name eq '${name}')&$expand=teammembership_association($select=fullname)`,
  );
  for (const team of teams.value) names.push(...team.teammembership_association.map((u) => `${u.fullname} (team ${team.name})`));
  return names.sort();
}

export async function disabledStepsOfSolution(e2e: E2E, solutionId: string): Promise<number> {
  const components = await api<{ value: Array<{ objectid: string }> }>(e2e, `solutioncomponents?$select=objectid&$filter=_solutionid_value eq ${solutionId} and componenttype eq 92`);
  let disabled = 0;
  for (const c of components.value) {
    const step = await api<{ statecode: number }>(e2e, `sdkmessageprocessingsteps(${c.objectid})?$select=statecode`);
    if (step.statecode !== 0) disabled++;
  }
  return disabled;
}

export async function devserverOrg(e2e: E2E): Promise<{ lastPublishedOn: string | null; publishCount: number }> {
  const r = await fetch(`${e2e.harness.url}/_devserver/org`);
  return (await r.json()) as { lastPublishedOn: string | null; publishCount: number };
}

export async function addFault(e2e: E2E, fault: Record<string, unknown>): Promise<void> {
  for (const f of [fault].flat() as Array<{ match?: { path?: string; pathRegex?: string } }>) {
    const m = f.match ?? {};
    e2e.faultPaths.push(m.pathRegex !== undefined ? new RegExp(m.pathRegex) : (m.path ?? ""));
  }
  const r = await fetch(`${e2e.harness.url}/_devserver/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) });
  if (!r.ok) throw new Error(`fault refused: ${r.status} ${await r.text()}`);
}

export async function resetDevserver(e2e: E2E): Promise<void> {
  await fetch(`${e2e.harness.url}/_devserver/reset`, { method: "POST" });
}

/**
 * One harness and one Chromium for a test file (or describe block), the organisation reset before
 * each test. `use` receives them once started. A test fails if a page it opened logged a console
 * error or threw (fonts that fail to load, React warnings, a failed request no fault explains…).
 */
export function useE2E(use: (e2e: E2E) => void, options?: Parameters<typeof startE2E>[0]): void {
  let started: E2E | undefined;
  beforeAll(async () => {
    started = await startE2E(options);
    use(started);
  });
  afterAll(() => started?.close());
  beforeEach(async () => {
    if (!started) return;
    started.problems.length = 0;
    started.faultPaths.length = 0;
    await resetDevserver(started);
  });
  afterEach(() => {
    if (started) expect({ consoleErrors: started.problems }).toEqual({ consoleErrors: [] });
  });
}
