#!/usr/bin/env node
/*
 * Entry point of the `marketo-dynamics` command. The CLI is TypeScript (cli/main.ts) and shares
 * core/ and pack/ with the control; tsx's CommonJS hook compiles it in memory when it is loaded,
 * so the command works right after `npm ci`, with no build step and no compiled copy to go stale.
 */
"use strict";
require("tsx/cjs/api").register();
const { run, interruptSignal } = require("../cli/main.ts");

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, interrupt: interruptSignal() }).then(
  (code) => {
    process.exitCode = code;
    // A request the command no longer waits for (stopped by --timeout) must not hold the process:
    // if anything is still pending shortly after the command ended, exit with its code. Unref'd, so
    // a normal run ends at once without it.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error) => {
    process.stderr.write(`marketo-dynamics: ${error && error.message ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
