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
import { createSyncUser, type CreateSyncUserOptions } from "./commands/createSyncUser";
import { DEFAULT_APP_NAME, setup, type SetupOptions } from "./commands/setup";
import { deploy, type DeployOptions } from "./commands/deploy";
import { publish } from "./commands/publish";
import { assignRole, removeRole } from "./commands/roles";
import { setUser } from "./commands/setUser";
import { enableSteps } from "./commands/steps";
import { verify } from "./commands/verify";
import { systemClock } from "./clock";
import { CliError, EXIT, explain, type ExitCode } from "./errors";
import { SECRET_ENV } from "./connection";
import { createIo, type Io, type IoBase } from "./io";
import type { CommandRuntime } from "./network";
import { jsonHeader, TOOL_VERSION, useColour, type Output, type OutputFormat } from "./output";
import { createSession, type GlobalOptions, type Session } from "./session";
import { DryRun } from "./dryRun";
import { isMultiRun, runEnvironments, type MultiOptions, type RunCommand, type RunOverrides } from "./environments";
import { langOption, pickLang, translator } from "./strings";

type Handler = (session: Session, ...args: never[]) => Promise<ExitCode>;

/** `--timeout 90`, `--timeout 2.5`: seconds, a positive number; anything else is a usage error (exit 2). */
function timeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) throw new CliError(EXIT.usage, "Cli_BadTimeout", { value });
  return seconds;
}

