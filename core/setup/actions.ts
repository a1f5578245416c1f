/**
 * The fixes. Each one changes only what the admin clicked for, treats "already done" as done
 * (so a retry never doubles anything), and reports failures as typed errors.
 */
import { escapeXml } from "../dataverse/xml";
import type { WebApiClient } from "../dataverse/webApiClient";
import { blockingOperation, ErrorCodes, isDataverseError, isSolutionLock } from "../dataverse/errors";
import { buildQuery, recordPath } from "../dataverse/odata";
import { disabledSteps } from "./steps";
import type { RoleTeam, SetupState, UserInfo } from "./types";

export type ActionErrorKey =
  | "noUser"
  | "noRoleCopy"
  | "refuseSyncUser"
  | "publishFailed"
  | "publishTimeout"
  | "publishLocked"
  | "importLocked"
  | "stateUnknown"
  // Creating the application user (applicationUser.ts).
  | "appUserExists"
  | "appUserDisabled"
  | "appUserNoServicePrincipal"
  | "appUserBusinessUnitGone"
  | "appUserRoleNotAssigned";

/** A precondition the action checks itself (no request was sent, nothing changed). */
export class SetupActionError extends Error {
  constructor(
    readonly key: ActionErrorKey,
    message: string,
    readonly params: Record<string, string | number> = {},
    readonly cause?: unknown,
    /** The user the refusal is about (an existing application user to pick, one created without its role). */
    readonly user?: UserInfo,
  ) {
    super(message);
    this.name = "SetupActionError";
  }
}

const ROLE_NAV = "systemuserroles_association";

/** The sync user the actions act on, or a typed refusal when it is not known. */
export function userOf(state: SetupState) {
  if (!state.chosenUser) throw new SetupActionError("noUser", "Pick the sync user first");
  if (!state.chosenUser.ok) throw new SetupActionError("stateUnknown", "The sync user could not be read", {}, state.chosenUser.error);
  return state.chosenUser.value;
}

function rolesOf(state: SetupState) {
  if (!state.roles.ok) throw new SetupActionError("stateUnknown", "The roles could not be read", {}, state.roles.error);
  return state.roles.value;
}

/**
 * Gives the sync user the copy of the role that belongs to its own business unit (Dataverse
 * refuses any other copy with 0x80041409).
 */
export async function assignSyncRole(client: WebApiClient, state: SetupState, options: { signal?: AbortSignal } = {}): Promise<{ changed: boolean }> {
  const user = userOf(state);
  const copy = rolesOf(state).find((r) => r.businessUnitId.toLowerCase() === (user.businessUnitId ?? "").toLowerCase());
  if (!copy)
    throw new SetupActionError("noRoleCopy", `No copy of "${state.input.roleName}" in the user's business unit`, {
      role: state.input.roleName,
      businessUnit: user.businessUnitName ?? user.businessUnitId ?? "",
    });
  if (user.directRoleIds.some((id) => id.toLowerCase() === copy.id.toLowerCase())) return { changed: false };
  try {
    await client.associate("systemusers", user.id, ROLE_NAV, "roles", copy.id, options);
    return { changed: true };
  } catch (e) {
    if (isDataverseError(e) && e.kind === "duplicate") return { changed: false };
    throw e;
  }
}

export class PartialRemovalError extends Error {
  constructor(
    readonly removed: UserInfo[],
    /** The user (or team) the removal stopped at: it, and those after it, still have the role. */
    readonly failedFor: Pick<UserInfo, "id" | "fullName">,
    readonly cause: unknown,
  ) {
    super(`Removed the role from ${removed.length} user(s), then failed for ${failedFor.fullName}`);
    this.name = "PartialRemovalError";
  }
}

/** Already gone (removed elsewhere, or a retried request that had succeeded): the goal is met. */
async function unlink(remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (e) {
    if (!(isDataverseError(e) && e.kind === "notFound")) throw e;
  }
}

/**
 * Removes every copy of the role from the given users, one user at a time so a failure says
 * exactly who still has it, then from the given teams (all their members lose it: the
 * confirmation named them). Never touches the sync user (chosen or saved).
 */
