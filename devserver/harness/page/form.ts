/**
 * The record form around the control: holds the bound value, builds the PCF context the control
 * reads, follows the platform's cycle (init → updateView → notifyOutputChanged → getOutputs →
 * bound value updated → updateView with updatedProperties), and saves the record to the Web API.
 */
import { literal } from "../../../core/dataverse/odata";
import type { HarnessConfig } from "../html";
import type { ChromeStrings } from "./chrome";
import type { BuiltManifest } from "./loader";
import { openLookupDialog } from "./lookup";
import { api, entitySetOf, HostApiError } from "./webapi";

type LookupValue = ComponentFramework.LookupValue;

/** What the platform calls on a control (standard or virtual). */
export interface HostedControl {
  init(context: unknown, notifyOutputChanged: () => void, state: Record<string, unknown>, container?: HTMLDivElement): void;
  updateView(context: unknown): unknown;
  getOutputs?(): Record<string, unknown>;
  destroy(): void;
}

export interface FormState {
  recordName: string;
  dirty: boolean;
  saving: boolean;
  saveError?: string;
  readOnly: boolean;
}

interface ReactDomGlobal {
  render(element: unknown, container: Element): void;
  unmountComponentAtNode(container: Element): boolean;
}

export interface FormHostOptions {
  config: HarnessConfig;
  manifest: BuiltManifest;
  strings: Map<string, string>;
  chrome: ChromeStrings;
  languageId: number;
  readOnly: boolean;
  /** false: the column is secured and this user may not update it (field security). */
  fieldEditable: boolean;
  control: HostedControl;
  container: HTMLDivElement;
  onState: (state: FormState) => void;
}

const sameId = (a: LookupValue | null, b: LookupValue | null) => (a?.id.replace(/[{}]/g, "").toLowerCase() ?? null) === (b?.id.replace(/[{}]/g, "").toLowerCase() ?? null);

export class FormHost {
  private value: LookupValue | null = null;
  private saved: LookupValue | null = null;
  private recordName = "";
  private saving = false;
  private saveError?: string;
  private readOnly: boolean;
  private readonly boundName: string;
  private readonly context: Record<string, unknown> & { parameters: Record<string, Record<string, unknown>>; mode: Record<string, unknown>; updatedProperties: string[] };

  constructor(private readonly o: FormHostOptions) {
    this.readOnly = o.readOnly;
    const bound = o.manifest.properties.find((p) => p.usage === "bound");
    if (!bound || bound.ofType !== "Lookup.Simple") throw new Error("The harness hosts a control bound to a Lookup.Simple property");
    this.boundName = bound.name;
    this.context = this.createContext();
  }

  state(): FormState {
    return { recordName: this.recordName, dirty: this.isDirty(), saving: this.saving, saveError: this.saveError, readOnly: this.readOnly };
  }

  isDirty(): boolean {
    return !sameId(this.value, this.saved);
  }

  /** The value the form holds now (what a save would store). */
  boundValue(): LookupValue | null {
    return this.value ? { ...this.value } : null;
  }

