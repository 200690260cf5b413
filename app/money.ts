/**
 * Money as integer minor units with a currency code. Shopify sends decimal strings
 * ("19.99"); converting through floats would lose cents, so we parse the digits.
 */
export interface Money {
  amountMinor: number;
  currency: string;
}

const fractionDigitsCache = new Map<string, number>();

export function currencyFractionDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = fractionDigitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(code, digits);
  }
  return digits;
}

/** "19.99" USD -> 1999; "1500" KRW -> 1500; tolerates numbers and surrounding spaces. */
export function toMinorUnits(amount: string | number | null | undefined, currency: string): number {
  if (amount === null || amount === undefined || amount === "") return 0;
  const text = typeof amount === "number" ? amount.toFixed(currencyFractionDigits(currency)) : amount.trim();
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`not a money amount: ${JSON.stringify(amount)}`);
  const [, sign, whole = "", fraction = ""] = match;
  const digits = currencyFractionDigits(currency);
  const padded = (fraction + "0".repeat(digits)).slice(0, digits);
  // Round half up on the first dropped digit, as Shopify presents amounts.
  const roundUp = fraction.length > digits && Number(fraction[digits]) >= 5 ? 1 : 0;
  const minor = Number(whole || "0") * 10 ** digits + Number(padded || "0") + roundUp;
  return sign ? -minor : minor;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amountMinor: number, currency: string, locale = "en"): string {
  const digits = currencyFractionDigits(currency);
  // Building an Intl.NumberFormat costs far more than formatting with one: keep one per locale and currency.
  const key = `${locale}\u0000${currency}`;
  let format = moneyFormats.get(key);
  if (!format) moneyFormats.set(key, (format = new Intl.NumberFormat(locale, { style: "currency", currency })));
  return format.format(amountMinor / 10 ** digits);
}
