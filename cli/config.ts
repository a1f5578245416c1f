/**
 * Finds the Marketo Config table, its Marketo User lookup and the "Default" record from metadata:
 * Marketo documents their display names only, not their logical names (Adobe's Marketo docs, help/marketo/product-docs/crm-sync/microsoft-dynamics-sync/ in AdobeDocs/marketo.en),
 * so nothing here is hard-coded.
 */
import type { DataverseClient, ODataCollection } from "../core/dataverse/client";
import { anyOf, buildQuery, eq, literal } from "../core/dataverse/odata";
import { CliError, EXIT } from "./errors";

/** Display names of the table, in the languages Marketo ships (English, and French in AdobeDocs/marketo.fr-FR). */
export const CONFIG_DISPLAY_NAMES = ["Marketo Config", "Configuration Marketo"];
export const DEFAULT_RECORD_NAMES = ["Default", "Par défaut"];
/** System lookups to users every table has; the Marketo User is a custom one. */
const SYSTEM_USER_LOOKUPS = new Set(["createdby", "modifiedby", "createdonbehalfby", "modifiedonbehalfby", "owninguser", "ownerid"]);

export interface MarketoConfig {
  entity: string;
  entitySet: string;
  displayName: string;
  primaryId: string;
  primaryName: string;
  /** Logical name of the Marketo User lookup. */
  attribute: string;
  /** Its single-valued navigation property (for `@odata.bind`). */
  navigation: string;
  recordId: string;
  recordName: string;
  savedUserId: string | null;
  modifiedOn?: string;
}

interface Label {
  UserLocalizedLabel?: { Label?: string } | null;
  LocalizedLabels?: Array<{ Label?: string }>;
}

interface EntityMeta {
  LogicalName: string;
  EntitySetName: string;
  PrimaryIdAttribute: string;
  PrimaryNameAttribute: string;
  DisplayName?: Label;
}

const labels = (l: Label | undefined) => [l?.UserLocalizedLabel?.Label, ...(l?.LocalizedLabels ?? []).map((x) => x.Label)].filter((x): x is string => !!x);
const display = (e: EntityMeta) => labels(e.DisplayName)[0] ?? e.LogicalName;
const ENTITY_SELECT = ["LogicalName", "EntitySetName", "DisplayName", "PrimaryIdAttribute", "PrimaryNameAttribute"];

export async function findConfigEntity(client: DataverseClient, logicalName?: string): Promise<EntityMeta> {
  if (logicalName) {
    try {
      return await client.get<EntityMeta>(`EntityDefinitions(LogicalName=${literal(logicalName.toLowerCase())})` + buildQuery({ select: ENTITY_SELECT }));
    } catch (e) {
      if ((e as { kind?: string }).kind === "notFound") throw new CliError(EXIT.failed, "Cli_ConfigEntityUnknown", { entity: logicalName });
      throw e;
    }
  }
  const all = await client.get<ODataCollection<EntityMeta>>("EntityDefinitions" + buildQuery({ select: ENTITY_SELECT, filter: "IsCustomEntity eq true" }));
  const wanted = new Set(CONFIG_DISPLAY_NAMES.map((n) => n.toLowerCase()));
  const matches = all.value.filter((e) => labels(e.DisplayName).some((l) => wanted.has(l.trim().toLowerCase())));
  if (matches.length === 0) throw new CliError(EXIT.failed, "Cli_ConfigEntityNotFound", { name: CONFIG_DISPLAY_NAMES[0] });
  if (matches.length > 1) throw new CliError(EXIT.usage, "Cli_ConfigEntityAmbiguous", { name: CONFIG_DISPLAY_NAMES[0], entities: matches.map((m) => m.LogicalName).join(", ") });
  return matches[0];
}

interface Relationship {
  ReferencingAttribute: string;
  ReferencingEntityNavigationPropertyName: string;
  ReferencedEntity: string;
}

export async function findUserLookup(client: DataverseClient, entity: string, attribute?: string): Promise<{ attribute: string; navigation: string }> {
  const rels = await client.get<ODataCollection<Relationship>>(
    `EntityDefinitions(LogicalName=${literal(entity)})/ManyToOneRelationships` +
      buildQuery({ select: ["ReferencingAttribute", "ReferencingEntityNavigationPropertyName", "ReferencedEntity"], filter: eq("ReferencedEntity", "systemuser") }),
  );
  const lookups = rels.value.filter((r) => r.ReferencedEntity === "systemuser");
  if (attribute) {
    const hit = lookups.find((r) => r.ReferencingAttribute.toLowerCase() === attribute.toLowerCase());
    if (!hit) throw new CliError(EXIT.usage, "Cli_UserAttributeUnknown", { attribute, entity });
    return { attribute: hit.ReferencingAttribute, navigation: hit.ReferencingEntityNavigationPropertyName };
  }
  const custom = lookups.filter((r) => !SYSTEM_USER_LOOKUPS.has(r.ReferencingAttribute));
  if (custom.length === 0) throw new CliError(EXIT.failed, "Cli_UserAttributeNotFound", { entity });
  if (custom.length > 1) throw new CliError(EXIT.usage, "Cli_UserAttributeAmbiguous", { entity, attributes: custom.map((r) => r.ReferencingAttribute).join(", ") });
  return { attribute: custom[0].ReferencingAttribute, navigation: custom[0].ReferencingEntityNavigationPropertyName };
}

export interface ConfigOptions {
  configEntity?: string;
  userAttribute?: string;
}

export async function resolveConfig(client: DataverseClient, options: ConfigOptions): Promise<MarketoConfig> {
  const meta = await findConfigEntity(client, options.configEntity);
  const { attribute, navigation } = await findUserLookup(client, meta.LogicalName, options.userAttribute);
  const rows = await client.get<ODataCollection<Record<string, unknown>>>(
    meta.EntitySetName +
      buildQuery({
        select: [meta.PrimaryIdAttribute, meta.PrimaryNameAttribute, `_${attribute}_value`, "modifiedon"],
        filter: anyOf(DEFAULT_RECORD_NAMES.map((n) => eq(meta.PrimaryNameAttribute, n))),
        top: 2,
      }),
  );
  const row = rows.value[0];
  if (!row) throw new CliError(EXIT.failed, "Cli_DefaultRecordNotFound", { entity: display(meta), name: DEFAULT_RECORD_NAMES[0] });
  // Marketo reads one Default record: with two, which one it uses is not ours to guess.
  if (rows.value.length > 1) throw new CliError(EXIT.failed, "Cli_DefaultRecordAmbiguous", { entity: display(meta), name: DEFAULT_RECORD_NAMES[0] });
  const saved = row[`_${attribute}_value`];
  return {
    entity: meta.LogicalName,
    entitySet: meta.EntitySetName,
    displayName: display(meta),
    primaryId: meta.PrimaryIdAttribute,
    primaryName: meta.PrimaryNameAttribute,
    attribute,
    navigation,
    recordId: String(row[meta.PrimaryIdAttribute]),
    recordName: String(row[meta.PrimaryNameAttribute] ?? ""),
    savedUserId: typeof saved === "string" && saved ? saved : null,
    modifiedOn: typeof row.modifiedon === "string" ? row.modifiedon : undefined,
  };
}
