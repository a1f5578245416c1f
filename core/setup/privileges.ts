/**
 * What the admin using the control needs for each fix (core/setup/fixes.ts), so the panel can say
 * so before the click instead of after a 403.
 */
import { FIXES, FIX_IDS } from "./fixes";
import type { FixId, SetupState } from "./types";

export const ALL_REQUIRED_PRIVILEGES = [...new Set(FIX_IDS.flatMap((fix) => FIXES[fix].privileges))];

/** Privileges the current admin lacks for this fix; none when they could not be read (the server decides then). */
export function missingPrivileges(state: SetupState, fix: FixId): string[] {
  const held = state.adminPrivileges;
  if (!held?.ok) return [];
  const have = new Set(held.value.map((p) => p.toLowerCase()));
  return FIXES[fix].privileges.filter((p) => !have.has(p.toLowerCase()));
}

/** The fixes the admin's roles do not allow, with the privileges missing for each. */
export function blockedFixes(state: SetupState): Partial<Record<FixId, string[]>> {
  const blocked: Partial<Record<FixId, string[]>> = {};
  for (const fix of FIX_IDS) {
    const missing = missingPrivileges(state, fix);
    if (missing.length) blocked[fix] = missing;
  }
  return blocked;
}
