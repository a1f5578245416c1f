/**
 * What the admin using the control needs for each fix, so the panel can say so before the
 * click instead of after a 403. Names as Dataverse spells them (security role privileges).
 */
import type { FixId, SetupState } from "./types";

export const REQUIRED_PRIVILEGES: Partial<Record<FixId, string[]>> = {
  assignRole: ["prvReadRole", "prvAssignRole"],
  removeRoleFromOthers: ["prvReadRole", "prvAssignRole"],
  enableSteps: ["prvWriteSdkMessageProcessingStep"],
  publish: ["prvPublishCustomization"],
};

export const ALL_REQUIRED_PRIVILEGES = [...new Set(Object.values(REQUIRED_PRIVILEGES).flat())];

/** Privileges the current admin lacks for this fix; none when they could not be read (the server decides then). */
export function missingPrivileges(state: SetupState, fix: FixId): string[] {
  const held = state.adminPrivileges;
  if (!held?.ok) return [];
  const have = new Set(held.value.map((p) => p.toLowerCase()));
  return (REQUIRED_PRIVILEGES[fix] ?? []).filter((p) => !have.has(p.toLowerCase()));
}
