/**
 * The import error codes and message shapes the devserver answers with, as Dataverse does.
 *
 * Codes are the SDK's import error codes (Microsoft.Crm.Sdk ErrorCodes, as listed in the public
 * `AlbanianXrm/SolutionPackager` ImportErrorCodes enum and the CRM SDK's ErrorCodes.cs), as hex:
 *   ImportCustomizationsBadZipFileError 0x80048060, ImportNonWellFormedFileError 0x80048013,
 *   ImportXsdValidationError 0x8004801A, ImportInvalidXmlError 0x8004802C,
 *   ImportMissingComponent 0x8004801F, ImportMissingRootComponentEntry 0x8004803A,
 *   ImportSolutionError 0x80048033, ImportSolutionManagedToUnmanagedMismatch 0x80048040,
 *   ImportSolutionUnmanagedToManagedMismatch 0x80048041.
 * 0x80048541 is the "must have a higher version" refusal (Microsoft support article KB 4499878).
 */

export const ImportCodes = {
  badZip: "0x80048060",
  notWellFormed: "0x80048013",
  xsdValidation: "0x8004801A",
  invalidXml: "0x8004802C",
  missingComponent: "0x8004801F",
  missingRootComponentEntry: "0x8004803A",
  /**
   * Also used for a custom control the service refuses while importing it (prefix, name, missing
   * resource): those failures are reported publicly by their text only, never with a code.
   */
  solutionError: "0x80048033",
  managedToUnmanagedMismatch: "0x80048040",
  unmanagedToManagedMismatch: "0x80048041",
  versionNotHigher: "0x80048541",
} as const;

export class ImportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const fail = (code: string, message: string): never => {
  throw new ImportFailure(code, message);
};

/** Text around a position, on one line, as the XSD message quotes it. */
function around(text: string, at: number): { before: string; after: string } {
  const flat = (s: string) => s.replace(/\s+/g, " ").trim();
  const i = Math.max(0, Math.min(at, text.length));
  return { before: flat(text.slice(Math.max(0, i - 60), i)), after: flat(text.slice(i, i + 60)) };
}

/**
 * ImportXsdValidationError, in the SDK's message shape: "The import file is invalid. XSD
 * validation failed with the following error: '{0}'. The validation failed at:
 * '...{1} <<<<<ERROR LOCATION>>>>> {2}...'." (seen in real logs, e.g. Ardalyst/Celedon-Autonumber-RTM#25).
 * `error` reads like .NET's schema validator; `at` is where in `text` the validator stopped.
 */
export function failXsd(error: string, text: string, at: number): never {
  const { before, after } = around(text, at);
  return fail(
    ImportCodes.xsdValidation,
    `The import file is invalid. XSD validation failed with the following error: '${error}'. The validation failed at: '...${before} <<<<<ERROR LOCATION>>>>> ${after}...'.`,
  );
}

/** Where an element (or, failing that, the document element) starts in the text. */
export function positionOf(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? m.index : 0;
}
