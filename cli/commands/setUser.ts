/** `set-user <user>`: sets the Marketo User on the Default record, by email, Client ID or id. */
import type { DataverseClient, ODataCollection } from "../../core/dataverse/client";
import { anyOf, buildQuery, eq, isGuid } from "../../core/dataverse/odata";
import { toUser, USER_FIELDS, type UserInfo } from "../../core/setup";
import { resolveConfig } from "../config";
import { CliError, EXIT, type ExitCode } from "../errors";
import { writeJson } from "../output";
import type { Session } from "../session";

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

export async function setUser(session: Session, userText: string): Promise<ExitCode> {
  const { io, t, out } = session;
  const { client } = await session.connection();
  const config = await resolveConfig(client, session.opts);
  const user = await findUser(client, userText);
  if (user.isDisabled) throw new CliError(EXIT.failed, "Cli_UserDisabled", { name: user.fullName });
  const unchanged = config.savedUserId?.toLowerCase() === user.id.toLowerCase();
  if (!unchanged) await client.update(config.entitySet, config.recordId, { [`${config.navigation}@odata.bind`]: `/systemusers(${user.id})` });
  const params = { name: user.fullName, id: user.id, email: user.email ?? "", table: config.displayName, record: config.recordName };
  if (out.json) writeJson(io, { changed: !unchanged, user: { id: user.id, name: user.fullName, email: user.email ?? null, clientId: user.applicationId ?? null } });
  else io.out(t(unchanged ? "Cli_UserAlreadySet" : "Cli_UserSet", params) + "\n");
  return EXIT.ok;
}
