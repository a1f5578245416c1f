/**
 * `npm start [-- --port 8181] [--fixture demo|all-correct|solution-4.0.0.13|no-solution|other-names]
 *   [--no-build] [--latency 0] [--publish-ms 3000] [--react 17.0.2|16.14.0]`
 *
 * Builds the control (production), then serves the demo org and the form page on one origin.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { APP } from "../fixtures/ids";
import { readOptions, wholeNumber } from "../args";
import { DECLARED_REACT, RUNTIME_REACT, reactVersion } from "./react";
import { FIXTURE_NAMES, FIXTURES } from "./variants";
import { ROOT, startHarness } from "./server";

const DEFAULT_PORT = 8181;

async function main(): Promise<void> {
  const args = readOptions({
    port: { type: "string" },
    fixture: { type: "string" },
    "no-build": { type: "boolean" },
    latency: { type: "string" },
    "publish-ms": { type: "string" },
    react: { type: "string" },
  });
  if (args.help) {
    console.log(`Usage: npm start -- [--port N] [--fixture NAME] [--no-build] [--latency MS] [--publish-ms MS] [--react VERSION]

  --port        port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --fixture     organisation to start with: ${FIXTURE_NAMES.join(", ")}
  --no-build    serve the existing out/ build instead of building first
  --latency     milliseconds added to every answer
  --publish-ms  how long Publish All Customizations takes
  --react       React to run the control on: ${RUNTIME_REACT} (default: what model-driven apps load)
                or ${DECLARED_REACT} (the manifest's version, what canvas apps load)`);
    return;
  }
  const port = wholeNumber(args.port, "port") ?? DEFAULT_PORT;
  const fixture = args.fixture ?? "demo";
  if (!FIXTURES[fixture]) throw new Error(`Unknown fixture '${fixture}'. Choose one of: ${FIXTURE_NAMES.join(", ")}`);
  const react = reactVersion(args.react);

  if (args["no-build"] !== true) {
    console.log("Building the control (production)…");
    const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    if (build.status !== 0) {
      process.stdout.write(build.stdout ?? "");
      throw new Error("The build failed (see above). Fix it, or serve the last build with: npm start -- --no-build");
    }
    console.log("Built out/controls/MarketoConfigControl/.");
  }

  let harness;
  try {
    harness = await startHarness({ port, fixture, latencyMs: wholeNumber(args.latency, "latency"), publishDurationMs: wholeNumber(args["publish-ms"], "publish-ms"), react });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`Port ${port} is in use. Stop the program using it, or pick another port: npm start -- --port ${port + 1}`);
    }
    throw e;
  }
  const url = harness.url;
  console.log(`
The Marketo Config form is served at:

  ${url}/

  ${url}/?lang=1036               in French
  ${url}/?readonly=1              read-only form
  ${url}/${`?fixture=${fixture === "all-correct" ? "demo" : "all-correct"}`.padEnd(25)}another organisation (${FIXTURE_NAMES.join(", ")})

React ${react} runs the control${react === RUNTIME_REACT ? ` (what model-driven apps load; --react ${DECLARED_REACT} for the manifest's version)` : " (the manifest's version)"}.
Web API of the organisation (${fixture}): ${url}/api/data/v9.2/
To try "Create the application user" on the demo organisation: Client ID ${APP.marketoSyncNew} ("Marketo Sync (new)", no user yet).
Press Ctrl+C to stop.`);
  const stop = () => void harness.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`npm start: ${(e as Error)?.message ?? e}`);
  process.exit(1);
});
