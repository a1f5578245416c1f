/**
 * Time as the CLI sees it: the command's deadline, the progress heartbeat and the --verbose timings.
 * Tests hand in their own clock and move it forward, so no test waits on the wall clock.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms`; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    // A pending deadline alone does not keep the process alive once the command is done.
    timer.unref?.();
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref?.();
    return () => clearInterval(timer);
  },
};

/** At least this often, a long wait says it is still waiting, terminal or not (CI logs go silent otherwise). */
export const HEARTBEAT_MS = 10_000;
