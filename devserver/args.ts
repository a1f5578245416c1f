/** Command-line options of `npm run devserver` and `npm start`, read with Node's own parser. */
import { parseArgs } from "node:util";

export type OptionSpec = Record<string, { type: "string" | "boolean" }>;

/** Unknown options and missing values fail with Node's message (e.g. "Unknown option '--prot'"). */
export function readOptions<T extends OptionSpec>(spec: T, argv = process.argv.slice(2)) {
  return parseArgs({ args: argv, options: { ...spec, help: { type: "boolean" } }, strict: true, allowPositionals: false }).values;
}

/** A non-negative whole number option, or undefined when absent. */
export function wholeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number (got '${String(value)}')`);
  return n;
}
