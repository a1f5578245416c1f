/**
 * Mounts the real control (index.ts) with @shko.online/componentframework-mock's PCF context,
 * bound to the devserver's Marketo Config record, as a model-driven form would host it.
 */
import { render, RenderResult } from "@testing-library/react";
import { setIconOptions } from "@fluentui/react";
import { ComponentFrameworkMockGeneratorReact, LookupPropertyMock, StringPropertyMock } from "@shko.online/componentframework-mock";
import { readFileSync } from "node:fs";
import type { SinonSpy } from "sinon";
import { join } from "node:path";
import { MarketoConfigControl } from "../../MarketoConfigControl";
import type { IInputs, IOutputs } from "../../MarketoConfigControl/generated/ManifestTypes";
import { STRINGS_DIR } from "./resx";
import { USER } from "../../devserver/fixtures/ids";

export interface MountOptions {
  serverUrl: string;
  config: { entity: string; attribute: string; id: string };
  lang?: "1033" | "1036";
  readOnly?: boolean;
  fieldEditable?: boolean;
  user?: ComponentFramework.LookupValue | null;
  /** A new record: the form has no id yet (contextInfo.entityId is empty). */
  newRecord?: boolean;
  /** The table's entity set name in the form's metadata (default: the logical name + "s"). */
  entitySet?: string;
  /** context.userSettings.userId, as a form gives it ({GUID} upper case); default: the demo org's admin. */
  userId?: string;
}

/** AttributeTypeCode values the mock's metadata store uses. */
const LOOKUP = 6;
const UNIQUEIDENTIFIER = 15;

// Dynamics registers Fluent's icon font; jsdom has none, and the warnings would bury real ones.
setIconOptions({ disableWarnings: true });

export function mountControl(options: MountOptions) {
  const { entity, attribute, id } = options.config;
  (globalThis as { Xrm?: unknown }).Xrm = { Utility: { getGlobalContext: () => ({ getClientUrl: () => options.serverUrl }) } };

  const gen = new ComponentFrameworkMockGeneratorReact<IInputs, IOutputs>(MarketoConfigControl, {
    marketoUser: LookupPropertyMock,
    roleName: StringPropertyMock,
    solutionName: StringPropertyMock,
  });
  gen.metadata.initMetadata([
    {
      LogicalName: entity,
      EntitySetName: options.entitySet ?? `${entity}s`,
      PrimaryIdAttribute: `${entity}id`,
      Attributes: [
        { LogicalName: `${entity}id`, AttributeType: UNIQUEIDENTIFIER },
        { LogicalName: attribute, AttributeType: LOOKUP, Targets: ["systemuser"] },
      ],
    } as never,
  ]);
  gen.metadata.AddRow(entity, { [`${entity}id`]: id, [attribute]: options.user ?? null });
  gen.context._parameters.marketoUser._Bind(entity, attribute, id);
  gen.context._parameters.marketoUser.security = { editable: options.fieldEditable ?? true, readable: true, secured: false };
  gen.context._SetCanvasItems({ roleName: "Marketo Sync User", solutionName: "Marketo Lead Management" });
  Object.assign(gen.context.mode, { contextInfo: { entityTypeName: entity, entityId: options.newRecord ? "" : id, entityRecordName: options.newRecord ? "" : "Default" } });
  gen.context.mode.isControlDisabled = options.readOnly ?? false;
  gen.context.userSettings.languageId = Number(options.lang ?? "1033");
  gen.context.userSettings.userId = options.userId ?? `{${USER.admin.toUpperCase()}}`;
  gen.SetControlResource(readFileSync(join(STRINGS_DIR, `MarketoConfigControl.${options.lang ?? "1033"}.resx`), "utf8"));

  gen.ExecuteInit();
  const view: RenderResult = render(gen.ExecuteUpdateView());

  return {
    gen,
    view,
    /** What the control last gave the platform through getOutputs(). */
    outputs: (): IOutputs | undefined => (gen.control.getOutputs as unknown as SinonSpy).lastCall?.returnValue,
    /** The value the form holds now (updated through notifyOutputChanged). */
    boundValue: () => gen.context.parameters.marketoUser.raw?.[0] ?? null,
    /** The platform's updateView after a save: no documented updatedProperties value names it, so none is given. */
    afterSave: () => {
      gen.context.updatedProperties = [];
      view.rerender(gen.ExecuteUpdateView());
    },
  };
}
