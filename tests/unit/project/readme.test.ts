/**
 * The README says what to run: every command it names must exist, as an npm script, as the
 * package's bin, or as a command and option of the CLI (asked through `run([cmd, "--help"])`,
 * the CLI's own parser, not a copy of its list).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { run } from "../../../cli/main";
import { reliabilityTable } from "../../integration/faults/scenarios";

const ROOT = join(__dirname, "..", "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; bin: Record<string, string> };

/** The first cell of every table row, without its backquotes. */
const firstCells = readme
  .split("\n")
  .filter((line) => /^\|.*\|\s*$/.test(line) && !/^\|[\s|:-]+\|\s*$/.test(line))
  .map((line) => line.split("|")[1].trim())
  .filter((cell) => /^`[^`]+`$/.test(cell))
  .map((cell) => cell.slice(1, -1));

/** The rows of the table that follows `## Command line`'s options paragraph: `verify [--strict]`… */
function cliRows(): string[] {
  const section = readme.slice(readme.indexOf("## Command line"));
  const table = section.slice(section.indexOf("| command | what it does |"));
  return (
    table
      .split("\n")
      .slice(2)
      // The table ends at its first line that is not a row: later tables (exit codes) are not commands.
      .filter((line, i, lines) => lines.slice(0, i + 1).every((l) => l.startsWith("|")))
      .map((line) => line.split("|")[1].trim().replace(/^`|`$/g, ""))
  );
}

async function cliHelp(args: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const stream = { write: (s: string) => void (text += s) };
  const stdin = new PassThrough();
  stdin.end();
  const code = await run(args, { stdout: stream, stderr: stream, stdin, env: {} });
  return { code, text };
}

const options = (text: string) => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])];

/** `npm run X` anywhere, and the npm commands that run a script of the same name (`npm start`…). */
const scriptsNamed = (text: string) => [...new Set([...text.matchAll(/`npm run ([a-z][\w:-]*)/g), ...text.matchAll(/`npm (start|test|stop|restart)\b/g)].map((m) => m[1]))];
const missingScripts = (text: string) => scriptsNamed(text).filter((name) => !(name in pkg.scripts));

/**
 * What is wrong with a row of the command table: an unknown command, or an option its help lacks.
 * Commander answers `--help` after an unknown command with the program's help and exit 0, so the
 * command's own usage line is what proves it exists.
 */
async function problemsOf(row: string): Promise<string[]> {
  const command = row.split(" ")[0];
  const help = await cliHelp([command, "--help"]);
  if (help.code !== 0 || !help.text.includes(`Usage: marketo-dynamics ${command} `)) return [`no command ${command}`];
  return options(row)
    .filter((option) => !help.text.includes(option))
    .map((option) => `${command} has no ${option}`);
}

describe("README", () => {
  it("lists exactly the fault scenarios the reliability suite runs", () => {
    // The table is reliabilityTable()'s output: paste it into the README's Reliability section.
    expect(readme).toContain(reliabilityTable());
  });

  it("names only npm scripts that package.json has", () => {
    expect(scriptsNamed(readme)).toEqual(expect.arrayContaining(["test", "start", "build"]));
    expect(missingScripts(readme)).toEqual([]);
    expect(missingScripts("run `npm run build`, then `npm run bulid`")).toEqual(["bulid"]);
  });

  it("names the CLI by the bin package.json declares", () => {
    const npx = firstCells.filter((c) => c.startsWith("npx "));
    expect(npx.length).toBeGreaterThan(0);
    // `npx --no-install marketo-dynamics …`: the first word that is not an option names the bin.
    for (const cell of npx)
      expect(Object.keys(pkg.bin)).toContain(
        cell
          .split(/\s+/)
          .slice(1)
          .find((w) => !w.startsWith("-")),
      );
  });

  describe("the command-line table", () => {
    const rows = cliRows();

    it("has the CLI's commands", () => {
      expect(rows.map((r) => r.split(" ")[0])).toEqual(expect.arrayContaining(["verify", "set-user", "deploy", "bind-form", "connection-info"]));
    });

    it.each(rows.map((row) => [row.split(" ")[0], row] as const))("%s exists with the options the row names", async (_command, row) => {
      expect(await problemsOf(row)).toEqual([]);
    });

    it("would catch a command or an option the CLI lacks", async () => {
      expect(await problemsOf("verify-all [--strict]")).toEqual(["no command verify-all"]);
      expect(await problemsOf("deploy <zip> [--no-publish] [--force]")).toEqual(["deploy has no --force"]);
    });

    it("names the global options the CLI has", async () => {
      const paragraph = readme.slice(readme.indexOf("Options (every command"), readme.indexOf("Exit codes:", readme.indexOf("Options (every command")));
      const named = options(paragraph);
      expect(named.length).toBeGreaterThan(5);
      const help = (await cliHelp(["verify", "--help"])).text;
      expect(named.filter((o) => !help.includes(o))).toEqual([]);
    });
  });
});
