/**
 * Writes the managed and unmanaged solution zips from the solution source and the built control.
 * Entry order, BOMs and [Content_Types].xml follow formats/solutionLayout.ts; dates are fixed so the same source
 * always gives the same bytes.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { readControlOutput, stampControlVersion } from "./controlOutput";
import { BOM, CONTENT_TYPES, CONTROLS_DIR, CUSTOMIZATIONS, ENTRY_DATE, SOLUTION, contentTypesXml, controlName, zipFileName } from "../formats/solutionLayout";
import { readSolutionSource, renderCustomizationsXml, renderSolutionXml, versionsFrom } from "./solutionSource";

export interface PackOptions {
  /** Repository root (package.json, Solution/, out/). */
  root: string;
  /** Control folder name under out/controls (default MarketoConfigControl). */
  controlFolder?: string;
  /** Output folder (default <root>/dist). */
  outDir?: string;
}

export interface PackedZip {
  path: string;
  fileName: string;
  managed: boolean;
  bytes: Uint8Array;
}

export interface PackResult {
  uniqueName: string;
  version: string;
  controls: string[];
  zips: PackedZip[];
}

/** Both zips in memory: entries, in the order they are written. */
export function composeSolution(options: PackOptions): { uniqueName: string; version: string; controls: string[]; entries: (managed: boolean) => [string, Uint8Array][] } {
  const { root } = options;
  const folder = options.controlFolder ?? "MarketoConfigControl";
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string };
  const versions = versionsFrom(pkg.version ?? "");
  const source = readSolutionSource(root);
  const control = readControlOutput(join(root, "out", "controls", folder));
  if (!control.namespace || !control.constructor) throw new Error("the built ControlManifest.xml has no namespace or constructor");
  const name = controlName(source.prefix, control.namespace, control.constructor);
  const controls = [name];

  // The control's files as pcf-scripts wrote them, manifest first, its version stamped.
  const controlEntries: [string, Uint8Array][] = ["ControlManifest.xml", ...control.files.filter((f) => f !== "ControlManifest.xml")].map((file) => {
    const bytes = file === "ControlManifest.xml" ? Buffer.from(stampControlVersion(control.read(file).toString("utf8"), versions.control), "utf8") : control.read(file);
    return [`${CONTROLS_DIR}${name}/${file}`, bytes];
  });
  const customizations = withBom(renderCustomizationsXml(source, controls));
  const entryNames = [CUSTOMIZATIONS, SOLUTION, ...controlEntries.map(([n]) => n)];
  const contentTypes = withBom(contentTypesXml(entryNames, controls));

  return {
    uniqueName: source.uniqueName,
    version: versions.solution,
    controls,
    entries: (managed) => [[CUSTOMIZATIONS, customizations], [SOLUTION, withBom(renderSolutionXml(source, versions.solution, managed, controls))], ...controlEntries, [CONTENT_TYPES, contentTypes]],
  };
}

/** A zip of the entries, in order: deflated, no directory entries, fixed dates. */
export function zipEntries(entries: [string, Uint8Array][]): Uint8Array {
  const files: Zippable = {};
  for (const [name, bytes] of entries) {
    if (name in files) throw new Error(`duplicate entry ${name}`);
    // Flat "a/b/c" keys: fflate then writes file entries only, no directory entries.
    files[name] = [bytes, { level: 9, mtime: ENTRY_DATE }];
  }
  return zipSync(files);
}

export function packSolution(options: PackOptions): PackResult {
  const composed = composeSolution(options);
  const outDir = options.outDir ?? join(options.root, "dist");
  mkdirSync(outDir, { recursive: true });
  const zips = [true, false].map((managed) => {
    const fileName = zipFileName(composed.uniqueName, composed.version, managed);
    const bytes = zipEntries(composed.entries(managed));
    const path = join(outDir, fileName);
    writeFileSync(path, bytes);
    return { path, fileName, managed, bytes };
  });
  return { uniqueName: composed.uniqueName, version: composed.version, controls: composed.controls, zips };
}

function withBom(text: string): Uint8Array {
  return Buffer.concat([BOM, Buffer.from(text, "utf8")]);
}
