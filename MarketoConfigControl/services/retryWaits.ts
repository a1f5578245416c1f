/**
 * The requests that wait on Dynamics 365's Retry-After right now, and the operations they belong
 * to, so the panel can say "busy, retrying in N seconds" and stop the operation on Cancel.
 *
 * The client reports each pause (`report`, its `onRetryWait`); every service call runs under a
 * controller of its own (`trackOperations`), found again by the signal the client was given.
 */
import type { RetryWaitInfo } from "../../core/dataverse/webApiClient";
import type { Operation } from "../../core/setup/messages";
import type { SetupService } from "../../core/setup/service";

export interface RetryWait {
  id: number;
  /** When the retry is due, on `now()`'s clock. */
  until: number;
  /** The operation the waiting request belongs to; undefined when none was tracked (no Cancel then). */
  operation?: Operation;
}

export interface RetryWaitsSnapshot {
  waits: readonly RetryWait[];
  /** Operations stopped by Cancel, until they run again or the notice is dismissed. */
  cancelled: readonly Operation[];
}

export class RetryWaits {
  #snapshot: RetryWaitsSnapshot = { waits: [], cancelled: [] };
  readonly #listeners = new Set<() => void>();
  readonly #running = new Map<AbortSignal, { operation: Operation; controller: AbortController }>();
  readonly #signals = new Map<number, AbortSignal>();
  #nextId = 1;

  constructor(readonly now: () => number = Date.now) {}

  get current(): RetryWaitsSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The client's `onRetryWait`: a pause starts; the returned function ends it. */
  readonly report = (info: RetryWaitInfo): (() => void) => {
    const id = this.#nextId++;
    const operation = info.signal ? this.#running.get(info.signal)?.operation : undefined;
    if (info.signal) this.#signals.set(id, info.signal);
    this.#set({ ...this.#snapshot, waits: [...this.#snapshot.waits, { id, until: this.now() + info.seconds * 1000, operation }] });
    return () => {
      this.#signals.delete(id);
      this.#set({ ...this.#snapshot, waits: this.#snapshot.waits.filter((w) => w.id !== id) });
    };
  };

  /** An operation starts under `controller`; the returned function says it ended. */
  readonly track = (operation: Operation, controller: AbortController): (() => void) => {
    this.#running.set(controller.signal, { operation, controller });
    // Running it again is the retry: its "cancelled" line has done its job.
    if (this.#snapshot.cancelled.includes(operation)) this.#set({ ...this.#snapshot, cancelled: this.#snapshot.cancelled.filter((o) => o !== operation) });
    return () => this.#running.delete(controller.signal);
  };

  /** Stops every operation that has a request waiting; what was stopped stays listed. */
  cancel(): void {
    const stopped = new Set<Operation>();
    for (const wait of this.#snapshot.waits) {
      const signal = this.#signals.get(wait.id);
      const entry = signal && this.#running.get(signal);
      if (!entry) continue;
      stopped.add(entry.operation);
      entry.controller.abort();
    }
    if (stopped.size) this.#set({ ...this.#snapshot, cancelled: [...this.#snapshot.cancelled.filter((o) => !stopped.has(o)), ...stopped] });
  }

  /** The control is going away (the admin left the form): every operation still running stops. */
  stopAll(): void {
    for (const { controller } of this.#running.values()) controller.abort();
    this.#running.clear();
  }

  dismissCancelled(): void {
    this.#set({ ...this.#snapshot, cancelled: [] });
  }

  #set(next: RetryWaitsSnapshot): void {
    this.#snapshot = next;
    for (const listener of [...this.#listeners]) listener();
  }
}

/**
 * Runs `run` under a controller of its own, linked to the caller's signal, so a Cancel can stop
 * this operation alone.
 */
function tracked<T>(waits: RetryWaits, operation: Operation, signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", forward, { once: true });
  const untrack = waits.track(operation, controller);
  return run(controller.signal).finally(() => {
    untrack();
    signal?.removeEventListener("abort", forward);
  });
}

/** The same service, each call tracked as the operation the admin started. */
export function trackOperations(service: SetupService, waits: RetryWaits): SetupService {
  return {
    load: (input, signal) => tracked(waits, "load", signal, (s) => service.load(input, s)),
    searchUsers: (search, signal) => tracked(waits, "search", signal, (s) => service.searchUsers(search, s)),
    assignRole: (state, signal) => tracked(waits, "assignRole", signal, (s) => service.assignRole(state, s)),
    removeRole: (state, users, teams, signal) => tracked(waits, "removeRole", signal, (s) => service.removeRole(state, users, teams, s)),
    assignRoleToUsers: (state, users, signal) => tracked(waits, "assignRole", signal, (s) => service.assignRoleToUsers(state, users, s)),
    enableSteps: (state, signal) => tracked(waits, "enableSteps", signal, (s) => service.enableSteps(state, s)),
    publish: (options = {}) => tracked(waits, "publish", options.signal, (s) => service.publish({ ...options, signal: s })),
    searchBusinessUnits: (text, signal) => tracked(waits, "createAppUser", signal, (s) => service.searchBusinessUnits(text, s)),
    createAppUser: (input, signal) => tracked(waits, "createAppUser", signal, (s) => service.createAppUser(input, s)),
    assignRoleInBusinessUnit: (userId, bu, role, signal) => tracked(waits, "createAppUser", signal, (s) => service.assignRoleInBusinessUnit(userId, bu, role, s)),
    enableUser: (userId, signal) => tracked(waits, "createAppUser", signal, (s) => service.enableUser(userId, s)),
  };
}
