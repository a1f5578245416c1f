/**
 * Dataverse's customization lock: one solution operation (import, publish, uninstall…) at a time; another
 * one asked for meanwhile is refused until the first ends ("Concurrent solution operation failures" and
 * "Can't import solutions or publish unmanaged changes in Power Platform", Microsoft Learn troubleshooting).
 *
 * Which answer for which pair follows "Web service error codes" (data-service-error-codes.md):
 *   same operation running           → 0x8004F063 CustomizationLockEx_BothKnownSame
 *                                       "Cannot start another [X] because there is a previous [X] running…"
 *   another operation running        → 0x8004F064 CustomizationLockEx_BothKnownDifferent
 *                                       "Cannot start the requested operation [X] because there is another [Y] running…"
 *   an import during an import       → 0x80071151 "The solution installation or removal failed due to the
 *                                       installation or removal of another solution at the same time" (KB 4343228),
 *                                       as HTTP 429, the status public reports show for it.
 * The HTTP status of the 0x8004F06x answers is not documented: 400 here (uncertain). The service names the
 * operations PublishAll (PublishAllXml, PublishAllXmlAsync), Publish (PublishXml) and Import (ImportSolution*).
 * The other forms (0x8004F061/62/67, the text under another code) come from fault presets (faults.ts).
 */
import { Codes, HttpError } from "../errors";
import type { Org } from "../store";

export type SolutionOperation = "PublishAll" | "Publish" | "Import";

const HISTORY = "Use Solution History for more details.";

/** The lock texts of the error reference, with the operations filled in (undefined: unnamed). */
export const lockMessages = {
  bothUnknown: () => `Cannot start the requested operation because there is a customization running at this moment. ${HISTORY}`,
  blockedUnknown: (running: string) => `Cannot start the requested operation because there is another [${running}] running at this moment. ${HISTORY}`,
  bothKnownSame: (op: string) => `Cannot start another [${op}] because there is a previous [${op}] running at this moment. ${HISTORY}`,
  bothKnownDifferent: (requested: string, running: string) => `Cannot start the requested operation [${requested}] because there is another [${running}] running at this moment. ${HISTORY}`,
  blockingUnknown: (requested: string) => `Cannot start the requested operation [${requested}] because there is a customization running at this moment. ${HISTORY}`,
  solutionConcurrency: () => "The solution installation or removal failed due to the installation or removal of another solution at the same time. Please try again later.",
};

/** The solution operation running now, if any (jobs are brought up to date with the clock first). */
export function runningSolutionOperation(org: Org, now = Date.now()): SolutionOperation | undefined {
  if (org.publishRunning(now)) return "PublishAll";
  if (org.jobs.some((j) => j.kind === "import" && !j.done)) return "Import";
  return undefined;
}

/** The refusal Dataverse gives `requested` while another solution operation runs, or undefined. */
export function solutionLockError(org: Org, requested: SolutionOperation): HttpError | undefined {
  const running = runningSolutionOperation(org);
  if (!running) return undefined;
  if (requested === "Import" && running === "Import") return new HttpError(429, Codes.solutionConcurrency, lockMessages.solutionConcurrency());
  if (requested === running) return new HttpError(400, Codes.publishRunning, lockMessages.bothKnownSame(requested));
  return new HttpError(400, Codes.importRunning, lockMessages.bothKnownDifferent(requested, running));
}

/** Throws the lock refusal when another solution operation runs. */
export function checkSolutionLock(org: Org, requested: SolutionOperation): void {
  const error = solutionLockError(org, requested);
  if (error) throw error;
}