  async start(): Promise<void> {
    await this.loadRecord();
    // The benchmarks measure from here to the last check rendered (bench/browser.ts).
    performance.mark("mss-control-init");
    this.o.control.init(this.context, () => this.notifyOutputChanged(), {}, this.o.manifest.controlType === "virtual" ? undefined : this.o.container);
    // Leaving the form (a link, the language or organisation switch) destroys the control, as Dynamics does.
    window.addEventListener("pagehide", () => this.o.control.destroy(), { once: true });
    this.render([]);
    this.emit();
  }

  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly;
    this.render([]);
    this.emit();
  }

  /** The form's Save: PATCH the lookup (or DELETE its $ref to clear it), read the record back, updateView. */
  async save(): Promise<void> {
    if (this.saving || this.readOnly || !this.isDirty()) return;
    this.saving = true;
    this.saveError = undefined;
    this.emit();
    const { entity, attribute, recordId } = this.o.config;
    try {
      const record = `${entity.entitySetName}(${recordId})`;
      if (this.value) {
        const targetSet = await entitySetOf(this.value.entityType);
        await api(record, {
          method: "PATCH",
          headers: { "If-Match": "*" },
          body: JSON.stringify({ [`${attribute.navigationProperty}@odata.bind`]: `/${targetSet}(${this.value.id.replace(/[{}]/g, "")})` }),
        });
      } else {
        await api(`${record}/${attribute.navigationProperty}/$ref`, { method: "DELETE" });
      }
      await this.loadRecord();
      // A save refreshes the form's controls, but Microsoft documents no updatedProperties value for it
      // (updateView: "called when any value in the property bag has changed"): the page names none.
      this.render([]);
    } catch (e) {
      const err = e as HostApiError;
      this.saveError = this.o.chrome.saveFailed(err.code ? `${err.message} (${err.code})` : err.message);
    } finally {
      this.saving = false;
      this.emit();
    }
  }

  private async loadRecord(): Promise<void> {
    const { entity, attribute, recordId } = this.o.config;
    const column = `_${attribute.logicalName}_value`;
    const row = await api<Record<string, unknown>>(`${entity.entitySetName}(${recordId})?$select=${entity.primaryNameAttribute},${column}`);
    this.recordName = String(row[entity.primaryNameAttribute] ?? "");
    const id = row[column] as string | null | undefined;
    this.saved = id
      ? {
          id: id.toLowerCase(),
          name: String(row[`${column}@OData.Community.Display.V1.FormattedValue`] ?? ""),
          entityType: String(row[`${column}@Microsoft.Dynamics.CRM.lookuplogicalname`] ?? attribute.targets[0]),
        }
      : null;
    this.value = this.saved;
  }

  private notifyOutputChanged(): void {
    // The platform collects outputs asynchronously, then refreshes the control.
    window.setTimeout(() => {
      const outputs = this.o.control.getOutputs?.() ?? {};
      // A key left out changes nothing; a key returned as undefined (or an empty array) clears the column.
      if (!Object.hasOwn(outputs, this.boundName)) return;
      const out = outputs[this.boundName] as LookupValue[] | undefined;
      const next = out?.[0] ? { id: out[0].id.replace(/[{}]/g, "").toLowerCase(), name: out[0].name ?? "", entityType: out[0].entityType } : null;
      const changed = !sameId(next, this.value);
      this.value = next;
      this.emit();
      if (changed) this.render([this.boundName]);
    }, 0);
  }

  private render(updatedProperties: string[]): void {
    const ctx = this.context;
    ctx.updatedProperties = updatedProperties;
    ctx.parameters[this.boundName].raw = this.value ? [{ ...this.value }] : [];
    ctx.parameters[this.boundName].formatted = this.value?.name ?? "";
    ctx.mode.isControlDisabled = this.readOnly;
    (ctx.mode.contextInfo as { entityRecordName: string }).entityRecordName = this.recordName;
    const element = this.o.control.updateView(ctx);
    if (this.o.manifest.controlType === "virtual") {
      const ReactDOM = (window as unknown as { ReactDOM: ReactDomGlobal }).ReactDOM;
      ReactDOM.render(element, this.o.container);
    }
  }

  private emit(): void {
    this.o.onState(this.state());
  }

  private createContext() {
    const { config, manifest, strings, chrome, languageId, fieldEditable } = this.o;
    const parameters: Record<string, Record<string, unknown>> = {};
    for (const p of manifest.properties) {
      if (p.usage === "bound") {
        parameters[p.name] = {
          type: p.ofType,
          raw: [],
          formatted: "",
          error: false,
          errorMessage: "",
          attributes: {
            LogicalName: config.attribute.logicalName,
            DisplayName: chrome.label(config.attribute.displayName),
            Targets: config.attribute.targets,
            RequiredLevel: 0,
            IsSecured: !fieldEditable,
            Description: "",
          },
          security: { editable: fieldEditable, readable: true, secured: !fieldEditable },
          getTargetEntityType: () => config.attribute.targets[0],
          getViewId: () => "",
        };
      } else {
        // Static inputs: the form editor stores the manifest's default unless the maker changed it.
        parameters[p.name] = { type: p.ofType, raw: p.defaultValue ?? null, formatted: p.defaultValue ?? "", error: false, errorMessage: "" };
      }
    }
    const webAPI = {
      retrieveRecord: async (entity: string, id: string, options = "") => api(`${await entitySetOf(entity)}(${id.replace(/[{}]/g, "")})${options}`),
      retrieveMultipleRecords: async (entity: string, options = "") => {
        const r = await api<{ value: unknown[]; "@odata.nextLink"?: string }>(`${await entitySetOf(entity)}${options}`);
        return { entities: r.value, nextLink: r["@odata.nextLink"] };
      },
      createRecord: async (entity: string, data: Record<string, unknown>) => {
        const r = await api<Record<string, unknown>>(await entitySetOf(entity), { method: "POST", headers: { Prefer: "return=representation" }, body: JSON.stringify(data) });
        const idKey = Object.keys(r).find((k) => k.endsWith("id") && typeof r[k] === "string" && !k.startsWith("_"));
        return { id: idKey ? String(r[idKey]) : "", entityType: entity };
      },
      updateRecord: async (entity: string, id: string, data: Record<string, unknown>) => {
        await api(`${await entitySetOf(entity)}(${id.replace(/[{}]/g, "")})`, { method: "PATCH", headers: { "If-Match": "*" }, body: JSON.stringify(data) });
        return { id, entityType: entity };
      },
      deleteRecord: async (entity: string, id: string) => {
        await api(`${await entitySetOf(entity)}(${id.replace(/[{}]/g, "")})`, { method: "DELETE" });
        return { id, entityType: entity };
      },
    };
    return {
      parameters,
      updatedProperties: [] as string[],
      mode: {
        isControlDisabled: this.readOnly,
        isVisible: true,
        label: chrome.label(config.attribute.displayName),
        allocatedHeight: -1,
        allocatedWidth: -1,
        // On the mode object in model-driven forms, missing from the typings.
        contextInfo: { entityTypeName: config.entity.logicalName, entityId: config.recordId, entityRecordName: this.recordName },
        setControlState: () => true,
        setFullScreen: () => undefined,
        trackContainerResize: () => undefined,
      },
      userSettings: {
        userId: `{${config.user.id.toUpperCase()}}`,
        userName: config.user.name,
        languageId,
        isRTL: false,
        securityRoles: [],
        dateFormattingInfo: {},
        numberFormattingInfo: {},
        getTimeZoneOffsetMinutes: () => -new Date().getTimezoneOffset(),
      },
      resources: {
        getString: (key: string) => strings.get(key) ?? key,
        getResource: (_id: string, _ok: (data: string) => void, failure: () => void) => failure(),
      },
      utils: {
        lookupObjects: (options: ComponentFramework.UtilityApi.LookupOptions) => openLookupDialog(options, chrome),
        // A form has its own table's definition in its metadata cache: no request for that one.
        getEntityMetadata: async (entity: string) =>
          entity === config.entity.logicalName
            ? { LogicalName: entity, EntitySetName: config.entity.entitySetName, PrimaryNameAttribute: config.entity.primaryNameAttribute }
            : api(`EntityDefinitions(LogicalName=${literal(entity)})`),
        hasEntityPrivilege: () => true,
      },
      webAPI,
      navigation: {
        openAlertDialog: async (s: { text?: string }) => window.alert(s.text ?? ""),
        openConfirmDialog: async (s: { text?: string }) => ({ confirmed: window.confirm(s.text ?? "") }),
        openErrorDialog: async (s: { message?: string }) => window.alert(s.message ?? ""),
        openUrl: (url: string) => void window.open(url, "_blank", "noopener"),
      },
      client: { getClient: () => "Web", getFormFactor: () => 1, isOffline: () => false, disableScroll: false },
      factory: { requestRender: () => this.render([]), getPopupService: () => undefined },
      accessibility: { getUniqueId: (id: string) => `${manifest.constructorName}_${id}` },
    };
  }
}