export async function removeSyncRoleFrom(
  client: WebApiClient,
  state: SetupState,
  users: UserInfo[],
  options: { signal?: AbortSignal; teams?: RoleTeam[] } = {},
): Promise<{ removed: UserInfo[]; teams: RoleTeam[] }> {
  const protectedIds = new Set([state.input.chosenUserId, state.savedUserId.ok ? state.savedUserId.value : undefined].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
  const refused = users.find((u) => protectedIds.has(u.id.toLowerCase()));
  if (refused) throw new SetupActionError("refuseSyncUser", `${refused.fullName} is the sync user: its role is not removed`, { name: refused.fullName });
  const roles = rolesOf(state);
  const removed: UserInfo[] = [];
  const teams: RoleTeam[] = [];
  for (const user of users) {
    const held = roles.filter((r) => r.holders.some((h) => h.id.toLowerCase() === user.id.toLowerCase()));
    try {
      for (const copy of held) await unlink(() => client.disassociate("systemusers", user.id, ROLE_NAV, copy.id, options));
      removed.push(user);
    } catch (e) {
      throw new PartialRemovalError(removed, user, e);
    }
  }
  for (const team of options.teams ?? []) {
    try {
      for (const roleId of team.roleIds) await unlink(() => client.disassociate("teams", team.id, "teamroles_association", roleId, options));
      teams.push(team);
      removed.push(...team.members.filter((m) => !removed.some((r) => r.id === m.id)));
    } catch (e) {
      throw new PartialRemovalError(removed, { id: team.id, fullName: team.name }, e);
    }
  }
  return { removed, teams };
}

/** How many role assignments go in one `$batch` (Dataverse takes up to 1,000 requests in one). */
export const ASSIGN_BATCH_SIZE = 100;

export class PartialAssignError extends Error {
  constructor(
    readonly assigned: UserInfo[],
    /** Users who still lack the role, with the first error for them. */
    readonly failed: UserInfo[],
    readonly cause: unknown,
  ) {
    super(`Assigned the role to ${assigned.length} user(s); ${failed.length} still lack it`);
    this.name = "PartialAssignError";
  }
}

/**
 * Before 4.0.0.14 every user needs the role: gives it to each of the given users, each the copy of
 * its own business unit, `ASSIGN_BATCH_SIZE` to a `$batch` (each part on its own: one refusal does
 * not undo the others). "Already holds it" counts as done. Throws PartialAssignError naming who
 * still lacks it when any part failed.
 */
export async function assignRoleToUsers(
  client: WebApiClient,
  state: SetupState,
  users: UserInfo[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ assigned: UserInfo[] }> {
  const roles = rolesOf(state);
  const copyFor = (u: UserInfo) => roles.find((r) => r.businessUnitId.toLowerCase() === (u.businessUnitId ?? "").toLowerCase());
  const noCopy = users.find((u) => !copyFor(u));
  if (noCopy)
    throw new SetupActionError("noRoleCopy", `No copy of "${state.input.roleName}" in ${noCopy.fullName}'s business unit`, {
      role: state.input.roleName,
      businessUnit: noCopy.businessUnitName ?? noCopy.businessUnitId ?? "",
    });
  const assigned: UserInfo[] = [];
  const failed: UserInfo[] = [];
  let firstError: unknown;
  for (let i = 0; i < users.length; i += ASSIGN_BATCH_SIZE) {
    const chunk = users.slice(i, i + ASSIGN_BATCH_SIZE);
    let results;
    try {
      results = await client.batch(
        chunk.map((u) => ({
          method: "POST",
          path: `${recordPath("systemusers", u.id)}/${ROLE_NAV}/$ref`,
          body: JSON.stringify({ "@odata.id": client.recordUrl("roles", copyFor(u)!.id) }),
        })),
        // Safe to send again: a repeated association answers "duplicate", counted as done below.
        { signal: options.signal, idempotent: true },
      );
    } catch (e) {
      if (isDataverseError(e) && e.kind === "aborted") throw e;
      throw new PartialAssignError(assigned, users.slice(i), e);
    }
    results.forEach((r, j) => {
      if (r.ok || r.error?.kind === "duplicate") assigned.push(chunk[j]);
      else {
        failed.push(chunk[j]);
        firstError ??= r.error;
      }
    });
    options.onProgress?.(assigned.length + failed.length, users.length);
  }
  if (failed.length) throw new PartialAssignError(assigned, failed, firstError);
  return { assigned };
}

/**
 * Enables the solution's disabled plugin steps (statecode 0 / statuscode 1 = Enabled). Steps that
 * are managed and not customizable are skipped, not tried: Dataverse refuses to update them.
 */
export async function enablePluginSteps(client: WebApiClient, state: SetupState, options: { signal?: AbortSignal } = {}): Promise<{ enabled: string[]; skipped: string[] }> {
  if (!state.steps.ok) throw new SetupActionError("stateUnknown", "The plugin steps could not be read", {}, state.steps.error);
  const { fixable, locked } = disabledSteps(state.steps.value);
  const enabled: string[] = [];
  const skipped = locked.map((s) => s.name);
  for (const step of fixable) {
    try {
      await client.update("sdkmessageprocessingsteps", step.id, { statecode: 0, statuscode: 1 }, options);
      enabled.push(step.name);
    } catch (e) {
      // Locked since it was read (or its columns were not read): skipped like the others.
      if (isDataverseError(e) && e.code?.toLowerCase() === ErrorCodes.readOnlyComponent) skipped.push(step.name);
      else throw e;
    }
  }
  return { enabled, skipped };
}

export type PublishPhase = "starting" | "waitingForOther" | "running" | "done";

/** With "waitingForOther": what holds Dataverse's solution lock, when the service names it. */
export interface PublishProgress {
  /** "Import", "PublishAll", "Publish"… as in "there is another [Import] running"; undefined when unnamed. */
  blockedBy?: string;
  /** How many times the lock was met so far. */
  attempt: number;
  /** The publish's system job (asyncoperation) id, once it is started. */
  operationId?: string;
}

export interface PublishOptions {
  signal?: AbortSignal;
  onProgress?: (phase: PublishPhase, progress?: PublishProgress) => void;
  pollIntervalMs?: number;
  /** Gives up waiting (for ours, or for another import or publish) after this long. */
  maxWaitMs?: number;
  /** Each pause between polls and between attempts; tests pass a gate so no wall clock runs. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface PublishResult {
  completedOn: string;
  /** true when a publish already running was joined instead of starting another. */
  joined: boolean;
}

/** asyncoperation states (Dataverse reference: asyncoperation statecode/statuscode). */
const ASYNC_COMPLETED = 3;
const ASYNC_SUCCEEDED = 30;
const DEFAULT_MAX_WAIT_MS = 15 * 60_000;

const inFlight = new WeakMap<WebApiClient, Promise<PublishResult>>();

/**
 * Publish all customizations. One publish per client at a time: a second call while one runs
 * returns the same promise. Another import or publish already running on the server is waited for.
 */
export function publishAll(client: WebApiClient, options: PublishOptions = {}): Promise<PublishResult> {
  const running = inFlight.get(client);
  if (running) return running.then((r) => ({ ...r, joined: true }));
  const p = runPublish(client, options).finally(() => inFlight.delete(client));
  inFlight.set(client, p);
  return p;
}

/**
 * Dataverse runs one solution operation at a time: a publish asked for while an import, an uninstall or
 * another publish runs is refused with the customization lock (0x8004F061–0x8004F067, or HTTP 429
 * 0x80071151), and "waiting is the only resolution" (Microsoft Learn, "Concurrent solution operation
 * failures"). The same text can also end our own async publish when the other operation started first.
 */
class Locked {
  constructor(
    readonly blockedBy: string | undefined,
    /** The refusal itself, for the technical details. */
    readonly cause: unknown,
  ) {}
}

function lockOf(e: unknown): Locked | undefined {
  if (isDataverseError(e) && e.kind === "publishBusy") return new Locked(blockingOperation(e.message), e);
  return undefined;
}

/** The pacing of a publish: its clock, its pauses, its bound. */
function pacing(options: PublishOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const poll = options.pollIntervalMs ?? 2_000;
  const maxWait = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  return { sleep, now, poll, maxWait, deadline: now() + maxWait };
}

/** Waits one poll for the lock to go; past the bound, says who held it and that nothing was published. */
function lockWaiter(options: PublishOptions, { sleep, now, poll, maxWait, deadline }: ReturnType<typeof pacing>, key: "publishLocked" | "importLocked" = "publishLocked") {
  let attempt = 0;
  return async (lock: Locked) => {
    attempt++;
    options.onProgress?.("waitingForOther", { blockedBy: lock.blockedBy, attempt });
    if (now() > deadline) {
      const minutes = Math.max(1, Math.round(maxWait / 60_000));
      throw new SetupActionError(
        key,
        `Another solution operation${lock.blockedBy ? ` (${lock.blockedBy})` : ""} kept running for more than ${minutes} min; nothing was ${key === "importLocked" ? "imported" : "published"}`,
        { operation: lock.blockedBy ?? "", minutes },
        lock.cause,
      );
    }
    await sleep(poll);
  };
}

/**
 * Starts a solution import, waiting like publishAll while another import or publish holds the lock
 * (an import during an import: HTTP 429 0x80071151, KB 4343228; during a publish: 0x8004F064). The
 * refused attempt created nothing, so `start` is simply called again.
 */
export async function startImportWhenFree<T>(start: () => Promise<T>, options: PublishOptions = {}): Promise<T> {
  const waitForLock = lockWaiter(options, pacing(options), "importLocked");
  for (;;) {
    try {
      return await start();
    } catch (e) {
      const lock = lockOf(e);
      if (!lock) throw e;
      await waitForLock(lock);
    }
  }
}

/**
 * PublishXml of some tables (e.g. after a form was edited), waiting like publishAll when another
 * solution operation holds the lock: PublishXml meets the same lock (0x8004F064 "…[Publish] because
 * there is another [Import] running…").
 */
export async function publishTables(client: WebApiClient, entities: string[], options: PublishOptions = {}): Promise<void> {
  const pace = pacing(options);
  const waitForLock = lockWaiter(options, pace);
  const parameterXml = `<importexportxml><entities>${entities.map((e) => `<entity>${escapeXml(e)}</entity>`).join("")}</entities><nodes/><securityroles/><settings/><workflows/></importexportxml>`;
  options.onProgress?.("starting");
  for (;;) {
    options.onProgress?.("running");
    try {
      await client.callAction("PublishXml", { ParameterXml: parameterXml }, { signal: options.signal, timeoutMs: pace.maxWait });
      options.onProgress?.("done");
      return;
    } catch (e) {
      const lock = lockOf(e);
      if (!lock) throw e;
      await waitForLock(lock);
    }
  }
}

async function runPublish(client: WebApiClient, options: PublishOptions): Promise<PublishResult> {
  const pace = pacing(options);
  const { sleep, now, poll, deadline } = pace;
  const timeout = () => new SetupActionError("publishTimeout", "Publishing did not finish in time");
  const waitForLock = lockWaiter(options, pace);
  options.onProgress?.("starting");

  for (;;) {
    let operationId: string;
    try {
      // Safe to repeat after a dropped connection: a publish already started answers "busy" and is waited for.
      const started = await client.callAction<{ AsyncOperationId: string }>("PublishAllXmlAsync", {}, { signal: options.signal, idempotent: true });
      operationId = started.AsyncOperationId;
    } catch (e) {
      const lock = lockOf(e);
      if (lock) {
        await waitForLock(lock);
        continue;
      }
      // Older organisations have no PublishAllXmlAsync: the synchronous action does the same work.
      if (isDataverseError(e) && (e.status === 404 || e.kind === "badQuery") && /PublishAllXmlAsync/i.test(e.message + (e.url ?? ""))) {
        return publishSynchronously(client, options, now, waitForLock);
      }
      throw e;
    }
    // The system job id: a caller that stops waiting can say how to follow it.
    options.onProgress?.("running", { attempt: 0, operationId });
    const outcome = await followOperation(client, operationId, options, poll, sleep, () => {
      if (now() > deadline) throw timeout();
    });
    if (outcome instanceof Locked) {
      await waitForLock(outcome);
      continue;
    }
    options.onProgress?.("done");
    return { completedOn: outcome.completedOn ?? new Date(now()).toISOString(), joined: false };
  }
}

/** Polls our asyncoperation to its end: its completion time, the lock that failed it, or a typed failure. */
async function followOperation(
  client: WebApiClient,
  operationId: string,
  options: PublishOptions,
  poll: number,
  sleep: (ms: number) => Promise<void>,
  checkDeadline: () => void,
): Promise<{ completedOn?: string } | Locked> {
  for (;;) {
    const op = await client.get<{ statecode: number; statuscode: number; message?: string; friendlymessage?: string; completedon?: string }>(
      recordPath("asyncoperations", operationId) + buildQuery({ select: ["statecode", "statuscode", "message", "friendlymessage", "completedon"] }),
      { signal: options.signal },
    );
    if (op.statecode === ASYNC_COMPLETED) {
      if (op.statuscode === ASYNC_SUCCEEDED) return { completedOn: op.completedon };
      const text = op.friendlymessage || op.message || "";
      const raw = `${op.message ?? ""} ${op.friendlymessage ?? ""}`;
      if (isSolutionLock(undefined, raw)) return new Locked(blockingOperation(raw), new Error(`asyncoperation ${operationId} statuscode ${op.statuscode}: ${raw.trim()}`));
      throw new SetupActionError("publishFailed", text || `Publish ended with status ${op.statuscode}`, { status: op.statuscode });
    }
    checkDeadline();
    await sleep(poll);
  }
}

async function publishSynchronously(client: WebApiClient, options: PublishOptions, now: () => number, waitForLock: (lock: Locked) => Promise<void>): Promise<PublishResult> {
  for (;;) {
    options.onProgress?.("running");
    try {
      await client.callAction("PublishAllXml", {}, { signal: options.signal, timeoutMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS });
    } catch (e) {
      const lock = lockOf(e);
      if (!lock) throw e;
      await waitForLock(lock);
      continue;
    }
    options.onProgress?.("done");
    return { completedOn: new Date(now()).toISOString(), joined: false };
  }
}
