/**
 * `npm run devserver -- [--port 5555] [--fixture demo-org|other-names-org|path.json] [--latency 50]
 *   [--auth token] [--solution-version 4.0.0.13] [--all-correct] [--publish-ms 300]
 *   [--generate-users 100000 --generate-roles 2000]`
 */
import { generateLargeOrg } from "./generate";
import { DevServerOptions, startDevServer } from "./server";

function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`Unexpected argument '${a}'`);
    const [k, inline] = a.slice(2).split("=", 2);
    if (inline !== undefined) out[k] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}

function num(v: string | true | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log("Usage: npm run devserver -- [--port N] [--fixture NAME|FILE] [--latency MS] [--auth session|token] [--solution-version V] [--all-correct] [--publish-ms MS] [--generate-users N] [--generate-roles N]");
    return;
  }
  const options: DevServerOptions = {
    port: num(args.port, "port") ?? 0,
    latencyMs: num(args.latency, "latency"),
    publishDurationMs: num(args["publish-ms"], "publish-ms"),
    auth: args.auth === "token" ? "token" : "session",
    solutionVersion: typeof args["solution-version"] === "string" ? args["solution-version"] : undefined,
    allCorrect: args["all-correct"] === true,
  };
  if (args["generate-users"] !== undefined || args["generate-roles"] !== undefined) {
    options.fixture = generateLargeOrg({ users: num(args["generate-users"], "generate-users"), roles: num(args["generate-roles"], "generate-roles") });
  } else if (typeof args.fixture === "string") options.fixture = args.fixture;
  const server = await startDevServer(options);
  const org = server.org;
  console.log(`Dataverse devserver listening on ${server.url}`);
  console.log(`  Web API:  ${server.url}/api/data/v9.2/`);
  console.log(`  fixture:  ${org.fixture.name} (${org.table(org.entity("systemuser")).size} users), auth: ${options.auth}`);
  if (options.auth === "token") console.log(`  token:    POST ${server.url}/${org.organization.TenantId}/oauth2/v2.0/token`);
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
