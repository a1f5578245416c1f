/**
 * `marketo-dynamics`: the Marketo Config checks and fixes, server-to-server.
 * `run(argv, io)` is the whole program (tests call it in-process); bin/marketo-dynamics.js calls it
 * with the real process streams.
 */
import { DEFAULT_ROLE_NAME, DEFAULT_SOLUTION_NAME } from "../core/setup/defaults";
import { Command, CommanderError, Option } from "commander";
import type { Operation } from "../core/setup/messages";
import { bindForm, type BindFormOptions } from "./commands/bindForm";
import { connectionInfo } from "./commands/connectionInfo";
import { deploy } from "./commands/deploy";
import { publish } from "./commands/publish";
import { assignRole, removeRole } from "./commands/roles";
import { setUser } from "./commands/setUser";
import { enableSteps } from "./commands/steps";
import { verify } from "./commands/verify";
import { EXIT, explain, type ExitCode } from "./errors";
import { createIo, type Io, type IoBase } from "./io";
import { useColour, writeJson, type Output } from "./output";
import { createSession, type GlobalOptions, type Session } from "./session";
import { pickLang, translator } from "./strings";

type Handler = (session: Session, ...args: never[]) => Promise<ExitCode>;

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("marketo-dynamics");
  program
    .description(
      "Check and fix the Marketo sync setup of a Dynamics 365 organization, server-to-server.\nThe client secret is read from MARKETO_DYNAMICS_CLIENT_SECRET or, with --client-secret-stdin, from standard input.",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)")
    .addOption(new Option("--url <url>", "organization URL, e.g. https://contoso.crm.dynamics.com").env("MARKETO_DYNAMICS_URL"))
    .addOption(new Option("--tenant <id>", "Microsoft Entra tenant ID (or domain)").env("MARKETO_DYNAMICS_TENANT"))
    .addOption(new Option("--client-id <id>", "application (client) ID of the app registration").env("MARKETO_DYNAMICS_CLIENT_ID"))
    .option("--client-secret-stdin", "read the client secret from standard input instead of MARKETO_DYNAMICS_CLIENT_SECRET")
    .option("--authority <url>", "token authority (default https://login.microsoftonline.com/<tenant>); http only on localhost, for tests")
    .option("--config-entity <logical name>", 'the Marketo Config table (default: found by its display name "Marketo Config")')
    .option("--user-attribute <logical name>", "the Marketo User lookup on that table (default: its custom lookup to users)")
    .option("--role <name>", "name of the sync security role", DEFAULT_ROLE_NAME)
    .option("--solution <name>", "display or unique name of the Marketo solution", DEFAULT_SOLUTION_NAME)
    .option("--json", "machine-readable output on stdout")
    .option("--lang <code>", "1033 (English) or 1036 (French); default from LANG")
    .option("--no-color", "no colours (also when NO_COLOR is set or stdout is not a terminal)")
    .option("--timeout <seconds>", "per-request timeout", "60")
    .option("--no-marketo-credentials", "the app registration signing in is not the one Marketo uses: skip the check that it is the Marketo User")
    .addHelpText("after", "\nExit codes: 0 success (verify: no check fails), 1 a check failed or the operation was refused, 2 usage, sign-in or connection error.");

  const action =
    (operation: Operation, handler: Handler) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const opts = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const t = translator(pickLang(opts.lang, io.env));
      const out: Output = { io, t, json: opts.json === true, colour: opts.color !== false && useColour(io) };
      const session = createSession(io, t, out, opts);
      try {
        setExit(await (handler as (s: Session, ...a: unknown[]) => Promise<ExitCode>)(session, ...args.slice(0, -1)));
      } catch (e) {
        const x = explain(e, operation, t);
        if (out.json) writeJson(io, { error: { key: x.key, message: x.message, hint: x.hint ?? null, details: x.details ?? null }, exitCode: x.exitCode });
        else {
          io.err(`${t("Cli_ErrorPrefix")} ${x.message}\n`);
          if (x.hint) io.err(`${x.hint}\n`);
          if (x.details) io.err(x.details.replace(/^/gm, "  ") + "\n");
        }
        setExit(x.exitCode);
      }
    };

  program
    .command("verify")
    .description("check the setup (the control's checklist); exit 1 when a check fails")
    .option("--strict", "also exit 1 on warnings and unknown checks")
    .action(action("load", (s, options: { strict?: boolean }) => verify(s, options)));
  program
    .command("set-user")
    .description("set the Marketo User on the Default Marketo Config record")
    .argument("<user>", "email address, Client ID (application ID) or user id")
    .action(action("saveUser", (s, user: string) => setUser(s, user)));
  program
    .command("assign-role")
    .description("give the Marketo User the sync role (the copy of its business unit)")
    .action(action("assignRole", (s) => assignRole(s)));
  program
    .command("remove-role")
    .description("remove the sync role from other users (Marketo solution 4.0.0.14 and later)")
    .option("--others", "every enabled user other than the Marketo User who holds the role")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .action(action("removeRole", (s, options: { others?: boolean; yes?: boolean }) => removeRole(s, options)));
  program
    .command("enable-steps")
    .description("enable the Marketo solution's disabled plugin steps")
    .action(action("enableSteps", (s) => enableSteps(s)));
  program
    .command("publish")
    .description("publish all customizations (waits for a publish already running)")
    .action(action("publish", (s) => publish(s)));
  program
    .command("deploy")
    .description("import a solution zip (checked first; nothing is sent if the check fails), then publish")
    .argument("<zip>", "solution file, e.g. dist/MarketoConfigControl_1_0_0_0_managed.zip")
    .option("--no-publish", "do not publish after the import")
    .option("--overwrite-unmanaged", "overwrite unmanaged customizations of the solution's components")
    .action(action("deploy", (s, zip: string, options: { publish?: boolean; overwriteUnmanaged?: boolean }) => deploy(s, zip, options)));
  program
    .command("bind-form")
    .description("put the control on the Marketo User field of the Marketo Config main form (web, tablet, phone), then publish the table")
    .option("--form <name>", "only this main form (default: every main form with the field)")
    .option("--no-publish", "do not publish the table afterwards")
    .option("--include-header", "also bind the copy of the field in the form header (default: the field in the form body only)")
    .option("--replace", "replace another control already on the field (default: refuse and name it)")
    .action(action("bindForm", (s, options: BindFormOptions) => bindForm(s, options)));
  program
    .command("connection-info")
    .description("print what Marketo's step 3 asks for: org URL, Organization Service URL, tenant ID, Client ID, username")
    .action(action("connectionInfo", (s) => connectionInfo(s)));
  return program;
}

export async function run(argv: string[], base: IoBase): Promise<number> {
  const io = createIo(base);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.err(`${io.scrub(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return EXIT.failed;
  }
  return exitCode;
}

if (require.main === module) {
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then((code) => (process.exitCode = code));
}
