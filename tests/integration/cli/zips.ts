/**
 * Solution zips made in-test with the real packer (pack/build.ts) over a small control output
 * (tests/unit/pack/fixture.ts), so the CLI and import tests need no production build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer, type DevServer, type DevServerOptions } from "../../../devserver/server";
import { connectionArgs } from "./helpers";
import { packSolution } from "../../../pack/build";
import { fixtureRoot } from "../../unit/pack/fixture";

export function buildZips(outDir: string) {
  const pack = (version: string) => {
    const root = fixtureRoot(version);
    let result: ReturnType<typeof packSolution>;
    try {
      result = packSolution({ root, outDir: join(outDir, version) });
    } finally {
      // The fixture project is only the packer's input: the zips live in outDir.
      rmSync(root, { recursive: true, force: true });
    }
    const path = (managed: boolean) => result.zips.find((z) => z.managed === managed)!.path;
    return { managed: path(true), unmanaged: path(false) };
  };
  const v1 = pack("1.0.0");
  const v2 = pack("1.0.1");
  return { v1Managed: v1.managed, v1Unmanaged: v1.unmanaged, v2Managed: v2.managed };
}

export interface DeployTestBed {
  server: DevServer;
  /** The CLI's connection options for the server. */
  args: string[];
  /** A scratch folder, removed after the file's tests. */
  work: string;
  zips: ReturnType<typeof buildZips>;
}

/** A token-mode stand-in and solution zips for a test file, the organisation reset before each test. */
export function useDeployTestBed(options: DevServerOptions, prefix: string, use: (bed: DeployTestBed) => void): void {
  let bed: DeployTestBed | undefined;
  beforeAll(async () => {
    const server = await startDevServer({ auth: "token", ...options });
    const work = mkdtempSync(join(tmpdir(), prefix));
    bed = { server, args: connectionArgs(server), work, zips: buildZips(work) };
    use(bed);
  });
  afterAll(async () => {
    if (!bed) return;
    rmSync(bed.work, { recursive: true, force: true });
    await bed.server.close();
  });
  beforeEach(() => bed?.server.reset());
}
