/**
 * Times are stored in UTC and shown in the shop's time zone (Shopify's
 * `Shop.ianaTimezone`), never the server's or the browser's: a merchant in Seoul
 * reading about a checkout abandoned at 21:00 means 21:00 in Seoul. Formatting
 * with an explicit zone and locale also gives the server render and the browser's
 * hydration the same text.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" };

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    } catch {
      // A zone this runtime does not know: say UTC rather than fail the page.
      format = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** "Dec 2, 2026, 6:05 PM GMT+9" in the shop's zone; "" for no time. */
export function formatShopTime(value: Date | string | null | undefined, timeZone: string): string {
  if (value === null || value === undefined) return "";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? "" : formatFor(timeZone).format(date);
}
