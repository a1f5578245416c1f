/** The control's strings: the platform's resx lookup behind core's translator. */
import { createTranslator, type Translate } from "../core/i18n/translate";
import { detailsText as labelledDetails, type ErrorMessage } from "../core/setup/messages";

export type { Translate };

/**
 * `getString` is `context.resources.getString`, which answers a key it does not know with an
 * empty string or with the key itself, or throws (hosts and mocks differ): all mean "no such
 * string" here. The translator asks for keys that may not exist: the plural forms.
 */
export function createTranslate(getString: (key: string) => string, locale: string): Translate {
  return createTranslator({
    lookup: (key) => {
      let text: string;
      try {
        text = getString(key);
      } catch {
        return undefined;
      }
      return text && text !== key ? text : undefined;
    },
    locale,
  });
}

/** An error's technical details, their labels in the user's language. */
export function detailsText(t: Translate, message: Pick<ErrorMessage, "details" | "detailLines">): string {
  return labelledDetails(message, t);
}

/** An error as one or two sentences in the user's language. */
export function errorText(t: Translate, message: ErrorMessage): string {
  const main = t(message.key, message.params);
  return message.hintKey ? `${main} ${t(message.hintKey, message.params)}` : main;
}
