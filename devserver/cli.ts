/**
 * `npm run devserver -- [--port 5555] [--fixture demo-org|other-names-org|path.json] [--latency 50]
 *   [--auth token] [--solution-version 4.0.0.13] [--all-correct] [--publish-ms 300]
 *   [--generate-users 100000 --generate-roles 2000] [--auto-approve [USERID]] [--device-code-interval S]`
 *
 * `--auto-approve` approves every device-code sign-in at once as the given systemuserid (default:
 * the fixture's signed-in admin): for demos only, so nobody has to call the approve route by hand.
 */
import { readOptions, wholeNumber } from "./args";
import { generateLargeOrg } from "./generate";
import { DevServerOptions, startDevServer } from "./server";

/** --auth: a typo must not start the other mode silently. */
function authMode(value: string | undefined): "session" | "token" {
  if (value === undefined || value === "session" || value === "token") return value ?? "session";
  throw new Error(`--auth ${value}: use session (the browser's cookie, the default) or token (OAuth bearer tokens, as the CLI signs in)`);
}

async function main(): Promise<void> {
  const args = readOptions({
    port: { type: "string" },
    fixture: { type: "string" },
    latency: { type: "string" },
    auth: { type: "string" },
    "solution-version": { type: "string" },
    "all-correct": { type: "boolean" },
    "publish-ms": { type: "string" },
    "generate-users": { type: "string" },
    "generate-roles": { type: "string" },
    "auto-approve": { type: "string" },
    "device-code-interval": { type: "string" },
  });
  if (args.help) {
    console.log(
      "Usage: npm run devserver -- [--port N] [--fixture NAME|FILE] [--latency MS] [--auth session|token] [--solution-version V] [--all-correct] [--publish-ms MS] [--generate-users N] [--generate-roles N] [--auto-approve USERID|admin] [--device-code-interval S]",
    );
    return;
  }
  const options: DevServerOptions = {
    port: wholeNumber(args.port, "port") ?? 0,
    latencyMs: wholeNumber(args.latency, "latency"),
    publishDurationMs: wholeNumber(args["publish-ms"], "publish-ms"),
    auth: authMode(args.auth),
    solutionVersion: args["solution-version"],
    allCorrect: args["all-correct"] === true,
    deviceCodeIntervalSeconds: wholeNumber(args["device-code-interval"], "device-code-interval"),
  };
  if (args["generate-users"] !== undefined || args["generate-roles"] !== undefined) {
    options.fixture = generateLargeOrg({ users: wholeNumber(args["generate-users"], "generate-users"), roles: wholeNumber(args["generate-roles"], "generate-roles") });
  } else if (args.fixture) options.fixture = args.fixture;
  if (args["auto-approve"] !== undefined) options.autoApproveDeviceCodesAs = args["auto-approve"];
  const server = await startDevServer(options);
  const org = server.org;
  console.log(`Dataverse devserver listening on ${server.url}`);
  console.log(`  Web API:  ${server.url}/api/data/v9.2/`);
  console.log(`  fixture:  ${org.fixture.name} (${org.table(org.entity("systemuser")).size} users), auth: ${options.auth}`);
  if (options.auth === "token") console.log(`  token:    POST ${server.url}/${org.organization.TenantId}/oauth2/v2.0/token`);
  console.log(`  Graph:    ${server.graphUrl} (device code: POST ${server.url}/${org.organization.TenantId}/oauth2/v2.0/devicecode)`);
  if (options.autoApproveDeviceCodesAs) console.log(`  sign-in:  device codes are approved at once (--auto-approve ${options.autoApproveDeviceCodesAs})`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`devserver: ${(e as Error)?.message ?? e}`);
  process.exit(1);
});
