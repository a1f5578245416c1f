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

/**
 * Loads the platform libraries (React first, it is Fluent's dependency) from pcf-start's local
 * copies. react_16_14_0.js defines `Reactv16` and `ReactDOMv16`; the Fluent UMD build reads the
 * plain `React` and `ReactDOM` globals, so they are aliased in between, as pcf-start's own page
 * does the other way round (`window["Reactv16"] = window.React`).
 */
export async function loadPlatformLibraries(libs: BuiltManifest["platformLibraries"], base: string, iconFontBase: string): Promise<void> {
  const ordered = [...libs].sort((a, b) => Number(b.name.toLowerCase() === "react") - Number(a.name.toLowerCase() === "react"));
  const w = window as unknown as Record<string, unknown>;
  // Fluent registers its icon font (and the Segoe UI web fonts) from a CDN when it loads; the
  // platform serves them itself. Here: the icon font from node_modules, no web fonts (offline).
  w.FabricConfig = { iconBaseUrl: iconFontBase, fontBaseUrl: `${iconFontBase}none` };
  for (const lib of ordered) {
    await loadScript(base + platformLibraryFile(lib));
    if (lib.name.toLowerCase() === "react") {
      const major = lib.version.split(".")[0];
      w.React = w[`Reactv${major}`];
      w.ReactDOM = w[`ReactDOMv${major}`];
      if (!w.React || !w.ReactDOM) throw new Error(`${platformLibraryFile(lib)} did not define Reactv${major} and ReactDOMv${major}`);
    }
  }
}
