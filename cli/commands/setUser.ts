/** `set-user <user>`: sets the Marketo User on the Default record, by email, Client ID or id. */
import type { DataverseClient, ODataCollection } from "../../core/dataverse/client";
import { anyOf, buildQuery, eq, isGuid } from "../../core/dataverse/odata";
import { toUser, USER_FIELDS, type UserInfo } from "../../core/setup";
import { resolveConfig } from "../config";
import { CliError, EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import type { Session } from "../session";
import { reportDryRun } from "../dryRun";

export async function findUser(client: DataverseClient, text: string): Promise<UserInfo> {
  const value = text.trim();
  let filter: string;
  if (isGuid(value)) filter = anyOf([eq("systemuserid", value, "guid"), eq("applicationid", value, "guid")]);
  else if (value.includes("@")) filter = anyOf([eq("internalemailaddress", value), eq("domainname", value)]);
  else throw new CliError(EXIT.usage, "Cli_UserBadInput", { user: value });
  const page = await client.get<ODataCollection<Record<string, unknown>>>("systemusers" + buildQuery({ select: USER_FIELDS, filter, top: 5 }));
  const users = page.value.map(toUser);
  if (users.length === 0) throw new CliError(EXIT.failed, "Cli_UserNotFound", { user: value });
  if (users.length > 1) throw new CliError(EXIT.usage, "Cli_UserAmbiguous", { user: value, names: users.map((u) => `${u.fullName} (${u.id})`).join(", ") });
  return users[0];
}

/**
 * Why this user is probably not Marketo's sync user: Marketo signs in server-to-server, so its user
 * is an application user (applicationid set); and when this command signs in with Marketo's own
 * credentials, the sync user is the very application user those credentials sign in as (WhoAmI).
 * A wrong user saved here would make `remove-role --others` strip the real sync user's role.
 */
async function doubts(session: Session, client: DataverseClient, user: UserInfo): Promise<string[]> {
  const { t } = session;
  const found: string[] = [];
  if (!user.applicationId) found.push(t("Cli_UserNotApplication", { name: user.fullName }));
  if (session.opts.marketoCredentials !== false) {
    const me = (await client.callFunction<{ UserId: string }>("WhoAmI")).UserId;
    if (me.toLowerCase() !== user.id.toLowerCase()) found.push(t("Cli_UserNotSignedIn", { name: user.fullName, clientId: session.opts.clientId ?? "" }));
  }
  return found;
}

export async function setUser(session: Session, userText: string, options: { force?: boolean } = {}): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client } = await session.connection();
  const config = await resolveConfig(client, session.opts);
  const user = await findUser(client, userText);
  if (user.isDisabled) throw new CliError(EXIT.failed, "Cli_UserDisabled", { name: user.fullName });
  const warnings = await doubts(session, client, user);
  // Refused (exit 1, nothing changed) unless --force: the admin is told why and how to insist.
  if (warnings.length && !options.force) throw new CliError(EXIT.failed, "Cli_UserRefused", { name: user.fullName }, warnings.join("\n"), "Cli_UserForceHint");
  if (!out.json) for (const w of warnings) io.err(t("Cli_WarningPrefix", { text: w }) + "\n");
  const unchanged = config.savedUserId?.toLowerCase() === user.id.toLowerCase();
  if (!unchanged) await client.update(config.entitySet, config.recordId, { [`${config.navigation}@odata.bind`]: `/systemusers(${user.id})` });
  const params = { name: user.fullName, id: user.id, email: user.email ?? "", table: config.displayName, record: config.recordName };
  const userJson = { id: user.id, name: user.fullName, email: user.email ?? null, clientId: user.applicationId ?? null };
  if (session.runtime.dryRun) return reportDryRun(session, { user: userJson, warnings });
  if (out.json) writeJson(io, { changed: !unchanged, user: userJson, warnings });
  else io.out(t(unchanged ? "Cli_UserAlreadySet" : "Cli_UserSet", params) + "\n");
  return EXIT.ok;
}
