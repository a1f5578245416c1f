/**
 * Every fix the checklist offers, in one table: the button's label, the operation that names its
 * errors and its "needs privilege" text (`Privilege_<operation>`), the security role privileges it
 * needs (as Dataverse spells them) and the string said once it is done. The control and the CLI both
 * read it. The CLI command that does the same from a terminal is in FIX_COMMANDS, apart, so that the
 * control's bundle leaves the CLI's command lines out.
 */
import type { Operation } from "./messages";
import type { FixId } from "./types";

export interface FixSpec {
  /** The button's text on the checklist line. */
  labelKey: string;
  /** What the error of a failed run is about; also its `Privilege_<operation>` hint. */
  operation?: Operation;
  /** Privileges the admin needs, said before the click instead of after a 403. */
  privileges: readonly string[];
  /** Said (aria-live) once it succeeded. */
  doneKey?: string;
}

export const FIXES: Readonly<Record<FixId, FixSpec>> = {
  pickUser: { labelKey: "Fix_pickUser", privileges: [] },
  assignRole: {
    labelKey: "Fix_assignRole",
    operation: "assignRole",
    privileges: ["prvReadRole", "prvAssignRole"],
    doneKey: "Done_assignRole",
  },
  // Before 4.0.0.14: every enabled user gets its business unit's copy, in batches.
  assignRoleToEveryone: {
    labelKey: "Fix_assignRoleToEveryone",
    operation: "assignRole",
    privileges: ["prvReadRole", "prvAssignRole"],
    doneKey: "Done_assignRoleToEveryone",
  },
  // From users directly, and from teams that give it to their members (prvWriteTeam: the team changes).
  removeRoleFromOthers: {
    labelKey: "Fix_removeRoleFromOthers",
    operation: "removeRole",
    privileges: ["prvReadRole", "prvAssignRole"],
    doneKey: "Done_removeRole",
  },
  removeRoleFromDisabled: {
    labelKey: "Fix_removeRoleFromDisabled",
    operation: "removeRole",
    privileges: ["prvReadRole", "prvAssignRole"],
    doneKey: "Done_removeRole",
  },
  enableSteps: {
    labelKey: "Fix_enableSteps",
    operation: "enableSteps",
    privileges: ["prvWriteSdkMessageProcessingStep"],
    doneKey: "Done_enableSteps",
  },
  publish: { labelKey: "Fix_publish", operation: "publish", privileges: ["prvPublishCustomization"], doneKey: "Publish_Done" },
  // Creates the user (prvCreateUser), finds its business unit's copy of the role and assigns it.
  createAppUser: {
    labelKey: "Fix_createAppUser",
    operation: "createAppUser",
    privileges: ["prvCreateUser", "prvReadBusinessUnit", "prvReadRole", "prvAssignRole"],
    doneKey: "Done_createAppUser",
  },
};

export const FIX_IDS = Object.keys(FIXES) as FixId[];

/** The fixes that need no choice from the admin beyond a confirmation (picking or creating the user do). */
export type SafeFix = Exclude<FixId, "pickUser" | "createAppUser">;

/**
 * The order Fix everything runs them in (core/setup/plan.ts): the sync user holds the role before
 * anybody else loses it, and the publish comes after every change it publishes.
 */
export const SAFE_FIX_ORDER: readonly SafeFix[] = ["assignRole", "assignRoleToEveryone", "removeRoleFromOthers", "removeRoleFromDisabled", "enableSteps", "publish"];

/** The fixes that change who holds the role: each names the users (and teams) it changes in its confirmation. */
export const NAMING_FIXES: ReadonlySet<FixId> = new Set<FixId>(["assignRoleToEveryone", "removeRoleFromOthers", "removeRoleFromDisabled"]);

/** `marketo-dynamics <command>` does what the fix does. */
export const FIX_COMMANDS: Readonly<Record<FixId, string>> = {
  pickUser: "set-user <user>",
  assignRole: "assign-role",
  assignRoleToEveryone: "assign-role --everyone",
  removeRoleFromOthers: "remove-role --others",
  removeRoleFromDisabled: "remove-role --disabled",
  enableSteps: "enable-steps",
  publish: "publish",
  createAppUser: "create-sync-user --client-id <id>",
};

/** The command line that fixes a checklist line. */
export function fixCommand(fix: FixId): string {
  return `marketo-dynamics ${FIX_COMMANDS[fix]}`;
}
