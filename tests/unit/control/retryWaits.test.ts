/**
 * RetryWaits ties the client's pauses to the operations the admin started: Cancel stops the
 * operation whose request waits, and only that one; what it stopped is listed until it runs again.
 */
import { DataverseClient } from "../../../core/dataverse/client";
import type { SetupService } from "../../../core/setup/service";
import type { SetupState } from "../../../core/setup/types";
import { RetryWaits, trackOperations } from "../../../MarketoConfigControl/services/retryWaits";
import { dataverseError, fakeFetch, json } from "../../helpers/fakeFetch";

const ORG = "https://contoso.crm.dynamics.com";
const state = {} as SetupState;
const USER = "ab8b4c38-1f3c-4a5f-9c3b-2e0c1b7a9d10";
const ROLE = "5a3c9e3e-8c1d-4b8e-9d1f-0a1b2c3d4e5f";

/** A service whose assignRole and load are one request each through a client reporting to `waits`. */
function setup(answers: Parameters<typeof fakeFetch>[0]) {
  let now = 1_000_000;
  const waits = new RetryWaits(() => now);
  const f = fakeFetch(answers);
  const client = new DataverseClient({
    orgUrl: ORG,
    fetch: f.fetch,
    onRetryWait: waits.report,
    // The pause never ends by itself: only a cancel ends it.
    sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })),
  });
  const inner = {
    assignRole: (_s: SetupState, signal?: AbortSignal) => client.associate("systemusers", USER, "systemuserroles_association", "roles", ROLE, { signal }).then(() => ({ changed: true })),
    load: (_i: unknown, signal?: AbortSignal) => client.get("WhoAmI()", { signal }),
  } as unknown as SetupService;
  return { waits, service: trackOperations(inner, waits), calls: f.calls, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("RetryWaits", () => {
  it("lists a waiting request with its operation and due time, then Cancel stops that operation", async () => {
    const { waits, service, calls } = setup([dataverseError(429, "0x80072322", "limit", { "Retry-After": "5" })]);
    const seen: number[] = [];
    waits.subscribe(() => seen.push(waits.current.waits.length));
    const result = service.assignRole(state).catch((e: unknown) => e);
    await settle();
    expect(waits.current.waits).toEqual([{ id: 1, until: 1_005_000, operation: "assignRole" }]);
    waits.cancel();
    expect(await result).toMatchObject({ kind: "aborted" });
    expect(waits.current).toEqual({ waits: [], cancelled: ["assignRole"] });
    expect(seen).toEqual([1, 1, 0]);
    expect(calls).toHaveLength(1);
  });

  it("cancels only the operation that waits, not one still talking to the server", async () => {
    let answerLoad: (r: Response) => void = () => undefined;
    const { waits, service } = setup((call) =>
      call.url.includes("WhoAmI") ? new Promise<Response>((resolve) => (answerLoad = resolve)) : dataverseError(429, "0x80072322", "limit", { "Retry-After": "5" }),
    );
    const load = service.load({} as never);
    const fix = service.assignRole(state).catch((e: unknown) => e);
    await settle();
    waits.cancel();
    expect(await fix).toMatchObject({ kind: "aborted" });
    answerLoad(json(200, { UserId: "me" }));
    await expect(load).resolves.toEqual({ UserId: "me" });
    expect(waits.current.cancelled).toEqual(["assignRole"]);
  });

  it("the caller's own abort still reaches the request, and running the operation again clears its 'cancelled' line", async () => {
    const { waits, service } = setup([dataverseError(429, "0x80072322", "limit", { "Retry-After": "5" }), dataverseError(429, "0x80072322", "limit", { "Retry-After": "5" }), json(200, {})]);
    const first = service.load({} as never).catch((e: unknown) => e);
    await settle();
    waits.cancel();
    await first;
    expect(waits.current.cancelled).toEqual(["load"]);
    const controller = new AbortController();
    const second = service.load({} as never, controller.signal).catch((e: unknown) => e);
    expect(waits.current.cancelled).toEqual([]);
    await settle();
    controller.abort();
    expect(await second).toMatchObject({ kind: "aborted" });
    // The caller stopped it, not Cancel: nothing to report.
    expect(waits.current).toEqual({ waits: [], cancelled: [] });
  });

  it("a wait of an untracked request is shown but cannot be cancelled from here", async () => {
    const waits = new RetryWaits(() => 0);
    const end = waits.report({ seconds: 3, status: 503, method: "GET", url: "x" });
    expect(waits.current.waits).toEqual([{ id: 1, until: 3000, operation: undefined }]);
    waits.cancel();
    expect(waits.current.cancelled).toEqual([]);
    end();
    expect(waits.current.waits).toEqual([]);
  });

  it("stopAll (the control destroyed) stops every running operation, waiting or not", async () => {
    const waits = new RetryWaits(() => 0);
    const inner = {
      load: (_i: unknown, signal?: AbortSignal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true })),
      publish: (options?: { signal?: AbortSignal }) => new Promise((_resolve, reject) => options?.signal?.addEventListener("abort", () => reject(options.signal!.reason), { once: true })),
    } as unknown as SetupService;
    const service = trackOperations(inner, waits);
    const loading = service.load({} as never).catch((e: unknown) => e);
    const publishing = service.publish({}).catch((e: unknown) => e);
    waits.stopAll();
    expect(await loading).toMatchObject({ name: "AbortError" });
    expect(await publishing).toMatchObject({ name: "AbortError" });
  });
});
