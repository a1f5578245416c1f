/**
 * Bundled for the page by bench/browser.ts: the three loaders, run inside Chromium against the
 * harness origin, so the comparison pays the browser's own HTTP costs (at most six connections
 * to one HTTP/1.1 origin, which caps the parallel baseline); and the search-box baseline.
 */
import { DataverseClient } from "../core/dataverse/client";
import { evaluate } from "../core/setup/evaluate";
import { loadSetupState, type LoadHints } from "../core/setup/load";
import { searchUsers } from "../core/setup/search";
import type { SetupInput } from "../core/setup/types";
import { clientFor, type LoaderKind } from "./sequentialLoader";

/**
 * A fresh client's load (the control just opened, with the form's hints), or with `later` the
 * second load of a client (a refresh).
 */
async function timeToChecklist(kind: LoaderKind, input: SetupInput, later = false, hints?: LoadHints): Promise<number> {
  const client = clientFor(kind, { orgUrl: location.origin });
  if (later) await loadSetupState(client, input, { hints });
  const start = performance.now();
  const items = evaluate(await loadSetupState(client, input, { hints }));
  if (items.length < 10) throw new Error("incomplete checklist");
  return performance.now() - start;
}

/**
 * The search-box baseline: a plain input that sends the same search (core/setup/search.ts) on
 * every keystroke, without the debounce and cancellation of our picker. `settled()` resolves once
 * every search it sent has answered.
 */
function mountPerKeystrokePicker(roleName: string): void {
  const client = new DataverseClient({ orgUrl: location.origin });
  const box = document.createElement("input");
  box.id = "mss-bench-naive-picker";
  box.setAttribute("aria-label", "per-keystroke picker");
  const list = document.createElement("ul");
  let pending = 0;
  const idle: Array<() => void> = [];
  box.addEventListener("input", () => {
    pending++;
    searchUsers(client, { text: box.value, roleName, includeAllUsers: true })
      .then((users) => void (list.innerHTML = users.map((u) => `<li>${u.fullName.replace(/</g, "&lt;")}</li>`).join("")))
      .catch(() => undefined)
      .finally(() => {
        if (--pending === 0) idle.splice(0).forEach((f) => f());
      });
  });
  document.body.append(box, list);
  Object.assign(bench, { pickerSettled: () => (pending === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))) });
}

const bench = { timeToChecklist, mountPerKeystrokePicker };
(window as unknown as { mssBench: unknown }).mssBench = bench;
