/** A clock the test moves by hand: timers fire only when `advance` passes their time. */
import type { Clock } from "../../../cli/clock";

interface Timer {
  at: number;
  every?: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private time = 0;
  private readonly timers = new Set<Timer>();
  /** Called when a one-shot timer is set (a retry pause, a deadline): the test's gate. */
  onAfter?: (ms: number) => void;

  now = () => this.time;

  after = (ms: number, fn: () => void) => {
    const timer: Timer = { at: this.time + ms, fn };
    this.timers.add(timer);
    this.onAfter?.(ms);
    return () => void this.timers.delete(timer);
  };

  every = (ms: number, fn: () => void) => {
    const timer: Timer = { at: this.time + ms, every: ms, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  };

  /** Moves time on, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      if (due.every) due.at += due.every;
      else this.timers.delete(due);
      due.fn();
    }
    this.time = end;
  }
}
