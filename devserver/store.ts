/**
 * The in-memory organisation: table definitions, rows, N:N links and org-level state
 * (publish and import jobs). Routes read and change it; tests can inspect and change it too.
 */
import { knownPrivileges, privilegeId } from "./security";
import { randomUUID } from "node:crypto";
import { Directory } from "./entra/directory";
import type { Fixture, OrganizationInfo, Row } from "./fixture";
import { AttributeDef, EntityDef, ManyToManyDef, OneToManyDef, STANDARD_ENTITIES, STANDARD_MANY_TO_MANY, STANDARD_ONE_TO_MANY, propertyName } from "./schema";

export interface Entity extends EntityDef {
  attributeMap: Map<string, AttributeDef>;
  /** Web API property name (`_x_value` for lookups) → attribute. */
  propertyMap: Map<string, AttributeDef>;
}

export type Navigation =
  | { kind: "single"; attribute: AttributeDef; target: Entity }
  | { kind: "oneToMany"; relationship: OneToManyDef; target: Entity }
  | { kind: "manyToMany"; relationship: ManyToManyDef; target: Entity; selfIsEntity1: boolean };

export interface Job {
  id: string;
  kind: "publish" | "import";
  startedAt: number;
  durationMs: number;
  fail?: string;
  done: boolean;
  importJobId?: string;
  /** Called on each tick while the job runs, with the elapsed fraction (0–1). */
  progress?: (fraction: number) => void;
  /** Called once when the job completes (success or failure), with its completion time. */
  finish?: (completedon: string) => void;
}

export const ALL_ACCESS = ["ReadAccess", "WriteAccess", "AppendAccess", "AppendToAccess", "CreateAccess", "DeleteAccess", "ShareAccess", "AssignAccess"];

export function newGuid(): string {
  return randomUUID();
}

export class Org {
  readonly entities = new Map<string, Entity>();
  readonly bySet = new Map<string, Entity>();
  readonly tables = new Map<string, Map<string, Row>>();
  readonly oneToMany: OneToManyDef[];
  readonly manyToMany: ManyToManyDef[];
  /** relationship schema name → set of "id1|id2" */
  readonly links = new Map<string, Set<string>>();
  private loaded = false;
  readonly organization: OrganizationInfo;
  currentUserId: string;
  readonly fixture: Fixture;
  /** The organisation's Microsoft Entra tenant: app registrations and service principals. */
  readonly entra: Directory;
  denied: Record<string, string[]>;
  roleAccess: Record<string, Record<string, string[]>>;
  publishDurationMs: number;
  importDurationMs: number;
  /** When customizations were last published (ISO), or null: tests read it. */
  lastPublishedOn: string | null = null;
  publishCount = 0;
  jobs: Job[] = [];
  /** A sync PublishAllXml in progress holds the same lock as an async one. */
  syncPublishRunning = false;
  /** Set by the "publishFail" fault: the next publish fails with this message. */
  failNextPublish: string | null = null;
  /** Solution files received by ImportSolution(Async), newest last. */
  imports: Array<{ importJobId: string; bytes: number; at: string; overwriteUnmanagedCustomizations: boolean; publishWorkflows: boolean }> = [];
  /** PublishXml calls (tables published), newest last. */
  publishedXml: Array<{ entities: string[]; at: string }> = [];
  private version = 1000;

  constructor(fixture: Fixture) {
    this.fixture = fixture;
    this.organization = { ...fixture.organization };
    this.currentUserId = fixture.currentUserId;
    this.entra = new Directory(fixture.organization.TenantId, fixture);
    this.denied = structuredClone(fixture.security?.denied ?? {});
    this.roleAccess = structuredClone(fixture.security?.roleAccess ?? {});
    this.publishDurationMs = fixture.settings?.publishDurationMs ?? 300;
    this.importDurationMs = fixture.settings?.importDurationMs ?? 300;
    const defs = [...STANDARD_ENTITIES.map((e) => structuredClone(e)), ...(fixture.entities ?? []).map((e) => structuredClone(e))];
    for (const [logical, extra] of Object.entries(fixture.extraAttributes ?? {})) {
      const def = defs.find((d) => d.logicalName === logical);
      if (!def) throw new Error(`Fixture adds attributes to unknown table '${logical}'`);
      def.attributes.push(...structuredClone(extra));
    }
    for (const def of defs) {
      const entity: Entity = { ...def, attributeMap: new Map(), propertyMap: new Map() };
      for (const a of def.attributes) {
        entity.attributeMap.set(a.logicalName, a);
        entity.propertyMap.set(propertyName(a), a);
      }
      this.entities.set(def.logicalName, entity);
      this.bySet.set(def.entitySetName, entity);
      this.tables.set(def.logicalName, new Map());
    }
    this.oneToMany = [...STANDARD_ONE_TO_MANY, ...(fixture.oneToMany ?? [])];
    this.manyToMany = [...STANDARD_MANY_TO_MANY, ...(fixture.manyToMany ?? [])];
    for (const r of this.manyToMany) this.links.set(r.schemaName, new Set());

    const privilegeTable = this.entity("privilege");
    for (const name of this.privilegeNames()) this.insert(privilegeTable, { privilegeid: privilegeId(name), name });
    for (const [logical, rows] of Object.entries(fixture.records)) {
      const entity = this.entity(logical);
      for (const row of rows) this.insert(entity, structuredClone(row));
    }
    for (const [rel, pairs] of Object.entries(fixture.associations)) {
      const set = this.links.get(rel);
      if (!set) throw new Error(`Fixture links unknown relationship '${rel}'`);
      for (const [a, b] of pairs) set.add(`${a.toLowerCase()}|${b.toLowerCase()}`);
    }
    for (const user of this.tables.get("systemuser")!.values()) this.joinDefaultTeam(user);
    this.loaded = true;
  }

