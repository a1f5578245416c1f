/**
 * The fixes. Each one changes only what the admin clicked for, treats "already done" as done
 * (so a retry never doubles anything), and reports failures as typed errors.
 */
import type { DataverseClient } from "../dataverse/client";
import { isDataverseError } from "../dataverse/errors";
import { buildQuery, recordPath } from "../dataverse/odata";
import type { SetupState, UserInfo } from "./types";

export type ActionErrorKey =
  | "noUser"
  | "noRoleCopy"
  | "refuseSyncUser"
  | "publishFailed"
  | "publishTimeout"
  | "stateUnknown";

/** A precondition the action checks itself (no request was sent, nothing changed). */
export class SetupActionError extends Error {
  constructor(
    readonly key: ActionErrorKey,
    message: string,
    readonly params: Record<string, string | number> = {},
    readonly cause?: unknown,
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
export async function assignSyncRole(client: DataverseClient, state: SetupState, options: { signal?: AbortSignal } = {}): Promise<{ changed: boolean }> {
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
    readonly failedFor: UserInfo,
    readonly cause: unknown,
  ) {
    super(`Removed the role from ${removed.length} user(s), then failed for ${failedFor.fullName}`);
    this.name = "PartialRemovalError";
  }
}

/**
 * Removes every copy of the role from the given users, one user at a time so a failure says
 * exactly who still has it. Never touches the sync user (chosen or saved).
 */
export async function removeSyncRoleFrom(
  client: DataverseClient,
  state: SetupState,
  users: UserInfo[],
  options: { signal?: AbortSignal } = {},
): Promise<{ removed: UserInfo[] }> {
  const protectedIds = new Set(
    [state.input.chosenUserId, state.savedUserId.ok ? state.savedUserId.value : undefined].filter((x): x is string => !!x).map((x) => x.toLowerCase()),
  );
  const refused = users.find((u) => protectedIds.has(u.id.toLowerCase()));
  if (refused) throw new SetupActionError("refuseSyncUser", `${refused.fullName} is the sync user: its role is not removed`, { name: refused.fullName });
  const roles = rolesOf(state);
  const removed: UserInfo[] = [];
  for (const user of users) {
    const held = roles.filter((r) => r.holders.some((h) => h.id.toLowerCase() === user.id.toLowerCase()));
    try {
      for (const copy of held) {
        try {
          await client.disassociate("systemusers", user.id, ROLE_NAV, copy.id, options);
        } catch (e) {
          // Already gone (removed elsewhere, or a retried request that had succeeded): the goal is met.
          if (!(isDataverseError(e) && e.kind === "notFound")) throw e;
        }
      }
      removed.push(user);
    } catch (e) {
      throw new PartialRemovalError(removed, user, e);
    }
  }
  return { removed };
}

/** Enables the solution's disabled plugin steps (statecode 0 / statuscode 1 = Enabled). */
export async function enablePluginSteps(client: DataverseClient, state: SetupState, options: { signal?: AbortSignal } = {}): Promise<{ enabled: string[] }> {
  if (!state.steps.ok) throw new SetupActionError("stateUnknown", "The plugin steps could not be read", {}, state.steps.error);
  const enabled: string[] = [];
  for (const step of state.steps.value.filter((s) => !s.enabled)) {
    await client.update("sdkmessageprocessingsteps", step.id, { statecode: 0, statuscode: 1 }, options);
    enabled.push(step.name);
  }
  return { enabled };
}

export type PublishPhase = "starting" | "waitingForOther" | "running" | "done";

export interface PublishOptions {
  signal?: AbortSignal;
  onProgress?: (phase: PublishPhase) => void;
  pollIntervalMs?: number;
  /** Gives up waiting (for ours or for another publish) after this long. */
  maxWaitMs?: number;
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

const inFlight = new WeakMap<DataverseClient, Promise<PublishResult>>();

/**
 * Publish all customizations. One publish per client at a time: a second call while one runs
 * returns the same promise. Another publish already running on the server is waited for.
 */
export function publishAll(client: DataverseClient, options: PublishOptions = {}): Promise<PublishResult> {
  const running = inFlight.get(client);
  if (running) return running.then((r) => ({ ...r, joined: true }));
  const p = runPublish(client, options).finally(() => inFlight.delete(client));
  inFlight.set(client, p);
  return p;
}

async function runPublish(client: DataverseClient, options: PublishOptions): Promise<PublishResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const poll = options.pollIntervalMs ?? 2_000;
  const deadline = now() + (options.maxWaitMs ?? 15 * 60_000);
  const timeout = () => new SetupActionError("publishTimeout", "Publishing did not finish in time");
  options.onProgress?.("starting");

  for (;;) {
    let operationId: string;
    try {
      // Safe to repeat after a dropped connection: a publish already started answers "busy" and is waited for.
      const started = await client.callAction<{ AsyncOperationId: string }>("PublishAllXmlAsync", {}, { signal: options.signal, idempotent: true });
      operationId = started.AsyncOperationId;
    } catch (e) {
      if (isDataverseError(e) && e.kind === "publishBusy") {
        options.onProgress?.("waitingForOther");
        if (now() > deadline) throw timeout();
        await sleep(poll);
        continue;
      }
      // Older organisations have no PublishAllXmlAsync: the synchronous action does the same work.
      if (isDataverseError(e) && (e.status === 404 || e.kind === "badQuery") && /PublishAllXmlAsync/i.test(e.message + (e.url ?? ""))) {
        return publishSynchronously(client, options, now);
      }
      throw e;
    }
    options.onProgress?.("running");
    for (;;) {
      const op = await client.get<{ statecode: number; statuscode: number; message?: string; friendlymessage?: string; completedon?: string }>(
        recordPath("asyncoperations", operationId) + buildQuery({ select: ["statecode", "statuscode", "message", "friendlymessage", "completedon"] }),
        { signal: options.signal },
      );
      if (op.statecode === ASYNC_COMPLETED) {
        if (op.statuscode !== ASYNC_SUCCEEDED) {
          throw new SetupActionError("publishFailed", op.friendlymessage || op.message || `Publish ended with status ${op.statuscode}`, {
            status: op.statuscode,
          });
        }
        options.onProgress?.("done");
        return { completedOn: op.completedon ?? new Date(now()).toISOString(), joined: false };
      }
      if (now() > deadline) throw timeout();
      await sleep(poll);
    }
  }
}

async function publishSynchronously(client: DataverseClient, options: PublishOptions, now: () => number): Promise<PublishResult> {
  options.onProgress?.("running");
  await client.callAction("PublishAllXml", {}, { signal: options.signal, timeoutMs: options.maxWaitMs ?? 15 * 60_000 });
  options.onProgress?.("done");
  return { completedOn: new Date(now()).toISOString(), joined: false };
}

