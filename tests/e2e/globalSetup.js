/**
 * The e2e tests host the production bundle.js: build it when it is missing or older than the
 * control's sources (CI builds first anyway; this keeps `npm ci && npm test` on a fresh clone right).
 * The browser is found here once too, so that a missing one fails the run at once, and the npm
 * Chromium is unpacked before the test files start rather than by each of them.
 */
const { spawnSync } = require("node:child_process");
const { cpSync, existsSync, mkdtempSync, readdirSync, statSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");
// A TypeScript module: Jest transforms what its globalSetup requires.
const { chromiumLaunchOptions } = require("../../scripts/chromium");

const root = path.resolve(__dirname, "..", "..");
const bundle = path.join(root, "out", "controls", "MarketoConfigControl", "bundle.js");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

module.exports = async function globalSetup() {
  const browser = await chromiumLaunchOptions();
  process.stdout.write(`\ne2e: Chromium ${browser.description}\n`);
  const sources = Math.max(newest(path.join(root, "MarketoConfigControl")), newest(path.join(root, "core")));
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
    process.stdout.write("\ne2e: building the control (production) first…\n");
    const r = spawnSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, encoding: "utf8", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "1" } });
    if (r.status !== 0) throw new Error(`e2e: npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
  // The tests serve a copy: a build started meanwhile (it empties out/ first) cannot pull it away.
  const copy = path.join(mkdtempSync(path.join(os.tmpdir(), "mss-e2e-")), "MarketoConfigControl");
  cpSync(path.dirname(bundle), copy, { recursive: true });
  process.env.MSS_E2E_CONTROL_DIR = copy;
};
