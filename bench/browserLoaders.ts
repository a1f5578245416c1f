/**
 * Bundled for the page by bench/browser.ts: both loaders, run inside Chromium against the
 * harness origin, so the comparison pays the browser's own HTTP costs.
 */
import { DataverseClient } from "../core/dataverse/client";
import { evaluate } from "../core/setup/evaluate";
import { loadSetupState } from "../core/setup/load";
import type { SetupInput } from "../core/setup/types";
import { SequentialClient } from "./sequentialLoader";

async function timeToChecklist(kind: "batched" | "sequential", input: SetupInput): Promise<number> {
  const options = { orgUrl: location.origin };
  const client = kind === "sequential" ? new SequentialClient(options) : new DataverseClient(options);
  const start = performance.now();
  const items = evaluate(await loadSetupState(client, input));
  if (items.length < 10) throw new Error("incomplete checklist");
  return performance.now() - start;
}

(window as unknown as { mssBench: unknown }).mssBench = { timeToChecklist };
