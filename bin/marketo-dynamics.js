#!/usr/bin/env node
/*
 * Entry point of the `marketo-dynamics` command. The CLI is TypeScript (cli/main.ts) and shares
 * core/ and pack/ with the control; tsx's CommonJS hook compiles it in memory when it is loaded,
 * so the command works right after `npm ci`, with no build step and no compiled copy to go stale.
 */
"use strict";
require("tsx/cjs/api").register();
const { run } = require("../cli/main.ts");

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`marketo-dynamics: ${error && error.message ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
