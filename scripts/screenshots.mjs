// Refreshes the README's pictures in docs/: the e2e suite, with its screenshots sent there.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const jest = createRequire(import.meta.url).resolve("jest/bin/jest");
const run = spawnSync(process.execPath, [jest, "--selectProjects", "e2e", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, MSS_SCREENSHOTS_DIR: "docs" },
});
process.exit(run.status ?? 1);
