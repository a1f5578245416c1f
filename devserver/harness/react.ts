/**
 * Which React the harness runs the control on.
 *
 * The manifest declares React 16.14.0 (what pcf-scripts builds against), but Microsoft's
 * "React controls & platform libraries" page (table "Supported platform libraries list") says the
 * platform loads React 17.0.2 in model-driven apps (16.14.0 in canvas apps), under the same global
 * names the bundle reads (`Reactv16`/`ReactDOMv16`). Dynamics therefore runs the control on 17.0.2,
 * and so does `npm start` unless told `--react 16.14.0`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export const DECLARED_REACT = "16.14.0";
export const RUNTIME_REACT = "17.0.2";
/** The runtime version first: it is the default. */
export const REACT_VERSIONS = [RUNTIME_REACT, DECLARED_REACT] as const;
export type ReactVersion = (typeof REACT_VERSIONS)[number];

export function isReactVersion(v: unknown): v is ReactVersion {
  return (REACT_VERSIONS as readonly unknown[]).includes(v);
}

/** The version asked for, or a readable error naming the choices. */
export function reactVersion(v: string | undefined, where = "--react"): ReactVersion {
  if (v === undefined || v === "") return RUNTIME_REACT;
  if (!isReactVersion(v)) {
    throw new Error(`${where}: React ${v} is not offered. Choose ${RUNTIME_REACT} (what model-driven apps load, the default) or ${DECLARED_REACT} (the manifest's version).`);
  }
  return v;
}

const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/**
 * The UMD files that make up one React, in load order, as (name served under
 * /harness/react/<version>/, file on disk).
 * 16.14.0: pcf-start's local copy (defines `Reactv16` and `ReactDOMv16`).
 * 17.0.2: the pinned npm aliases `react-runtime` and `react-dom-runtime` (define `React`, `ReactDOM`;
 * react-dom's UMD reads the global `React`, so react comes first).
 */
export function reactFiles(version: ReactVersion): Array<{ name: string; file: string }> {
  if (version === DECLARED_REACT) {
    return [{ name: "react_16_14_0.js", file: path.join(packageDir("pcf-start"), "lib", "react_16_14_0.js") }];
  }
  for (const pkg of ["react-runtime", "react-dom-runtime"]) {
    const installed = (JSON.parse(readFileSync(path.join(packageDir(pkg), "package.json"), "utf8")) as { version: string }).version;
    if (installed !== version) throw new Error(`node_modules/${pkg} is React ${installed}, not ${version}: run npm ci`);
  }
  return [
    { name: "react.production.min.js", file: path.join(packageDir("react-runtime"), "umd", "react.production.min.js") },
    { name: "react-dom.production.min.js", file: path.join(packageDir("react-dom-runtime"), "umd", "react-dom.production.min.js") },
  ];
}
