/**
 * The README's CLI session ("A session against `npm run devserver -- --port 5592 --auth token`") is the
 * CLI's own output: each command of it runs here, in order, against a fresh demo organisation, and
 * must give the exit code shown and the lines shown. Every line the command writes on stdout must be
 * in the README, and every line of the README's output must come from the command, except progress
 * lines, whose number depends on timing. Times, the port and the zip's folder are masked.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DevServer } from "../../../devserver/server";
import { cli, REPO } from "./helpers";
import { useDeployTestBed, type DeployTestBed } from "./zips";

jest.setTimeout(60_000);

const README_URL = "http://127.0.0.1:5592";
const SESSION_START = "A session against `npm run devserver -- --port 5592 --auth token`";

interface Step {
  command: string;
  output: string[];
  exit: number;
}

/** The session's commands, each with the lines the README shows under it and its `(exit N)`. */
function readmeSession(): Step[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const from = readme.indexOf(SESSION_START);
  if (from < 0) throw new Error(`README.md no longer has "${SESSION_START}"`);
  const open = readme.indexOf("```\n", from) + 4;
  const block = readme.slice(open, readme.indexOf("\n```", open)).split("\n");
  const steps: Step[] = [];
  for (const line of block) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: [], exit: NaN });
    else if (/^\(exit \d+\)$/.test(line)) steps[steps.length - 1].exit = Number(line.slice(6, -1));
    else if (steps.length && line.trim()) steps[steps.length - 1].output.push(line);
  }
  return steps;
}

/** Progress lines: how many are written, and their seconds, depend on timing. */
const isProgress = (line: string) => /^\s*\d+% /.test(line) || /…( \(\d+ s\))?$/.test(line);

function mask(text: string, server: DevServer, zipFolder: string): string {
  return text
    .split(server.url)
    .join(README_URL)
    .split(zipFolder)
    .join("dist")
    .replace(/\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}:\d{2}\s?[AP]M/g, "<time>")
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>");
}

let bed: DeployTestBed;
useDeployTestBed({ publishDurationMs: 0, importDurationMs: 0 }, "mss-readme-", (b) => (bed = b));

it("the README's CLI session is what the CLI prints, command by command", async () => {
  const { server, args: connection } = bed;
  const zipFolder = dirname(bed.zips.v1Managed);
  const steps = readmeSession();
  expect(steps.length).toBeGreaterThanOrEqual(10);
  const env = { LANG: "en_US.UTF-8" };
  // The README sets --url, --tenant and --client-id through MARKETO_DYNAMICS_*, which commander reads
  // from process.env: in-process they are given as options, with the authority ($A).
  for (const step of steps) {
    const words = step.command.split(" ");
    const secretOverride = /^MARKETO_DYNAMICS_CLIENT_SECRET=(\S+)$/.exec(words[0]);
    if (secretOverride) words.shift();
    expect(words.slice(0, 3)).toEqual(["npx", "--no-install", "marketo-dynamics"]);
    const args = words.slice(3).flatMap((w) => (w === "$A" ? connection : [w.replace(/^dist\//, `${zipFolder}/`)]));
    const r = await cli(args, { env, ...(secretOverride ? { secret: secretOverride[1] } : {}) });
    const out = mask(r.stdout, server, zipFolder)
      .split("\n")
      .filter((l) => l.trim());
    const all = [...out, ...mask(r.stderr, server, zipFolder).split("\n")];
    const shown = step.output.map((l) => mask(l, server, zipFolder));
    const unexpected = out.filter((l) => !shown.includes(l));
    const missing = shown.filter((l) => !isProgress(l) && !all.includes(l));
    expect({ command: step.command, exit: r.code, unexpected, missing }).toEqual({ command: step.command, exit: step.exit, unexpected: [], missing: [] });
  }
});
