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
    // Kept referenced: a retry's pause is often the only thing a command waits on, and Node ends a
    // process with nothing referenced at once, with exit code 0 and the command half done. Every
    // caller cancels its timer when the command ends (main.ts's deadline in its finally).
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    // A heartbeat only reports on something else the command waits on; it never keeps it alive.
    timer.unref?.();
    return () => clearInterval(timer);
  },
};

/** At least this often, a long wait says it is still waiting, terminal or not (CI logs go silent otherwise). */
export const HEARTBEAT_MS = 10_000;
