/**
 * What makes an application user Marketo's sync user, shared by `create-sync-user` and `setup`: the
 * sync role (its business unit's copy), the Marketo User of the Default record and, for `setup`, the
 * solution's plugin steps and a publish. Each part is skipped when already done, so a second run
 * sends no change at all.
 */
import { API_PATH } from "../core/dataverse/client";
import { assignSyncRole, enablePluginSteps } from "../core/setup";
import { resolveConfig } from "./config";
import { saveMarketoUser, type EnsuredUser } from "./applicationUser";
import { runPublish } from "./commands/publish";
import { during } from "./errors";
import { loadSetup, type Session } from "./session";

export interface SyncUserResult {
  roleAssigned: boolean;
  userSaved: boolean;
  stepsEnabled: string[];
  stepsSkipped: string[];
  published: boolean;
}

export async function makeSyncUser(
  session: Session,
  ensured: EnsuredUser,
  options: { stepsAndPublish: boolean; afterUser?: (r: SyncUserResult) => void; afterSteps?: (r: SyncUserResult) => void },
): Promise<SyncUserResult> {
  const { client, orgUrl } = await session.connection();
  const plan = session.runtime.dryRun;
  const result: SyncUserResult = { roleAssigned: false, userSaved: false, stepsEnabled: [], stepsSkipped: [], published: false };
  if (ensured.planned && plan) {
    // Not created yet (dry run): what would follow is listed; the rest of the plan reads as usual.
    plan.add("POST", `${orgUrl}${API_PATH}systemusers(<new>)/systemuserroles_association/$ref`, `role=${session.opts.role}`);
    const config = await resolveConfig(client, session.opts);
    plan.add("PATCH", `${orgUrl}${API_PATH}${config.entitySet}(${config.recordId})`, `${config.navigation}@odata.bind=/systemusers(<new>)`);
    result.roleAssigned = result.userSaved = true;
  } else {
    const loaded = await loadSetup(session, { userId: ensured.user.id });
    // A user created just now got its role with it (core's createApplicationUser): that is this run's change.
    result.roleAssigned = (await during("assignRole", () => assignSyncRole(client, loaded.state))).changed || ensured.created;
    result.userSaved = await during("saveUser", () => saveMarketoUser(client, loaded.config, ensured.user.id));
  }
  // Said before the steps and the publish, so the transcript reads in the order things happen.
  options.afterUser?.(result);
  if (!options.stepsAndPublish) return result;
  const { state } = await loadSetup(session, ensured.planned ? {} : { userId: ensured.user.id });
  const steps = await during("enableSteps", () => enablePluginSteps(client, state));
  result.stepsEnabled = steps.enabled;
  result.stepsSkipped = steps.skipped;
  options.afterSteps?.(result);
  // Publish only after a change: a run that changed nothing sends nothing.
  const changed = ensured.created || ensured.enabled || result.roleAssigned || result.userSaved || steps.enabled.length > 0;
  if (changed && plan) plan.add("POST", `${orgUrl}${API_PATH}PublishAllXmlAsync`);
  else if (changed) {
    await during("publish", () => runPublish(session, client));
    result.published = true;
  }
  return result;
}