  /**
   * A business unit's default team "always contains all users associated with that business unit";
   * its members cannot be added or removed by hand (Power Platform admin, "Security concepts in
   * Microsoft Dataverse", Teams). So membership follows the user's business unit, here as in Dataverse:
   * on creation, and when the user moves from `previousUnit` to another.
   */
  moveDefaultTeam(user: Row, previousUnit: unknown): void {
    const links = this.links.get("teammembership_association")!;
    for (const team of this.defaultTeamsOf(previousUnit)) links.delete(`${team}|${user.systemuserid}`);
    this.joinDefaultTeam(user);
  }

  private joinDefaultTeam(user: Row): void {
    const links = this.links.get("teammembership_association")!;
    for (const team of this.defaultTeamsOf(user._businessunitid_value)) links.add(`${team}|${user.systemuserid}`);
  }

  private defaultTeamsOf(unit: unknown): string[] {
    if (!unit) return [];
    return [...this.tables.get("team")!.values()].filter((t) => t.isdefault === true && t._businessunitid_value === unit).map((t) => String(t.teamid));
  }

  /** The privileges this organisation knows: one set per table plus the global ones. */
  privilegeNames(): string[] {
    return knownPrivileges([...this.entities.values()].map((e) => e.schemaName));
  }

  entity(logicalName: string): Entity {
    const e = this.entities.get(logicalName);
    if (!e) throw new Error(`Unknown table '${logicalName}'`);
    return e;
  }

  table(entity: Entity): Map<string, Row> {
    return this.tables.get(entity.logicalName)!;
  }

  nextVersion(): number {
    return ++this.version;
  }

  /** Adds a row, filling the primary key, timestamps and row version. */
  insert(entity: Entity, row: Row): Row {
    const idKey = entity.primaryIdAttribute;
    const id = String(row[idKey] ?? newGuid()).toLowerCase();
    const now = new Date().toISOString();
    const full: Row = { createdon: now, modifiedon: now, ...row, [idKey]: id, versionnumber: this.nextVersion() };
    this.table(entity).set(id, full);
    // The fixture's users join their default team once every team is loaded (constructor).
    if (this.loaded && entity.logicalName === "systemuser") this.joinDefaultTeam(full);
    return full;
  }

  get(logicalName: string, id: string): Row | undefined {
    return this.tables.get(logicalName)?.get(id.toLowerCase());
  }

  /** Resolves a navigation property of `entity`: lookup, 1:N collection or N:N collection. */
  navigation(entity: Entity, name: string): Navigation | undefined {
    for (const a of entity.attributes) {
      if ((a.type === "Lookup" || a.type === "Owner") && (a.navigationProperty ?? a.logicalName) === name) {
        return { kind: "single", attribute: a, target: this.entity(a.targets![0]) };
      }
    }
    const otm = this.oneToMany.find((r) => r.schemaName === name && r.referencedEntity === entity.logicalName);
    if (otm) return { kind: "oneToMany", relationship: otm, target: this.entity(otm.referencingEntity) };
    const mtm = this.manyToMany.find((r) => r.schemaName === name && (r.entity1 === entity.logicalName || r.entity2 === entity.logicalName));
    if (mtm) {
      const selfIsEntity1 = mtm.entity1 === entity.logicalName;
      return { kind: "manyToMany", relationship: mtm, target: this.entity(selfIsEntity1 ? mtm.entity2 : mtm.entity1), selfIsEntity1 };
    }
    return undefined;
  }

