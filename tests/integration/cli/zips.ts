/**
 * Solution zips made in-test with the real packer (pack/build.ts) over a small control output
 * (tests/unit/pack/fixture.ts), so the CLI and import tests need no production build.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
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
