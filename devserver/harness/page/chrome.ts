/**
 * The words of the form around the control (what Dynamics itself shows), in English and French.
 * The control's own words come from its resx files.
 */
export interface ChromeStrings {
  appName: string;
  commandBar: string;
  save: string;
  saving: string;
  saved: string;
  unsaved: string;
  saveFailed: (message: string) => string;
  readOnly: string;
  readOnlyBanner: string;
  organization: string;
  language: string;
  tabGeneral: string;
  dismiss: string;
  lookupTitle: string;
  lookupSearch: string;
  lookupResults: string;
  lookupNoResults: string;
  lookupLoading: string;
  lookupFailed: (message: string) => string;
  cancel: string;
  loadFailed: (message: string) => string;
  /** Display names Dynamics shows in French for the tables and columns of Marketo's solution (French pages of Marketo's docs, AdobeDocs/marketo.fr-FR). */
  label: (english: string) => string;
}

const FRENCH_LABELS: Record<string, string> = {
  "Marketo Config": "Configuration Marketo",
  "Marketo User": "Utilisateur Marketo",
};

const en: ChromeStrings = {
  appName: "Dynamics 365",
  commandBar: "Commands",
  save: "Save",
  saving: "Saving…",
  saved: "Saved",
  unsaved: "Unsaved changes",
  saveFailed: (m) => `The record could not be saved. Your changes are still on the form. ${m}`,
  readOnly: "Read-only form",
  readOnlyBanner: "Read-only: this record cannot be edited.",
  organization: "Organization",
  language: "Français",
  tabGeneral: "General",
  dismiss: "Dismiss",
  lookupTitle: "Look up records: User",
  lookupSearch: "Search users",
  lookupResults: "Users",
  lookupNoResults: "No records found.",
  lookupLoading: "Loading…",
  lookupFailed: (m) => `Users could not be loaded. ${m}`,
  cancel: "Cancel",
  loadFailed: (m) => `The form could not be loaded. ${m}`,
  label: (s) => s,
};

const fr: ChromeStrings = {
  appName: "Dynamics 365",
  commandBar: "Commandes",
  save: "Enregistrer",
  saving: "Enregistrement…",
  saved: "Enregistré",
  unsaved: "Modifications non enregistrées",
  saveFailed: (m) => `L’enregistrement a échoué. Vos modifications sont toujours sur le formulaire. ${m}`,
  readOnly: "Formulaire en lecture seule",
  readOnlyBanner: "Lecture seule : cet enregistrement ne peut pas être modifié.",
  organization: "Organisation",
  language: "English",
  tabGeneral: "Général",
  dismiss: "Fermer",
  lookupTitle: "Rechercher des enregistrements : Utilisateur",
  lookupSearch: "Rechercher des utilisateurs",
  lookupResults: "Utilisateurs",
  lookupNoResults: "Aucun enregistrement trouvé.",
  lookupLoading: "Chargement…",
  lookupFailed: (m) => `Impossible de charger les utilisateurs. ${m}`,
  cancel: "Annuler",
  loadFailed: (m) => `Impossible de charger le formulaire. ${m}`,
  label: (s) => FRENCH_LABELS[s] ?? s,
};

export const chromeStrings = (languageId: number): ChromeStrings => (languageId === 1036 ? fr : en);
