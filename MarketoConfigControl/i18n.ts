/** Strings from the resx files, with `{name}` placeholders filled. */
import type { ErrorMessage } from "../core/setup/messages";

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export function createTranslate(getString: (key: string) => string): Translate {
  return (key, params = {}) => {
    const text = getString(key) || key;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** An error as one or two sentences in the user's language. */
export function errorText(t: Translate, message: ErrorMessage): string {
  const main = t(message.key, message.params);
  return message.hintKey ? `${main} ${t(message.hintKey, message.params)}` : main;
}
