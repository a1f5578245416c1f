import * as React from "react";
import { WebApiClient } from "../core/dataverse/webApiClient";
import { createSetupService, type SetupService } from "../core/setup/service";
import { SetupPanel, type SetupPanelProps } from "./components/SetupPanel";
import type { PickedUser } from "./components/UserPicker";
import type { IInputs, IOutputs } from "./generated/ManifestTypes";
import { createTranslate } from "./i18n";
import * as host from "./services/host";
import { RetryWaits, trackOperations } from "./services/retryWaits";
import { loadHints } from "./services/loadHints";

const USER_ENTITY = "systemuser";

/** PCF glue only: context in, props out, the picked user back to the form through getOutputs(). */
export class MarketoConfigControl implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private notifyOutputChanged!: () => void;
  private service!: SetupService;
  private clientUrl!: string;
  /** The admin's pick, until the platform reflects it in the bound value. */
  private pending: ComponentFramework.LookupValue | null | undefined;
  private refreshKey = 0;
  /** The saved Marketo User as the last load read it (undefined until one has). */
  private savedId: string | null | undefined;
  private readonly onSavedUser = (id: string | null) => {
    this.savedId = id;
  };
  /** Requests waiting on Dynamics' Retry-After, for the panel's busy notice and its Cancel. */
  private readonly retryWaits = new RetryWaits();

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void): void {
    this.notifyOutputChanged = notifyOutputChanged;
    this.clientUrl = host.clientUrl();
    this.service = createSetupService(new WebApiClient({ orgUrl: this.clientUrl, onRetryWait: this.retryWaits.report }), loadHints(context, host.formEntity(context)));
    // Each operation under its own controller: the busy notice's Cancel stops the one that waits.
    this.service = trackOperations(this.service, this.retryWaits);
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    const bound = context.parameters.marketoUser.raw?.[0] ?? null;
    // Once the form holds what was picked ({GUID} in upper case on a real form), the form's value leads again.
    if (this.pending !== undefined && host.toPickedUser(this.pending)?.id === host.toPickedUser(bound)?.id) this.pending = undefined;
    if (host.shouldRefresh(context, this.savedId)) this.refreshKey++;
    const current = this.pending !== undefined ? this.pending : bound;

    const props: SetupPanelProps = {
      service: this.service,
      t: createTranslate((key) => context.resources.getString(key), host.locale(context)),
      locale: host.locale(context),
      config: host.configRecord(context),
      user: host.toPickedUser(current),
      readOnly: host.isReadOnly(context),
      fieldLock: host.fieldLock(context),
      roleName: host.roleName(context),
      solutionName: host.solutionName(context),
      refreshKey: this.refreshKey,
      retryWaits: this.retryWaits,
      clientUrl: this.clientUrl,
      onUserChange: (user) => this.setUser(user),
      onSavedUser: this.onSavedUser,
      onBrowse: async () => host.toPickedUser(await host.browseUsers(context)),
      copy: host.copyToClipboard,
    };
    return React.createElement(SetupPanel, props);
  }

  private setUser(user: PickedUser | null): void {
    this.pending = user ? { id: user.id, name: user.name, entityType: USER_ENTITY } : null;
    this.notifyOutputChanged();
  }

  /**
   * Only a change the admin made: the key is left out otherwise, as Microsoft's LookupSimpleControl
   * sample returns only the property it changed. A key returned as undefined sets the column to null
   * (reported for every type; a lookup control such as DCE Lookdown clears that way), so undefined
   * is how a clear is said, and never how "no change" is.
   */
  public getOutputs(): IOutputs {
    if (this.pending === undefined) return {};
    return { marketoUser: this.pending ? [this.pending] : undefined };
  }

  /** Dynamics destroys the control when the admin leaves the form: nothing it started keeps going. */
  public destroy(): void {
    this.pending = undefined;
    this.retryWaits.stopAll();
  }
}
