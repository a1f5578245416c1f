/**
 * Everything the control reads from its PCF host, in one place: which record and attribute it
 * sits on, whether it may change anything, the organisation URL, the language, the lookup dialog.
 */
import type { ConfigRecordRef } from "../../core/setup/types";
import { ManifestDefaults, ManifestProperties } from "../manifest";
import type { IInputs } from "../generated/ManifestTypes";

type Context = ComponentFramework.Context<IInputs>;

interface ContextInfo {
  entityTypeName?: string;
  entityId?: string;
}

// contextInfo is on the mode object in model-driven forms, missing from the typings.
const contextInfo = (context: Context): ContextInfo => (context.mode as unknown as { contextInfo?: ContextInfo }).contextInfo ?? {};

/** The form's table, known on a new record too. */
export function formEntity(context: Context): string | undefined {
  return contextInfo(context).entityTypeName;
}

/** The record the form shows; null on a new, unsaved record (it has no id yet). */
export function configRecord(context: Context): ConfigRecordRef | null {
  const info = contextInfo(context);
  const attribute = context.parameters.marketoUser.attributes?.LogicalName;
  if (!info.entityTypeName || !info.entityId || !attribute) return null;
  return { entity: info.entityTypeName, id: info.entityId, attribute };
}

/**
 * Why the Marketo User field cannot be changed here, or null when it can. Field security
 * (`security.editable` false: a field security profile withholds Update) is named first: it is
 * the narrower reason and the one an admin can grant. Otherwise `isControlDisabled`: the form or
 * the record is read-only (an inactive record, no Write privilege on the table, a read-only form).
 * Microsoft's PCF docs ("Property security", "mode.isControlDisabled") say to honour both.
 */
export type FieldLock = "fieldSecurity" | "readOnlyForm";

export function fieldLock(context: Context): FieldLock | null {
  if (context.parameters.marketoUser.security?.editable === false) return "fieldSecurity";
  return context.mode.isControlDisabled ? "readOnlyForm" : null;
}

/** The documented read-only rule for the FIELD (`isControlDisabled || !security.editable`), recomputed on every updateView. */
export function isReadOnly(context: Context): boolean {
  return fieldLock(context) !== null;
}

export function roleName(context: Context): string {
  return context.parameters.roleName?.raw?.trim() || ManifestDefaults.roleName;
}

export function solutionName(context: Context): string {
  return context.parameters.solutionName?.raw?.trim() || ManifestDefaults.solutionName;
}

/** The organisation URL: Xrm's global context where it exists (documented), else this page's origin. */
export function clientUrl(): string {
  const xrm = (globalThis as { Xrm?: { Utility?: { getGlobalContext?: () => { getClientUrl(): string } } } }).Xrm;
  const url = xrm?.Utility?.getGlobalContext?.().getClientUrl();
  return (url || window.location.origin).replace(/\/+$/, "");
}

const LOCALES: Record<number, string> = { 1033: "en-US", 1036: "fr-FR" };

export function locale(context: Context): string {
  return LOCALES[context.userSettings.languageId] ?? "en-US";
}

/**
 * The platform's own lookup dialog, as a fallback to the search. It opens on the lookup view the form
 * sets for the column (`getViewId()`, as Microsoft's LookupSimpleControl sample passes it), and the
 * admin may still switch to another view, such as Application Users.
 */
export async function browseUsers(context: Context): Promise<ComponentFramework.LookupValue | null> {
  const viewId = context.parameters.marketoUser.getViewId?.();
  const picked = await context.utils.lookupObjects({
    allowMultiSelect: false,
    defaultEntityType: "systemuser",
    entityTypes: ["systemuser"],
    // Only the default: `viewIds` would limit the dialog's view picker to that one view.
    ...(viewId ? { defaultViewId: viewId } : {}),
  });
  return picked?.[0] ?? null;
}

export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The bound Marketo User as the panel shows it: lower-case id without braces (Xrm gives `{GUID}`). */
export function toPickedUser(value: ComponentFramework.LookupValue | null | undefined): { id: string; name: string } | null {
  return value ? { id: value.id.replace(/[{}]/g, "").toLowerCase(), name: value.name ?? "" } : null;
}

/** The platform reports these when the bound value or the record changed (a pick, a save, a reload). */
const REFRESHING = new Set<string>([ManifestProperties.marketoUser, "entityId", "parameters"]);

/**
 * Whether to load again: the platform named the bound value or the record, or, while the form holds a
 * Marketo User the last load did not see saved (`savedId`, undefined before any load), an updateView
 * names nothing. Dynamics documents no updatedProperties value for a save, so a save is seen even
 * then; one that names something else (layout, another input) reloads nothing.
 */
export function shouldRefresh(context: Context, savedId?: string | null): boolean {
  if (context.updatedProperties?.some((p) => REFRESHING.has(p))) return true;
  const unsaved = savedId !== undefined && (toPickedUser(context.parameters.marketoUser.raw?.[0])?.id ?? null) !== savedId;
  return unsaved && !context.updatedProperties?.length;
}