  /** Rows reached from `row` through a collection navigation. */
  related(entity: Entity, row: Row, nav: Navigation): Row[] {
    const id = String(row[entity.primaryIdAttribute]);
    const target = this.table(nav.target);
    if (nav.kind === "oneToMany") {
      const key = `_${nav.relationship.referencingAttribute}_value`;
      return [...target.values()].filter((r) => r[key] === id);
    }
    if (nav.kind === "manyToMany") {
      const out: Row[] = [];
      for (const pair of this.links.get(nav.relationship.schemaName)!) {
        const [a, b] = pair.split("|");
        const other = nav.selfIsEntity1 ? (a === id ? b : undefined) : b === id ? a : undefined;
        const r = other ? target.get(other) : undefined;
        if (r) out.push(r);
      }
      return out;
    }
    const ref = row[`_${nav.attribute.logicalName}_value`];
    const r = typeof ref === "string" ? target.get(ref) : undefined;
    return r ? [r] : [];
  }

  isLinked(rel: ManyToManyDef, id1: string, id2: string): boolean {
    return this.links.get(rel.schemaName)!.has(`${id1}|${id2}`);
  }

  link(rel: ManyToManyDef, id1: string, id2: string): void {
    this.links.get(rel.schemaName)!.add(`${id1}|${id2}`);
  }

  unlink(rel: ManyToManyDef, id1: string, id2: string): boolean {
    return this.links.get(rel.schemaName)!.delete(`${id1}|${id2}`);
  }

  /** Roles a user holds directly and through its teams (by role row). */
  rolesOf(userId: string): { direct: Row[]; viaTeams: Row[] } {
    const roles = this.tables.get("role")!;
    const direct: Row[] = [];
    const viaTeams: Row[] = [];
    for (const pair of this.links.get("systemuserroles_association")!) {
      const [u, r] = pair.split("|");
      if (u === userId && roles.has(r)) direct.push(roles.get(r)!);
    }
    const teams = new Set<string>();
    for (const pair of this.links.get("teammembership_association")!) {
      const [t, u] = pair.split("|");
      if (u === userId) teams.add(t);
    }
    for (const pair of this.links.get("teamroles_association")!) {
      const [t, r] = pair.split("|");
      if (teams.has(t) && roles.has(r)) viaTeams.push(roles.get(r)!);
    }
    return { direct, viaTeams };
  }

  /** Access rights of a user on a table, from the roles' grants (fixture `security.roleAccess`). */
  accessRights(userId: string, entityLogicalName: string): string[] {
    const { direct, viaTeams } = this.rolesOf(userId);
    const rights = new Set<string>();
    for (const role of [...direct, ...viaTeams]) {
      const grants = this.roleAccess[String(role.name)];
      for (const r of [...(grants?.["*"] ?? []), ...(grants?.[entityLogicalName] ?? [])]) rights.add(r);
    }
    return ALL_ACCESS.filter((r) => rights.has(r));
  }

  /** Brings publish/import jobs up to date with the clock; time is computed, no timers run. */
  tick(now = Date.now()): void {
    for (const job of this.jobs) {
      if (job.done) continue;
      const op = this.get("asyncoperation", job.id);
      if (!op) {
        job.done = true;
        continue;
      }
      const elapsed = now - job.startedAt;
      if (elapsed >= job.durationMs) {
        const completedon = new Date(job.startedAt + job.durationMs).toISOString();
        job.done = true;
        Object.assign(op, { statecode: 3, statuscode: job.fail ? 31 : 30, completedon, modifiedon: completedon, versionnumber: this.nextVersion() });
        if (job.fail) Object.assign(op, { message: job.fail, friendlymessage: job.fail });
        if (job.kind === "publish" && !job.fail) {
          this.lastPublishedOn = completedon;
          this.publishCount++;
        }
        if (job.finish) job.finish(completedon);
        else if (job.kind === "import" && job.importJobId) {
          const ij = this.get("importjob", job.importJobId);
          if (ij) Object.assign(ij, { progress: 100, completedon, modifiedon: completedon, versionnumber: this.nextVersion() });
        }
      } else {
        if (elapsed >= job.durationMs * 0.2 && op.statecode !== 2) {
          Object.assign(op, { statecode: 2, statuscode: 20, startedon: new Date(job.startedAt).toISOString(), versionnumber: this.nextVersion() });
        }
        job.progress?.(job.durationMs > 0 ? elapsed / job.durationMs : 1);
      }
    }
  }

  publishRunning(now = Date.now()): boolean {
    this.tick(now);
    return this.syncPublishRunning || this.jobs.some((j) => j.kind === "publish" && !j.done);
  }

  /** A deep copy of rows and links, to roll back a failed change set. */
  snapshot(): () => void {
    const tables = new Map([...this.tables].map(([k, v]) => [k, new Map([...v].map(([id, row]) => [id, structuredClone(row)]))]));
    const links = new Map([...this.links].map(([k, v]) => [k, new Set(v)]));
    return () => {
      for (const [k, v] of tables) this.tables.set(k, v);
      for (const [k, v] of links) this.links.set(k, v);
    };
  }
}
