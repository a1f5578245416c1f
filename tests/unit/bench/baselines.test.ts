/** What the benchmarks count, and the chart they draw: a wrong count would flatter one side. */
import { DataverseClient } from "../../../core/dataverse/client";
import { latencyChartSvg, latencyPoints } from "../../../bench/chart";
import { countingFetch } from "../../../bench/measure";
import { clientFor, type LoaderKind } from "../../../bench/sequentialLoader";
import { batchResponder, fakeFetch, json } from "../../helpers/fakeFetch";

const ORG = "https://org.example";
const PATHS = ["roles?$select=name", "solutions?$select=uniquename", "WhoAmI()"];

/** Answers only once `expected` requests are in flight together, or one by one when 1. */
function gatedFetch(expected: number) {
  let waiting: Array<() => void> = [];
  const f = fakeFetch(
    batchResponder(
      () => [200, { value: [] }],
      () =>
        new Promise<Response>((resolve) => {
          waiting.push(() => resolve(json(200, { value: [] })));
          if (waiting.length >= expected) {
            const release = waiting;
            waiting = [];
            release.forEach((r) => r());
          }
        }),
    ),
  );
  return f.fetch;
}

async function count(kind: LoaderKind, inFlightTogether: number) {
  const counter = countingFetch(gatedFetch(inFlightTogether));
  const results = await clientFor(kind, { orgUrl: ORG, fetch: counter.fetch, maxRetries: 0 }).batchGet(PATHS);
  expect(results.every((r) => r.ok)).toBe(true);
  return counter.count;
}

describe("bench counts", () => {
  it("the parallel baseline sends every GET at once: one round trip, one request and one API call each", async () => {
    expect(await count("parallel", PATHS.length)).toMatchObject({ roundTrips: 1, requests: 3, apiCalls: 3 });
  });

  it("the sequential baseline waits for each answer: a round trip per GET", async () => {
    expect(await count("sequential", 1)).toMatchObject({ roundTrips: 3, requests: 3, apiCalls: 3 });
  });

  it("a $batch is one round trip and one request, but each part is an API call", async () => {
    const counter = countingFetch(fakeFetch(batchResponder(() => [200, { value: [] }])).fetch);
    await new DataverseClient({ orgUrl: ORG, fetch: counter.fetch, maxRetries: 0 }).batchGet(PATHS);
    expect(counter.count).toMatchObject({ roundTrips: 1, requests: 1, apiCalls: 3 });
  });
});

describe("bench chart", () => {
  const stat = (medianMs: number) => ({ medianMs, p95Ms: medianMs + 1 });
  const point = (latencyMs: number) => ({ latencyMs, ours: stat(latencyMs * 2 + 1), oursLater: stat(latencyMs + 1), parallel: stat(latencyMs * 3 + 1), sequential: stat(latencyMs * 16 + 1) });

  it("draws the Chromium figures when they hold every series, one bar per series and latency", () => {
    const { source, points } = latencyPoints({ browser: { timeToChecklist: [point(0), point(80), point(200)] }, nodeLoadTime: [] });
    expect(source).toBe("Chromium");
    const svg = latencyChartSvg(source, points);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(12);
    expect(svg).toContain("sequential GETs: 3201 ms");
    expect(svg).toContain("200 ms latency");
  });

  it("falls back to the Node figures, first load for the baselines", () => {
    const first = (ms: number) => ({ first: stat(ms), later: stat(ms / 2) });
    const { source, points } = latencyPoints({ nodeLoadTime: [{ latencyMs: 80, ours: first(170), parallel: first(190), sequential: first(1300) }] });
    expect(source).toBe("Node");
    expect(points).toEqual([{ latencyMs: 80, ours: stat(170), oursLater: stat(85), parallel: stat(190), sequential: stat(1300) }]);
  });
});