function buildProgram(io: Io, setExit: (code: number) => void, overrides: RunOverrides = {}, rerun?: RunCommand): Command {
  const program = new Command("marketo-dynamics");
  program
    .description(
      "Check and fix the Marketo sync setup of a Dynamics 365 organization, server-to-server.\nThe client secret is read from MARKETO_DYNAMICS_CLIENT_SECRET or, with --client-secret-stdin, from standard input.",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)")
    .addOption(
      new Option("--url <url>", "organization URL, e.g. https://contoso.crm.dynamics.com; several: repeat --url or separate with commas")
        .env("MARKETO_DYNAMICS_URL")
        .argParser((value: string, previous: string | undefined) => (previous ? `${previous},${value}` : value)),
    )
    .addOption(new Option("--tenant <id>", "Microsoft Entra tenant ID (or domain)").env("MARKETO_DYNAMICS_TENANT"))
    .addOption(new Option("--client-id <id>", "application (client) ID of the app registration").env("MARKETO_DYNAMICS_CLIENT_ID"))
    .option("--client-secret-stdin", "read the client secret from standard input instead of MARKETO_DYNAMICS_CLIENT_SECRET")
    .option("--authority <url>", "token authority (default https://login.microsoftonline.com/<tenant>); http only on localhost, for tests")
    .option("--config-entity <logical name>", 'the Marketo Config table (default: found by its display name "Marketo Config")')
    .option("--user-attribute <logical name>", "the Marketo User lookup on that table (default: its custom lookup to users)")
    .option("--role <name>", "name of the sync security role", DEFAULT_ROLE_NAME)
    .option("--solution <name>", "display or unique name of the Marketo solution", DEFAULT_SOLUTION_NAME)
    .option("--json", "machine-readable output on stdout (same as --output json)")
    .addOption(new Option("--output <format>", "json, table (the checklist, aligned) or text (the plain report)").choices(["json", "table", "text"]))
    .option("--verbose", "trace each HTTP request on stderr: method, URL, status, time (never a token or the secret)")
    .option("--lang <code>", "1033 (English) or 1036 (French); default from LANG")
    .option("--no-color", "no colours (also when NO_COLOR is set or stdout is not a terminal)")
    .option("--timeout <seconds>", "the most the whole command may take, retries and waits included (default: no limit; one request waits at most 60 s)")
    .option("--no-marketo-credentials", "the app registration signing in is not the one Marketo uses: skip the check that it is the Marketo User")
    .option("--certificate <path>", "sign in with a certificate: a PEM file with the private key and the certificate registered on the app (instead of a secret)")
    .option("--federated-token-file <path>", "sign in with a federated token (GitHub Actions OIDC, Azure workload identity) read from this file at each token request")
    .option("--environments <file>", "run the command on each environment of this YAML or JSON file (url, tenant, clientId, secretEnv or certificate or federatedTokenFile)")
    .option("--parallel <n>", "how many environments run at once (default 4)")
    .option("--junit <file>", "also write a JUnit XML report: one test suite per environment, one test case per check")
    .version(TOOL_VERSION, "--version", "the tool's version")
    .addHelpText(
      "after",
      "\nExit codes: 0 success (verify: every check passed), 1 a check failed or the org refused the change, 2 usage or sign-in, 3 a check or the command could not run (unreachable, 5xx, throttled, read denied, --timeout), 130 stopped with Ctrl-C (a publish or import started goes on: follow it with publish --job / deploy --import-job).",
    );

  const action =
    (operation: Operation, handler: Handler) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const opts = { ...command.optsWithGlobals(), ...overrides } as GlobalOptions & MultiOptions & Record<string, unknown>;
      const t = translator(pickLang(opts.lang, io.env));
      const format: OutputFormat = opts.output ?? (opts.json === true ? "json" : "table");
      const out: Output = { io, t, json: format === "json", format, colour: opts.color !== false && useColour(io) };
      const clock = io.clock ?? systemClock;
      const controller = new AbortController();
      const runtime: CommandRuntime = {
        signal: controller.signal,
        abort: (reason) => controller.abort(reason),
        clock,
        verbose: opts.verbose === true,
        dryRun: opts.dryRun === true ? new DryRun() : undefined,
      };
      // Ctrl-C stops the command, not a system job it started: what to run to follow that job is said (exit 130).
      const onInterrupt = () => runtime.abort(new CliError(EXIT.interrupted, runtime.following?.key ?? "Cli_Interrupted", runtime.following?.params ?? {}));
      io.interrupt?.addEventListener("abort", onInterrupt, { once: true });
      // The command ends on whichever comes first: its own end, or the runtime's stop (--timeout, an unreachable host).
      const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true }));
      let cancelDeadline = () => undefined as void;
      try {
        // Said in the language of the locale: the one asked for is not known.
        if (opts.lang !== undefined && !langOption(opts.lang)) throw new CliError(EXIT.usage, "Cli_BadLang", { lang: opts.lang });
        const seconds = timeoutSeconds(opts.timeout);
        if (seconds !== undefined) cancelDeadline = clock.after(seconds * 1000, () => runtime.abort(new CliError(EXIT.couldNotRun, "Cli_TimedOut", { seconds: opts.timeout ?? "" })));
        // Several environments (or --junit): each is one run of this command, then one summary (cli/environments.ts).
        // One run of setup makes one app registration and prints its one secret: several organisations would share them.
        if (isMultiRun(opts) && command.name() === "setup") throw new CliError(EXIT.usage, "Cli_Setup_OneEnvironment", {});
        if (rerun && isMultiRun(opts)) return setExit(await Promise.race([runEnvironments(opts, out, command.name(), rerun), stopped]));
        const session = createSession(io, t, out, opts, runtime);
        setExit(await Promise.race([(handler as (s: Session, ...a: unknown[]) => Promise<ExitCode>)(session, ...args.slice(0, -1)), stopped]));
      } catch (e) {
        // A request cut short by the stop fails with its own error: the stop's reason is what happened.
        const x = explain(controller.signal.aborted ? controller.signal.reason : e, operation, t);
        // JSON mode: stdout stays for results; the error is one JSON document on stderr.
        if (out.json)
          io.err(JSON.stringify({ ...jsonHeader(clock.now()), error: { key: x.key, message: x.message, hint: x.hint ?? null, details: x.details ?? null }, exitCode: x.exitCode }, null, 2) + "\n");
        else {
          io.err(`${t("Cli_ErrorPrefix")} ${x.message}\n`);
          if (x.hint) io.err(`${x.hint}\n`);
          if (x.details) io.err(x.details.replace(/^/gm, "  ") + "\n");
        }
        setExit(x.exitCode);
      } finally {
        io.interrupt?.removeEventListener("abort", onInterrupt);
        cancelDeadline();
      }
    };

  const DRY_RUN = "list the requests that would change something (method, URL, short body summary) and change nothing";
  program
    .command("verify")
    .description("check the setup (the control's checklist); exit 1 when a check fails")
    .option("--strict", "also exit 1 on warnings and unknown checks")
    .action(action("load", (s, options: { strict?: boolean }) => verify(s, options)));
  program
    .command("set-user")
    .description("set the Marketo User on the Default Marketo Config record")
    .argument("<user>", "email address, Client ID (application ID) or user id")
    .option("--force", "save a user that is not an application user, or not the one Marketo's credentials sign in as (refused otherwise, exit 1)")
    .option("--dry-run", DRY_RUN)
    .action(action("saveUser", (s, user: string, options: { force?: boolean }) => setUser(s, user, options)));
  program
    .command("assign-role")
    .description("give the Marketo User the sync role (the copy of its business unit)")
    .option("--user <user>", "the user to act on (email, Client ID or user id; default: the saved Marketo User)")
    .option("--everyone", "Marketo solutions before 4.0.0.14: every enabled user who lacks the role (Read-Write users, not application users)")
    .option("-y, --yes", "with --everyone: do not ask for confirmation (required when stdin is not a terminal)")
    .option("--dry-run", DRY_RUN)
    .action(action("assignRole", (s, options: { user?: string; everyone?: boolean; yes?: boolean }) => assignRole(s, options)));
  program
    .command("remove-role")
    .description("remove the sync role from other users (Marketo solution 4.0.0.14 and later)")
    .option("--others", "every enabled user other than the Marketo User who holds the role, directly or through a team (the role is then removed from the team)")
    .option("--disabled", "disabled users who still hold the role")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--user <user>", "the user who keeps the role (email, Client ID or user id; default: the saved Marketo User)")
    .option("--dry-run", DRY_RUN)
    .action(action("removeRole", (s, options: { others?: boolean; disabled?: boolean; yes?: boolean; user?: string }) => removeRole(s, options)));
  program
    .command("enable-steps")
    .description("enable the Marketo solution's disabled plugin steps")
    .option("--dry-run", DRY_RUN)
    .action(action("enableSteps", (s) => enableSteps(s)));
  program
    .command("publish")
    .description("publish all customizations (waits for a publish already running)")
    .option("--job <id>", "follow a publish already started (the system job id a stopped publish printed)")
    .option("--dry-run", DRY_RUN)
    .action(action("publish", (s, options: { job?: string }) => publish(s, options)));
  program
    .command("deploy")
    .description("import a solution zip (checked first; nothing is sent if the check fails), then publish")
    .argument("[zip]", "solution file, e.g. dist/MarketoConfigControl_1_0_0_0_managed.zip")
    .option("--no-publish", "do not publish after the import")
    .option("--overwrite-unmanaged", "overwrite unmanaged customizations of the solution's components")
    .option("--skip-lower-version", "do nothing (exit 0) when the installed version is higher than the zip's")
    .option("--skip-same-version", "do nothing (exit 0) when the installed version is the zip's")
    .option("--stage-and-upgrade", "upgrade the installed managed solution (StageAndUpgradeAsync): components the new version no longer has are removed")
    .option("--max-async-wait <minutes>", "how long to follow the import (default 60, as pac)")
    .option("--no-publish-workflows", "do not activate the solution's processes after the import (ImportSolution's PublishWorkflows)")
    .option("--import-job <id>", "follow an import already started (the import job id a stopped deploy printed), then publish")
    .option("--dry-run", DRY_RUN)
    .action(action("deploy", (s, zip: string | undefined, options: DeployOptions) => deploy(s, zip, options)));
  program
    .command("bind-form")
    .description("put the control on the Marketo User field of the Marketo Config main form (web, tablet, phone), then publish the table")
    .option("--form <name>", "only this main form (default: every main form with the field)")
    .option("--no-publish", "do not publish the table afterwards")
    .option("--include-header", "also bind the copy of the field in the form header (default: the field in the form body only)")
    .option("--replace", "replace another control already on the field (default: refuse and name it)")
    .option("--dry-run", DRY_RUN)
    .action(action("bindForm", (s, options: BindFormOptions) => bindForm(s, options)));
  program
    .command("connection-info")
    .description("print what Marketo's step 3 asks for: org URL, Organization Service URL, tenant ID, Client ID, username")
    .action(action("connectionInfo", (s) => connectionInfo(s)));
  // Issue 14: the sync user from nothing (cli/commands/createSyncUser.ts, cli/commands/setup.ts).
  program
    .command("create-sync-user")
    .description("create the application user of --client-id (or reuse it), give it the sync role and set it as the Marketo User")
    .option("--business-unit <name>", "business unit of a new application user (default: the root business unit)")
    .option("--enable", "enable the application user if it exists but is disabled")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--admin-client-id <id>", "sign in as this app registration (secret as usual) instead of as an admin with a device code")
    .option("--setup-client-id <id>", "public client of the device-code sign-in (default: Microsoft's Azure CLI, 04b07795-8ddb-461a-bbee-02f9e1bf7b46)")
    .option("--dry-run", DRY_RUN)
    .action(action("saveUser", (s, options: CreateSyncUserOptions) => createSyncUser(s, options)));
  program
    .command("setup")
    .description("Marketo's step 2 in one run, signed in as an admin (device code): Entra app, secret, application user, role, Marketo User, plugin steps, publish, verify")
    .option("--app-name <name>", "display name of the Entra app registration, found or created", DEFAULT_APP_NAME)
    .option("--secret-expiry <when>", "6m, 12m, 24m or a date YYYY-MM-DD", "12m")
    .option("--secret-file <path>", "write the new client secret to this file (mode 0600) instead of showing it")
    .option("--show-secret", "with --json: put the new client secret in the JSON document")
    .option("--new-secret", "add a new client secret to an app that already has one")
    .option("--business-unit <name>", "business unit of a new application user (default: the root business unit)")
    .option("--enable", "enable the application user if it exists but is disabled")
    .option("--setup-client-id <id>", "public client of the device-code sign-in (default: Microsoft's Azure CLI, 04b07795-8ddb-461a-bbee-02f9e1bf7b46)")
    .option("--graph-url <url>", "Microsoft Graph base URL", "https://graph.microsoft.com/v1.0/")
    .option("--dry-run", DRY_RUN)
    .action(action("saveUser", (s, options: SetupOptions) => setup(s, options)));
  return program;
}

/** The process's Ctrl-C as a signal; a second Ctrl-C ends the process the usual way. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  return controller.signal;
}

/** `overrides`: options that replace the command line's (one environment's run of a multi-environment run). */
export async function run(argv: string[], base: IoBase, overrides?: RunOverrides): Promise<number> {
  const io = createIo(base);
  // Hidden from the first line written: a usage error can echo an option into which a pipeline put the
  // secret by mistake (swapped variables), before the sign-in reads it.
  const envSecret = base.env[SECRET_ENV];
  if (envSecret) io.addSecret(envSecret);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code), overrides, overrides ? undefined : (child, o) => run(argv, child, o));
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
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, interrupt: interruptSignal() }).then((code) => (process.exitCode = code));
}
