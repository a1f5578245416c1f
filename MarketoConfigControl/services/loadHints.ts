/**
 * What the form already knows that the checklist's first `$batch` would otherwise have to ask
 * first: the table's entity set name and the signed-in user's id. With them, the first load takes
 * one round trip instead of two (core/setup/load.ts checks both in that same batch).
 */
import type { LoadHints } from "../../core/setup/load";
import type { IInputs } from "../generated/ManifestTypes";

/**
 * `context.utils.getEntityMetadata` answers from the form's metadata cache for the form's own
 * table; `EntitySetName` is a property of its EntityMetadata (Microsoft Learn, "getEntityMetadata
 * (Power Apps component framework API reference)" and Xrm's EntityMetadata). Never rejects: a host
 * without it only costs the second round trip.
 */
export async function loadHints(context: ComponentFramework.Context<IInputs>, entity: string | undefined): Promise<LoadHints> {
  const callerId = context.userSettings?.userId || undefined;
  if (!entity) return { callerId };
  try {
    const metadata = (await context.utils.getEntityMetadata(entity, [])) as { EntitySetName?: unknown };
    const entitySet = typeof metadata?.EntitySetName === "string" && metadata.EntitySetName ? metadata.EntitySetName : undefined;
    return { callerId, entitySets: entitySet ? { [entity.toLowerCase()]: entitySet } : undefined };
  } catch {
    return { callerId };
  }
}
