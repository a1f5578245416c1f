/**
 * The fault scenarios of the reliability suite, as data: the suite runs them and the README's
 * reliability table is checked against them (tests/unit/project/readme.test.ts).
 */
export type Action = "load" | "search" | "assign" | "remove" | "enableSteps" | "publish" | "CLI deploy";

export type FaultName =
  | "429 with Retry-After"
  | "429 execution time"
  | "429 concurrent requests"
  | "429 storm"
  | "503"
  | "timeout"
  | "slow answer"
  | "dropped connection"
  | "401 session expired"
  | "403 privilege"
  | "publish lock"
  | "publish fails"
  | "server error mid-batch";

export interface Scenario {
  action: Action;
  fault: FaultName;
  /** "recovers": retried or waited, then succeeds. Otherwise the resx key of the message shown. */
  outcome: "recovers" | string;
}

const transient: Array<[FaultName, string]> = [
  ["429 with Retry-After", "recovers"],
  ["429 execution time", "recovers"],
  ["429 concurrent requests", "recovers"],
  ["503", "recovers"],
  ["timeout", "recovers"],
  ["dropped connection", "recovers"],
];

const explained: Array<[FaultName, string]> = [
  ["429 storm", "Error_throttled"],
  ["401 session expired", "Error_sessionExpired"],
  ["403 privilege", "Error_privilege"],
];

const actions: Action[] = ["load", "search", "assign", "remove", "enableSteps", "publish"];

export const SCENARIOS: Scenario[] = [
  ...actions.flatMap((action) => [...transient, ...explained].map(([fault, outcome]) => ({ action, fault, outcome }))),
  { action: "publish", fault: "publish lock", outcome: "recovers" },
  { action: "publish", fault: "publish fails", outcome: "Action_publishFailed" },
  // One read of the batch fails: that checklist line is "unknown" with the reason, the rest is judged.
  { action: "load", fault: "server error mid-batch", outcome: "Check_Unknown" },
  // The CLI signs in with a token: a 401 renews it once and goes on. A dropped upload is not
  // re-sent (an import is not safe to repeat blindly): it is explained, and nothing was imported.
  // The upload may take minutes (deploy gives it 10 minutes, not --timeout): a slow answer is waited for.
  ...(
    [
      ["429 with Retry-After", "recovers"],
      ["429 execution time", "recovers"],
      ["429 concurrent requests", "recovers"],
      ["503", "recovers"],
      ["slow answer", "recovers"],
      ["dropped connection", "Error_network"],
      ["429 storm", "Error_throttled"],
      ["401 session expired", "recovers"],
      ["403 privilege", "Error_privilege"],
    ] as Array<[FaultName, string]>
  ).map(([fault, outcome]) => ({ action: "CLI deploy" as Action, fault, outcome })),
];

/** The README table, one row per scenario. */
export function reliabilityTable(): string {
  const rows = SCENARIOS.map((s) => `| ${s.action} | ${s.fault} | ${s.outcome === "recovers" ? "retried or waited, then succeeds" : `explained: \`${s.outcome}\``} |`);
  return ["| action | fault | result |", "|---|---|---|", ...rows].join("\n");
}
