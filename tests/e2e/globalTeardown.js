/** Removes the copy of the build that globalSetup.js made for the e2e run. */
const { rmSync } = require("node:fs");
const path = require("node:path");

module.exports = async function globalTeardown() {
  const copy = process.env.MSS_E2E_CONTROL_DIR;
  if (copy && path.basename(path.dirname(copy)).startsWith("mss-e2e-")) rmSync(path.dirname(copy), { recursive: true, force: true });
};
