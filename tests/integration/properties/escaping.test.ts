/**
 * Property: for any text, searching the devserver returns exactly the enabled users whose
 * name, email or domain name contains it, case-insensitively. The devserver applies Dataverse's
 * LIKE semantics (`%`, `_`, `[` are wildcards), so any escaping mistake in `literal()` shows up
 * as extra or missing users.
 */
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { DataverseClient } from "../../../core/dataverse/client";
import { searchUsers } from "../../../core/setup/search";
import { startDevServer, type DevServer } from "../../../devserver/server";
import { ROLE_NAME } from "../../../devserver/fixtures/ids";

jest.setTimeout(120_000);

let server: DevServer;
let client: DataverseClient;
beforeAll(async () => {
  server = await startDevServer({ publishDurationMs: 0 });
  client = new DataverseClient({ orgUrl: server.url });
});
afterAll(() => server.close());

/** Characters that break naive escaping, plus ordinary text, accents and an emoji. */
const tricky = fc.constantFrom("'", "%", "_", "[", "]", "&", "#", "+", "/", "\\", "\n", "?", "=", ";", "(", ")", ",", "é", "É", "🚀", " ", "a", "B", "z", "0", "9", "-", ".", "@");
const text = fc
  .array(fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 120 })
  .map((parts) => Array.from(parts.join("")).slice(0, 500).join(""))
  .filter((s) => s.length > 0);

function expected(needle: string): string[] {
  const users = [...server.org.table(server.org.entity("systemuser")).values()];
  const n = needle.toLowerCase();
  return users
    .filter((u) => u.isdisabled !== true)
    .filter((u) => ["fullname", "internalemailaddress", "domainname"].some((f) => typeof u[f] === "string" && (u[f] as string).toLowerCase().includes(n)))
    .map((u) => String(u.systemuserid))
    .sort();
}

function addUserNamed(fullname: string) {
  const entity = server.org.entity("systemuser");
  const anyUser = [...server.org.table(entity).values()][0];
  server.org.insert(entity, { ...anyUser, systemuserid: randomUUID(), fullname, internalemailaddress: null, domainname: null, applicationid: null, isdisabled: false });
}

it("search returns exactly the users whose name contains the text", async () => {
  await fc.assert(
    fc.asyncProperty(text, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), async (needle, before, after) => {
      addUserNamed(`${before}${needle}${after}`);
      const found = await searchUsers(client, { text: needle, roleName: ROLE_NAME, includeAllUsers: true, top: 5000 });
      const ids = found.map((u) => u.id).sort();
      // The search trims what the admin typed; the property compares against the same text.
      expect(ids).toEqual(expected(needle.trim()));
      expect(ids.length).toBeGreaterThan(0);
    }),
    { numRuns: 150 },
  );
});

it("includes the long end: 500 characters of quotes, percents and emoji", async () => {
  const needle = Array.from("'%_[🚀&#+/\\".repeat(50)).slice(0, 500).join("");
  expect(Array.from(needle)).toHaveLength(500);
  addUserNamed(`x${needle}y`);
  const found = await searchUsers(client, { text: needle, roleName: ROLE_NAME, includeAllUsers: true });
  expect(found.map((u) => u.id).sort()).toEqual(expected(needle));
});
