import * as React from "react";
import type { Operation } from "../../core/setup/messages";
import type { RetryWaits, RetryWaitsSnapshot } from "../services/retryWaits";

export interface RetryWaitsView {
  /** Seconds until the last waiting request is retried; undefined when none waits. */
  seconds?: number;
  /** Some waiting request belongs to an operation Cancel can stop. */
  cancellable: boolean;
  /** Operations stopped by Cancel, for the panel to say what was stopped. */
  cancelled: readonly Operation[];
  cancel: () => void;
  dismissCancelled: () => void;
}

const NONE: RetryWaitsSnapshot = { waits: [], cancelled: [] };
const noop = () => undefined;

/**
 * Follows `store` and counts the longest wait down, once a second while there is one (the only
 * timer: the retry itself is the client's).
 */
export function useRetryWaits(store: RetryWaits | undefined): RetryWaitsView {
  // Read while rendering; a change, or a second of the countdown, renders again.
  const [, setTick] = React.useState(0);
  React.useEffect(() => store?.subscribe(() => setTick((t) => t + 1)), [store]);
  const snapshot = store?.current ?? NONE;

  const waiting = snapshot.waits.length > 0;
  React.useEffect(() => {
    if (!waiting) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [waiting]);

  const cancel = React.useCallback(() => store?.cancel(), [store]);
  const dismissCancelled = React.useCallback(() => store?.dismissCancelled(), [store]);
  if (!store) return { cancellable: false, cancelled: [], cancel: noop, dismissCancelled: noop };

  const now = store.now();
  const seconds = waiting ? Math.max(0, ...snapshot.waits.map((w) => Math.ceil((w.until - now) / 1000))) : undefined;
  return { seconds, cancellable: snapshot.waits.some((w) => w.operation !== undefined), cancelled: snapshot.cancelled, cancel, dismissCancelled };
}
