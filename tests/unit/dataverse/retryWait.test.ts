/**
 * The client tells its owner about each pause a 429/503 asks for (onRetryWait), before pausing,
 * and the caller's signal ends the pause: what the control's "busy, retrying in N seconds" and its
 * Cancel are built on. The pause is a gate here: no clock runs.
 */
import { DataverseClient, type RetryWaitInfo } from "../../../core/dataverse/client";
import { dataverseError, fakeFetch, json } from "../../helpers/fakeFetch";

const ORG = "https://contoso.crm.dynamics.com";
const limit = (headers: Record<string, string> = { "Retry-After": "2" }) => dataverseError(429, "0x80072322", "Number of requests exceeded the limit", headers);

/** A sleep that only ends when the test says, or on abort (as the default sleep does). */
function gatedSleep() {
  const started: number[] = [];
  let open: () => void = () => undefined;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      started.push(ms);
      open = resolve;
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  return { sleep, started, release: () => open() };
}

describe("onRetryWait", () => {
  it("reports a 429's Retry-After (2 s) before waiting, and says when the wait is over", async () => {
    const events: string[] = [];
    const reports: RetryWaitInfo[] = [];
    const gate = gatedSleep();
    const f = fakeFetch([limit(), json(200, { ok: 1 })]);
    const controller = new AbortController();
    const c = new DataverseClient({
      orgUrl: ORG,
      fetch: f.fetch,
      sleep: (ms, signal) => {
        events.push(`sleep ${ms}`);
        return gate.sleep(ms, signal);
      },
      onRetryWait: (info) => {
        events.push(`report ${info.seconds}`);
        reports.push(info);
        return () => events.push("ended");
      },
    });
    const result = c.get("roles", { signal: controller.signal });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(events).toEqual(["report 2", "sleep 2000"]);
    expect(reports[0]).toMatchObject({ seconds: 2, status: 429, method: "GET", url: `${ORG}/api/data/v9.2/roles` });
    expect(reports[0].signal).toBe(controller.signal);
    gate.release();
    await expect(result).resolves.toEqual({ ok: 1 });
    expect(events).toEqual(["report 2", "sleep 2000", "ended"]);
    expect(f.calls).toHaveLength(2);
  });

  it("aborting the signal it reported cancels the wait: no retry, an 'aborted' error, the wait ended", async () => {
    const gate = gatedSleep();
    const f = fakeFetch([limit(), json(200, { ok: 1 })]);
    let ended = 0;
    let reported: RetryWaitInfo | undefined;
    const c = new DataverseClient({
      orgUrl: ORG,
      fetch: f.fetch,
      sleep: gate.sleep,
      onRetryWait: (info) => {
        reported = info;
        return () => ended++;
      },
    });
    const controller = new AbortController();
    const result = c.callAction("AddUserToRecordTeam", {}, { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(reported?.seconds).toBe(2);
    expect(gate.started).toEqual([2000]);
    controller.abort();
    expect(await result).toMatchObject({ kind: "aborted", method: "POST" });
    expect(ended).toBe(1);
    expect(f.calls).toHaveLength(1);
  });

  it("reports the back-off of a 503 without Retry-After in whole seconds, and no pause it will not take", async () => {
    const reports: number[] = [];
    const f = fakeFetch([dataverseError(503, "", "Service Unavailable"), json(200, {}), limit({ "Retry-After": "600" })]);
    const c = new DataverseClient({ orgUrl: ORG, fetch: f.fetch, baseRetryDelayMs: 1500, sleep: async () => undefined, onRetryWait: (info) => void reports.push(info.seconds) });
    await c.get("x");
    await expect(c.get("y")).rejects.toMatchObject({ kind: "throttled" });
    expect(reports).toEqual([2]);
  });
});
