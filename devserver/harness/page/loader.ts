/**
 * Loads a built control as Dynamics does: reads its ControlManifest.xml, loads the platform
 * libraries it declares, then its code, which registers the control through
 * `ComponentFramework.registerControl` (the call pcf-scripts appends to bundle.js).
 */

export interface ManifestProperty {
  name: string;
  ofType: string;
  usage: string;
  defaultValue?: string;
}

export interface BuiltManifest {
  namespace: string;
  constructorName: string;
  controlType: string;
  properties: ManifestProperty[];
  platformLibraries: Array<{ name: string; version: string }>;
  code: Array<{ path: string; order: number }>;
  resx: string[];
}

export function parseManifest(xml: string): BuiltManifest {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  const control = doc.querySelector("manifest > control");
  if (!control) throw new Error("ControlManifest.xml has no <control>");
  const all = (selector: string) => Array.from(control.querySelectorAll(selector));
  return {
    namespace: control.getAttribute("namespace") ?? "",
    constructorName: control.getAttribute("constructor") ?? "",
    controlType: control.getAttribute("control-type") ?? "standard",
    properties: all("property").map((p) => ({
      name: p.getAttribute("name") ?? "",
      ofType: p.getAttribute("of-type") ?? "",
      usage: p.getAttribute("usage") ?? "",
      defaultValue: p.getAttribute("default-value") ?? undefined,
    })),
    platformLibraries: all("resources > platform-library").map((l) => ({ name: l.getAttribute("name") ?? "", version: l.getAttribute("version") ?? "" })),
    code: all("resources > code")
      .map((c) => ({ path: c.getAttribute("path") ?? "", order: Number(c.getAttribute("order") ?? 1) }))
      .sort((a, b) => a.order - b.order),
    resx: all("resources > resx").map((r) => r.getAttribute("path") ?? ""),
  };
}

/** pcf-start's file for a platform library: React 16.14.0 → react_16_14_0.js. */
export const platformLibraryFile = (lib: { name: string; version: string }) => `${lib.name.toLowerCase()}_${lib.version.replace(/\./g, "_")}.js`;

export function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`Could not load ${src}`));
    document.head.append(script);
  });
}

type ControlConstructor = new () => unknown;
const registered = new Map<string, ControlConstructor>();

/** What the platform offers before any control code runs. */
export function installComponentFramework(): void {
  const w = window as unknown as { ComponentFramework?: Record<string, unknown> };
  w.ComponentFramework = {
    ...(w.ComponentFramework ?? {}),
    registerControl: (name: string, ctor: ControlConstructor) => registered.set(name, ctor),
    getRegisteredControl: (name: string) => registered.get(name) ?? null,
  };
}

export function registeredControl(name: string): ControlConstructor | undefined {
  return registered.get(name);
}

/** The React the harness runs in place of the manifest's React platform library (see ../react.ts). */
export interface ReactChoice {
  version: string;
  /** UMD scripts, in load order. */
  scripts: string[];
}

/**
 * Loads the platform libraries, React first (it is Fluent's dependency), from local copies.
 * React is the harness's choice, not necessarily the manifest's version: Microsoft's "React controls
 * & platform libraries" page says model-driven apps load React 17.0.2 for a manifest declaring
 * 16.14.0, under the global names the bundle reads for the declared major (`Reactv16`,
 * `ReactDOMv16`). pcf-start's react_16_14_0.js defines only those; React's own UMD builds define
 * only `React` and `ReactDOM`, which the Fluent UMD build reads: both pairs are set either way.
 * Returns the React version actually running.
 */
export async function loadPlatformLibraries(libs: BuiltManifest["platformLibraries"], base: string, iconFontBase: string, react: ReactChoice): Promise<string | undefined> {
  const ordered = [...libs].sort((a, b) => Number(b.name.toLowerCase() === "react") - Number(a.name.toLowerCase() === "react"));
  const w = window as unknown as Record<string, { version?: string } | undefined> & { FabricConfig?: unknown };
  // Fluent registers its icon font and the Segoe UI web fonts from an Office CDN when it loads,
  // unless FabricConfig says otherwise: the icon font comes from node_modules, and an empty
  // fontBaseUrl registers no web font at all (Fluent skips them), so nothing is fetched off-line
  // and nothing fails to load.
  w.FabricConfig = { iconBaseUrl: iconFontBase, fontBaseUrl: "" };
  let running: string | undefined;
  for (const lib of ordered) {
    if (lib.name.toLowerCase() !== "react") {
      await loadScript(base + platformLibraryFile(lib));
      continue;
    }
    for (const src of react.scripts) await loadScript(src);
    const versioned = `v${lib.version.split(".")[0]}`;
    const React = w.React ?? w[`React${versioned}`];
    const ReactDOM = w.ReactDOM ?? w[`ReactDOM${versioned}`];
    if (!React || !ReactDOM) throw new Error(`${react.scripts.join(", ")} defined neither React/ReactDOM nor React${versioned}/ReactDOM${versioned}`);
    w.React = w[`React${versioned}`] = React;
    w.ReactDOM = w[`ReactDOM${versioned}`] = ReactDOM;
    if (React.version !== react.version) throw new Error(`React ${react.version} was asked for, but ${react.scripts.join(", ")} is React ${String(React.version)}`);
    running = React.version;
  }
  return running;
}
