/**
 * The harness page: a model-driven record form ("Marketo Config: Default") hosting the production
 * build of the control. Query options: ?lang=1036, ?readonly=1, ?fieldsecured=1, ?fixture=<name>.
 */
import type { HarnessConfig } from "../html";
import { chromeStrings } from "./chrome";
import { h } from "./dom";
import { FormHost, type FormState, type HostedControl } from "./form";
import { installComponentFramework, loadPlatformLibraries, loadScript, parseManifest, registeredControl } from "./loader";
import { parseResx } from "../../../formats/resx";

interface HarnessApi {
  /** The value the form holds now (what Save would store). */
  boundValue(): ComponentFramework.LookupValue | null;
  isDirty(): boolean;
  save(): Promise<void>;
  setReadOnly(readOnly: boolean): void;
}

const config = JSON.parse(document.getElementById("harness-config")!.textContent!) as HarnessConfig;
const params = new URLSearchParams(location.search);
const languageId = params.get("lang") === "1036" ? 1036 : 1033;
const s = chromeStrings(languageId);

function withParam(name: string, value: string | null): string {
  const next = new URLSearchParams(location.search);
  if (value === null) next.delete(name);
  else next.set(name, value);
  const q = next.toString();
  return q ? `?${q}` : location.pathname;
}

/** The floppy-disk icon of the Save command (inline SVG: no icon font for the page itself). */
function saveIcon(): Element {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = '<path fill="currentColor" d="M2 1h10l3 3v11H1V1h1zm1 1v4h8V2H3zm9 .4V7H2v7h12V4.6L12 2.4zM4 9h8v4H4V9zm1 1v2h6v-2H5z"/>';
  return svg;
}

/** The page around the control: app bar, command bar, record header, one section with the field. */
function renderChrome() {
  const save = h("button", { type: "button", class: "command", id: "form-save", "aria-keyshortcuts": "Control+S" }, saveIcon(), s.save);
  const readOnly = h("input", { type: "checkbox", role: "switch", id: "form-readonly" }) as HTMLInputElement;
  const fixture = h("select", { id: "form-fixture" }, ...config.fixtures.map((f) => h("option", { value: f, ...(f === config.fixture ? { selected: "" } : {}) }, f))) as HTMLSelectElement;
  const recordName = h("h1", { id: "form-record-name" });
  const saveState = h("span", { id: "form-save-state", role: "status" });
  const notifications = h("div", { id: "form-notifications" });
  const container = h("div", { id: "control-container", "data-control": "" }) as HTMLDivElement;
  const fieldLabel = h("div", { class: "field-label", id: "field-label" }, s.label(config.attribute.displayName));
  // Which React runs the control (`npm start -- --react …`); filled in once it has loaded.
  const react = h("span", { class: "app-react", id: "harness-react" });

  const root = document.getElementById("harness-root")!;
  root.replaceChildren(
    h(
      "header",
      {},
      h("div", { class: "app-bar" }, h("span", { class: "app-name" }, s.appName), h("span", { class: "app-org" }, config.organizationName), react, h("span", { class: "app-user" }, config.user.name)),
      h(
        "div",
        { class: "command-bar", role: "toolbar", "aria-label": s.commandBar },
        save,
        h("label", { class: "command switch", for: "form-readonly" }, readOnly, h("span", {}, s.readOnly)),
        h("a", { class: "command", href: withParam("lang", languageId === 1036 ? null : "1036"), lang: languageId === 1036 ? "en" : "fr", hreflang: languageId === 1036 ? "en" : "fr" }, s.language),
        h("label", { class: "command", for: "form-fixture" }, s.organization),
        fixture,
      ),
    ),
    h(
      "main",
      { class: "form" },
      h("div", { class: "form-header" }, recordName, h("p", { class: "form-entity" }, h("span", {}, s.label(config.entity.displayName)), " · ", saveState)),
      notifications,
      h("div", { class: "form-tab", "aria-hidden": "true" }, s.tabGeneral),
      h("section", { class: "form-section", "aria-labelledby": "field-label" }, fieldLabel, container),
    ),
  );
  fixture.addEventListener("change", () => (location.search = withParam("fixture", fixture.value)));
  return { save, readOnly, recordName, saveState, notifications, container, react };
}

function showState(ui: ReturnType<typeof renderChrome>, state: FormState) {
  ui.recordName.textContent = state.recordName;
  document.title = `${s.label(config.entity.displayName)}: ${state.recordName} - ${s.appName}`;
  ui.saveState.textContent = state.saving ? s.saving : state.dirty ? s.unsaved : s.saved;
  ui.saveState.className = state.dirty ? "dirty" : "";
  (ui.save as HTMLButtonElement).disabled = state.saving || state.readOnly;
  (ui.readOnly as HTMLInputElement).checked = state.readOnly;
  document.body.toggleAttribute("data-dirty", state.dirty);
  if (state.saveError) {
    const close = h("button", { type: "button", class: "button", "aria-label": s.dismiss }, "✕");
    const bar = h("div", { class: "notification error", role: "alert" }, h("span", {}, state.saveError), close);
    close.addEventListener("click", () => bar.remove());
    ui.notifications.replaceChildren(bar);
  } else if (state.readOnly) {
    ui.notifications.replaceChildren(h("div", { class: "notification info" }, s.readOnlyBanner));
  } else {
    ui.notifications.replaceChildren();
  }
}

async function main() {
  const ui = renderChrome();
  installComponentFramework();
  const manifestXml = await (await fetch(`${config.controlPath}ControlManifest.xml`)).text();
  const manifest = parseManifest(manifestXml);
  const reactVersion = await loadPlatformLibraries(manifest.platformLibraries, "/harness/lib/", "/harness/fonts/", config.react);
  if (reactVersion) {
    ui.react.textContent = `React ${reactVersion}`;
    document.body.setAttribute("data-react", reactVersion);
  }
  for (const code of manifest.code) await loadScript(config.controlPath + code.path);
  const name = `${manifest.namespace}.${manifest.constructorName}`;
  const Control = registeredControl(name);
  if (!Control) throw new Error(`bundle.js did not register ${name} through ComponentFramework.registerControl`);
  ui.container.setAttribute("data-control", name);

  const resx = manifest.resx.find((r) => r.includes(`.${languageId}.`)) ?? manifest.resx.find((r) => r.includes(".1033.")) ?? manifest.resx[0];
  const strings = parseResx(await (await fetch(config.controlPath + resx)).text());

  const host = new FormHost({
    config,
    manifest,
    strings,
    chrome: s,
    languageId,
    readOnly: params.get("readonly") === "1",
    fieldEditable: params.get("fieldsecured") !== "1",
    control: new Control() as HostedControl,
    container: ui.container as HTMLDivElement,
    onState: (state) => showState(ui, state),
  });
  ui.save.addEventListener("click", () => void host.save());
  ui.readOnly.addEventListener("change", () => host.setReadOnly((ui.readOnly as HTMLInputElement).checked));
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      void host.save();
    }
  });
  const harness: HarnessApi = {
    boundValue: () => host.boundValue(),
    isDirty: () => host.isDirty(),
    save: () => host.save(),
    setReadOnly: (r) => host.setReadOnly(r),
  };
  (window as unknown as { harness: HarnessApi }).harness = harness;
  await host.start();
  document.body.setAttribute("data-harness", "ready");
}

main().catch((e: unknown) => {
  const message = (e as Error)?.message ?? String(e);
  document.getElementById("harness-root")!.append(h("div", { class: "notification error", role: "alert" }, s.loadFailed(message)));
  document.body.setAttribute("data-harness", "error");
  console.error(e);
});
