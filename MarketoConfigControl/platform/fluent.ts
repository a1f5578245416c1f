/**
 * Fluent UI as the bundle sees it: the platform's Fluent (the external pcf-scripts declares), taken
 * here alone, each component a local binding (see react.ts). What the control imports from
 * "@fluentui/react" and is not listed here fails the build.
 */
import * as Fluent from "@fluentui/react";

export const {
  ComboBox,
  DefaultButton,
  Dialog,
  DialogFooter,
  DialogType,
  getTheme,
  hiddenContentStyle,
  Link,
  mergeStyles,
  MessageBar,
  MessageBarType,
  PrimaryButton,
  ProgressIndicator,
  Shimmer,
  Spinner,
  SpinnerSize,
  Stack,
  Text,
  TextField,
  Toggle,
} = Fluent;
