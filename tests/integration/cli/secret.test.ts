/**
 * A sentinel client secret goes through every command (right and wrong, text and JSON, in-process
 * and as a real process reading it from stdin) and must never show up in stdout, stderr, or any
 * file written meanwhile (the test's temp dir, the system temp dir, the repository).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP } from "../../../devserver/fixtures/ids";
import { loadFixture, startDevServer, type DevServer } from "../../../devserver/server";
import { cli, connectionArgs, REPO, spawnCli } from "./helpers";
import { buildZips } from "./zips";

jest.setTimeout(60_000);

const SENTINEL = "Sentinel-9c1f_SECRET~value.42";
const WRONG = "Sentinel-WRONG-7d3e_secret";

let server: DevServer;
const started = Date.now();

beforeAll(async () => {
  const fixture = loadFixture("demo-org");
  fixture.appRegistrations[0].clientSecret = SENTINEL;
  server = await startDevServer({ auth: "token", fixture, publishDurationMs: 50, importDurationMs: 100 });
});
afterAll(() => server.close());

/** Files under `dir` changed since the test started (bounded depth, small files only). */
function changedFiles(dir: string, depth: number, skip: (p: string) => boolean = () => false): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (skip(p)) continue;
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (depth > 0) out.push(...changedFiles(p, depth - 1, skip));
    } else if (st.isFile() && st.mtimeMs >= started - 1000 && st.size < 5_000_000) out.push(p);
  }
  return out;
}

it("never prints, logs or writes the client secret", async () => {
  const work = mkdtempSync(join(tmpdir(), "mss-secret-"));
  try {
    await everyCommandKeepsTheSecret(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

async function everyCommandKeepsTheSecret(work: string): Promise<void> {
  const zips = buildZips(work);
  const args = connectionArgs(server);
  const outputs: string[] = [];
  const runs: Array<[string[], { secret?: string; stdin?: string; stdinIsTTY?: boolean }]> = [
    [["verify"], {}],
    [["verify", "--json"], {}],
    [["assign-role"], {}],
    [["remove-role", "--others"], {}],
    [["remove-role", "--others"], { stdin: "y\n", stdinIsTTY: true }],
    [["enable-steps", "--json"], {}],
    [["set-user", APP.marketoSync], {}],
    [["publish"], {}],
    [["deploy", zips.v1Managed], {}],
    [["deploy", zips.v1Unmanaged, "--json"], {}],
    [["bind-form"], {}],
    [["connection-info"], {}],
    [["connection-info", "--json"], {}],
    [["verify", "--lang", "1036"], {}],
    [["verify"], { secret: WRONG }],
    [["verify", "--json"], { secret: WRONG }],
    [["verify", "--client-secret-stdin"], { secret: undefined, stdin: `${SENTINEL}\n` }],
    [["deploy", join(work, "missing.zip")], {}],
  ];
  for (const [cmd, o] of runs) {
    const r = await cli([...cmd, ...args], { secret: o.secret ?? SENTINEL, stdin: o.stdin, stdinIsTTY: o.stdinIsTTY });
    outputs.push(r.stdout, r.stderr);
  }
  // Swapped pipeline variables: the secret in an option that a usage check echoes, before any sign-in.
  for (const swapped of [
    ["verify", ...args.slice(0, 4), "--client-id", SENTINEL, ...args.slice(6)],
    ["verify", "--json", "--url", SENTINEL, ...args.slice(2)],
  ]) {
    const r = await cli(swapped, { secret: SENTINEL });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/is not a GUID|is not an organization URL/);
    outputs.push(r.stdout, r.stderr);
  }
  // Wrong secret through a real process, and the right one piped on stdin.
  const wrong = await spawnCli(["verify", ...args], { MARKETO_DYNAMICS_CLIENT_SECRET: WRONG });
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("client secret is wrong or expired");
  const piped = await spawnCli(["connection-info", "--client-secret-stdin", ...args], {}, `${SENTINEL}\n`);
  expect(piped.code).toBe(0);
  outputs.push(wrong.stdout, wrong.stderr, piped.stdout, piped.stderr);

  for (const text of outputs) {
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(encodeURIComponent(SENTINEL));
  }

  const files = [...changedFiles(work, 4), ...changedFiles(tmpdir(), 2, (p) => p.startsWith(work)), ...changedFiles(REPO, 4, (p) => /node_modules|\.git$|[\\/]out[\\/]|[\\/]\.git[\\/]/.test(p))];
  const tracked = execFileSync("git", ["status", "--porcelain", "-uall"], { cwd: REPO, encoding: "utf8" })
    .split("\n")
    .map((l) => l.slice(3).trim())
    .filter(Boolean)
    .map((p) => join(REPO, p));
  const leaks = [...new Set([...files, ...tracked])].filter((f) => {
    try {
      const text = readFileSync(f).toString("latin1");
      return text.includes(SENTINEL) || text.includes(WRONG) || text.includes(encodeURIComponent(SENTINEL));
    } catch {
      return false;
    }
  });
  // This test file itself names the sentinel.
  expect(leaks.filter((f) => !f.endsWith("secret.test.ts"))).toEqual([]);
}
