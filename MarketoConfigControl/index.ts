import * as React from "react";
import { IInputs, IOutputs } from "./generated/ManifestTypes";
import { SetupPanel, SetupPanelProps } from "./components/SetupPanel";

type LookupValue = ComponentFramework.LookupValue;

/**
 * PCF glue only: context in, props out, the picked user back to the form through getOutputs().
 */
export class MarketoConfigControl implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private notifyOutputChanged!: () => void;
  private pending: LookupValue[] | undefined;

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void): void {
    this.notifyOutputChanged = notifyOutputChanged;
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const bound = context.parameters.marketoUser;
    const value = this.pending ?? bound.raw ?? [];
    const first = value[0];
    const props: SetupPanelProps = {
      user: first ? { id: first.id, name: first.name ?? "" } : null,
      disabled: context.mode.isControlDisabled || !(bound.security?.editable ?? true),
      getString: (key) => context.resources.getString(key),
    };
    return React.createElement(SetupPanel, props);
  }

  /** Called by the panel when the admin picks or clears the Marketo User. */
  public setUser(value: LookupValue | null): void {
    this.pending = value ? [value] : [];
    this.notifyOutputChanged();
  }

  public getOutputs(): IOutputs {
    return { marketoUser: this.pending };
  }

  public destroy(): void {
    this.pending = undefined;
  }
}
