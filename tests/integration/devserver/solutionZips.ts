/**
 * Variants of our own packed solution for the import tests: entries edited, removed, reordered,
 * stored instead of deflated, with or without BOMs, as Dataverse's own export writes them.
 */
import { readFileSync } from "node:fs";
import { zipSync, type Zippable } from "fflate";
import { readZip } from "../../../formats/zipReader";

export const CONTROL = "mss_MarketoSync.MarketoConfigControl";
export const MANIFEST_ENTRY = `Controls/${CONTROL}/ControlManifest.xml`;

export type Entries = Map<string, string | Uint8Array>;

export interface RezipOptions {
  /** Entry names in the order wanted; names not listed follow in their original order. */
  order?: string[];
  /** 0 stores the entries, 9 deflates them (the packer's default). */
  level?: 0 | 9;
}

/** The zip's entries, in stored order, as text (every entry of our zip is text). */
export function entriesOf(zipPath: string): Entries {
  const { entries, data } = readZip(readFileSync(zipPath));
  return new Map(entries.map((e) => [e.name, Buffer.from(data[e.name]).toString("utf8")]));
}

export function rezip(entries: Entries, options: RezipOptions = {}): Uint8Array {
  const names = [...(options.order ?? []).filter((n) => entries.has(n)), ...[...entries.keys()].filter((n) => !options.order?.includes(n))];
  const files: Zippable = {};
  for (const name of names) {
    const value = entries.get(name)!;
    files[name] = [typeof value === "string" ? Buffer.from(value, "utf8") : value, { level: options.level ?? 9 }];
  }
  return zipSync(files);
}

/** The zip at `zipPath` with `edit` applied to its entries (text, BOM kept as U+FEFF). */
export function edited(zipPath: string, edit: (entries: Entries) => void, options?: RezipOptions): string {
  const entries = entriesOf(zipPath);
  edit(entries);
  return Buffer.from(rezip(entries, options)).toString("base64");
}

/** Replaces text in one entry; fails the test if the text is not there (the edit would be a no-op). */
export function replaceIn(entries: Entries, name: string, from: string | RegExp, to: string): void {
  const text = String(entries.get(name));
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${name}: ${String(from)} not found`);
  entries.set(name, next);
}
