import type { ErrorKind } from "../../../core/dataverse/errors";
import type { ActionErrorKey } from "../../../core/setup/actions";
import { evaluate } from "../../../core/setup/evaluate";
import type { SetupState } from "../../../core/setup/types";
import { passingState, user } from "../../helpers/stateBuilder";
import { readResx } from "../../helpers/resx";
import { DataverseError } from "../../../core/dataverse/errors";

const en = readResx("1033");
const fr = readResx("1036");

describe("resx files", () => {
  it("English and French have exactly the same keys", () => {
    expect([...fr.keys()].sort()).toEqual([...en.keys()].sort());
    expect(en.size).toBeGreaterThan(50);
  });

  it("no string is empty, and French placeholders match English ones", () => {
    for (const [key, text] of en) {
      expect(text.trim()).not.toBe("");
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect([key, placeholders(fr.get(key)!)]).toEqual([key, placeholders(text)]);
    }
  });

  it("uses the French terms Microsoft and Adobe use", () => {
    const all = [...fr.values()].join("\n");
    expect(all).toContain("Publier toutes les personnalisations");
    expect(all).toContain("Configuration Marketo");
    expect(all).toContain("Utilisateur Marketo");
    expect(all).toContain("ID de locataire");
    expect(all).toContain("utilisateur de synchronisation"); // the sync user (tests/unit/control/translate.test.ts: one name)
  });
});

describe("every key the core can produce has a string", () => {
  const kinds: ErrorKind[] = [
    "privilege",
    "notFound",
    "badQuery",
    "throttled",
    "publishBusy",
    "wrongBusinessUnit",
    "sessionExpired",
    "duplicate",
    "timeout",
    "aborted",
    "network",
    "server",
    "unknown",
  ];
  const actions: ActionErrorKey[] = ["noUser", "noRoleCopy", "refuseSyncUser", "publishFailed", "publishTimeout", "publishLocked", "importLocked", "stateUnknown"];

  it.each(kinds)("Error_%s", (kind) => expect(en.has(`Error_${kind}`)).toBe(true));
  it.each(actions)("Action_%s", (key) => expect(en.has(`Action_${key}`)).toBe(true));

  it("every checklist message, detail and status of many states", () => {
    const variants: Array<(s: SetupState) => void> = [
      () => undefined,
      (s) => (s.solution = { ok: true, value: null }),
      (s) => (s.solution = { ok: false, error: new DataverseError("privilege", { status: 403, message: "x" }) }),
      (s) => (s.steps = { ok: true, value: [] }),
      (s) => (s.steps = { ok: true, value: [{ id: "a", name: "a", enabled: false }] }),
      (s) => (s.savedUserId = { ok: true, value: null }),
      (s) => ((s.input.chosenUserId = null), (s.chosenUser = undefined), (s.savedUserId = { ok: true, value: null })),
      (s) => s.chosenUser?.ok && Object.assign(s.chosenUser.value, { isDisabled: true, applicationId: undefined, directRoleIds: [] }),
      (s) => s.chosenUser?.ok && Object.assign(s.chosenUser.value, { directRoleIds: [], roleTeams: ["T"] }),
      (s) => (s.roles = { ok: true, value: [] }),
      (s) => s.roles.ok && s.roles.value[0].holders.push(user("x", "X")),
      (s) => s.solution.ok && s.solution.value && (s.solution.value.version = "4.0.0.13"),
      (s) => (s.configReadable = { ok: true, value: false }),
      (s) => (s.input.publishLog = {}),
      (s) => (s.input.publishLog = { lastChangeAt: "2030-01-01T00:00:00Z", lastPublishAt: "2029-01-01T00:00:00Z" }),
      (s) => (s.syncFilter = {}),
      (s) => ((s.input.signedInAsMarketo = true), (s.currentUserId = s.input.chosenUserId ?? undefined)),
      (s) => ((s.input.signedInAsMarketo = true), (s.currentUserId = "someone-else")),
    ];
    const keys = new Set<string>();
    for (const change of variants) {
      const s = passingState();
      change(s);
      for (const item of evaluate(s)) {
        keys.add(item.messageKey);
        if (item.detailKey) keys.add(item.detailKey);
        keys.add(`Status_${item.status}`);
        keys.add(`CheckTitle_${item.id.replace(".", "_")}`);
      }
    }
    expect(keys.size).toBeGreaterThan(40);
    expect([...keys].filter((k) => !en.has(k))).toEqual([]);
  });
});
