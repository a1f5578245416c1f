/*
 * Preloaded into a spawned `marketo-dynamics` (NODE_OPTIONS=--require) by one CLI test: every timer is
 * unreferenced, so a command waiting only on a pause leaves Node nothing to wait for, as the CLI's
 * retry pause once did. The test checks the command then says so and exits 3 rather than 0.
 */
"use strict";
const original = globalThis.setTimeout;
globalThis.setTimeout = function unrefTimeout(...args) {
  const timer = original.apply(this, args);
  timer.unref();
  return timer;
};
