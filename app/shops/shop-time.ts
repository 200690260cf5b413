/**
 * Times are stored in UTC and shown in the shop's time zone (Shopify's
 * `Shop.ianaTimezone`), never the server's or the browser's: a merchant in Seoul
 * reading about a checkout abandoned at 21:00 means 21:00 in Seoul. Formatting
 * with an explicit zone and locale also gives the server render and the browser's
 * hydration the same text.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" };

function formatFor(timeZone: string, locale: string): Intl.DateTimeFormat {
  const key = `${locale}\u0000${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      // A zone this runtime does not know: say UTC rather than fail the page (or the email).
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    }
    formats.set(key, format);
  }
  return format;
}

/**
 * "Dec 2, 2026, 6:05 PM GMT+9" in the shop's zone, always naming the zone; "" for no
 * time. The admin reads it in English (the default); an email passes its language
 * ("2026년 12월 2일 오후 6:05 GMT+9", "2 ธ.ค. 2569 18:05 GMT+9").
 */
export function formatShopTime(value: Date | string | null | undefined, timeZone: string, locale = "en-US"): string {
  if (value === null || value === undefined) return "";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? "" : formatFor(timeZone, locale).format(date);
}
