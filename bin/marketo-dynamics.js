#!/usr/bin/env node
/*
 * Entry point of the `marketo-dynamics` command. The CLI is TypeScript (cli/main.ts) and shares
 * core/ and pack/ with the control; tsx's CommonJS hook compiles it in memory when it is loaded,
 * so the command works right after `npm ci`, with no build step and no compiled copy to go stale.
 */
"use strict";
require("tsx/cjs/api").register();
const { run, interruptSignal } = require("../cli/main.ts");

// If Node ever ran out of things to wait for while the command was still under way, it would end the
// process with code 0 and nothing said: a pipeline would take a half-done command for a success.
let finished = false;
process.on("exit", () => {
  if (finished) return;
  process.stderr.write(
    "marketo-dynamics: the command stopped before it finished (an internal error: nothing was left to wait for). Run it again; if it happens again, run it with --verbose and report what it prints.\n",
  );
  process.exitCode = 3;
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, interrupt: interruptSignal() }).then(
  (code) => {
    finished = true;
    process.exitCode = code;
    // A request the command no longer waits for (stopped by --timeout) must not hold the process:
    // if anything is still pending shortly after the command ended, exit with its code. Unref'd, so
    // a normal run ends at once without it.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error) => {
    finished = true;
    process.stderr.write(`marketo-dynamics: ${error && error.message ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
