/**
 * The built control as pcf-scripts leaves it in out/controls/<folder>/, and the version stamp.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { attr, child, parseXml, xmlError } from "../formats/xml";

export interface ControlOutput {
  namespace: string;
  constructor: string;
  version: string;
  /** Paths relative to the control's output folder, "/"-separated, in ordinal order. */
  files: string[];
  read(file: string): Buffer;
}

export function readControlOutput(dir: string): ControlOutput {
  const manifest = readFileSync(join(dir, "ControlManifest.xml"), "utf8");
  const error = xmlError(manifest);
  if (error) throw new Error(`${dir}/ControlManifest.xml is not well-formed XML: ${error}`);
  const control = child(parseXml(manifest), "control");
  if (!control) throw new Error(`${dir}/ControlManifest.xml has no <control> element`);
  return {
    namespace: attr(control, "namespace"),
    constructor: attr(control, "constructor"),
    version: attr(control, "version"),
    files: listFiles(dir),
    read: (file) => readFileSync(join(dir, file)),
  };
}

/**
 * Sets version="…" on the manifest's <control> element only (the resx elements have their own).
 * package.json is the one place the version is written: the built manifest gets it here, so a
 * release never ships a control whose version did not rise (Dataverse would not update it).
 */
export function stampControlVersion(manifest: string, version: string): string {
  const tag = /<control\b[^>]*>/.exec(manifest);
  if (!tag) throw new Error("ControlManifest.xml has no <control> element");
  const stamped = tag[0].replace(/(\sversion=")[^"]*(")/, `$1${version}$2`);
  if (stamped === tag[0] && !tag[0].includes(` version="${version}"`)) throw new Error("ControlManifest.xml <control> has no version attribute");
  return manifest.slice(0, tag.index) + stamped + manifest.slice(tag.index + tag[0].length);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(/[\\/]/).join("/"));
    }
  };
  walk(dir);
  // Ordinal order, independent of the file system's: ControlManifest.xml sorts first.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
