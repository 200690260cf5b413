/**
 * The languages our emails are written in, and how a recipient's language is
 * chosen: the customer's locale ("ko", "ko-KR", "th_TH", "en-US"), else the
 * shop's primary locale, else English. Only the language subtag matters.
 */
export type EmailLocale = "en" | "ko" | "th";
export const EMAIL_LOCALES: readonly EmailLocale[] = ["en", "ko", "th"];
export const DEFAULT_EMAIL_LOCALE: EmailLocale = "en";

export function isEmailLocale(value: unknown): value is EmailLocale {
  return typeof value === "string" && (EMAIL_LOCALES as readonly string[]).includes(value);
}

/** "ko-KR" -> "ko"; "TH_th" -> "th"; "fr-CA" -> null. */
export function emailLanguageOf(locale: string | null | undefined): EmailLocale | null {
  const language = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return isEmailLocale(language) ? language : null;
}

export function resolveEmailLocale(customerLocale: string | null | undefined, shopPrimaryLocale: string | null | undefined): EmailLocale {
  return emailLanguageOf(customerLocale) ?? emailLanguageOf(shopPrimaryLocale) ?? DEFAULT_EMAIL_LOCALE;
}

/**
 * The BCP 47 tag to format numbers and dates with: the customer's own tag when it
 * is valid and in the chosen language (keeps the region, e.g. "en-GB" dates),
 * otherwise the chosen language itself.
 */
export function formattingLocale(customerLocale: string | null | undefined, emailLocale: EmailLocale): string {
  const candidate = customerLocale?.trim().replace(/_/g, "-");
  if (candidate && emailLanguageOf(candidate) === emailLocale) {
    try {
      const [canonical] = Intl.getCanonicalLocales(candidate);
      if (canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length) return canonical;
    } catch {
      // not a valid BCP 47 tag: fall through
    }
  }
  return emailLocale;
}
