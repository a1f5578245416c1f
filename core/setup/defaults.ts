/**
 * Names Marketo's documentation gives; the control's manifest inputs and the CLI's options default
 * to them (the manifest XML repeats them, as it must: a test keeps the two equal).
 */
export const DEFAULT_ROLE_NAME = "Marketo Sync User";
export const DEFAULT_SOLUTION_NAME = "Marketo Lead Management";
