import {
  DEFAULT_MESSAGES,
  formattingLocale,
  interpolate,
  resolveEmailLocale,
  UI_STRINGS,
  type CopyKey,
  type EmailLocale,
  type InterpolationValues,
  type MessageCopy,
} from "../i18n";
import type { CopyOverrides, EmailInput, FlowEmailInput, LinkWrapper, RenderedEmail } from "./types";

/**
 * The language-independent shape of one email, built from the input by a pure
 * function. The HTML (React Email) and plain-text renderers both draw this, so
 * the two parts always carry the same words, prices and (wrapped) links.
 */
export interface EmailDocument {
  locale: EmailLocale;
  subject: string;
  previewText: string;
  heading: string;
  /** Body paragraphs (blank-line separated), each a list of lines. */
  paragraphs: string[][];
  accentColor: string;
  /** Black or white, whichever reads better on the accent colour. */
  accentTextColor: string;
  shopName: string;
  logo: { src: string; width: number; height: number } | null;
  testBanner: string | null;
  discount: { label: string; code: string; offer: string; expires: string | null } | null;
  sections: EmailSection[];
  cta: EmailButton | null;
  footer: {
    reason: string;
    shopLine: string;
    unsubscribe: EmailButton;
    preferences: EmailButton | null;
  };
  openPixelUrl: string | null;
  links: RenderedEmail["links"];
}

export interface EmailButton {
  label: string;
  href: string;
}

export interface EmailSection {
  title: string | null;
  rows: EmailProductRow[];
}

export interface EmailProductRow {
  title: string;
  variantTitle: string | null;
  image: { src: string; alt: string; size: number } | null;
  href: string | null;
  priceLine: string | null;
  button: EmailButton | null;
}

export const DEFAULT_ACCENT_COLOR = "#1f6feb";

/** "#abc" / "#aabbcc" (any case) -> "#aabbcc"; anything else -> the default. */
export function normalizeAccentColor(color: string | null | undefined): string {
  const value = color?.trim() ?? "";
  if (/^#[0-9a-f]{6}$/i.test(value)) return value.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(value)) return `#${[...value.slice(1)].map((c) => c + c).join("")}`.toLowerCase();
  return DEFAULT_ACCENT_COLOR;
}

/** WCAG relative luminance decides whether button text is white or near-black. */
export function readableTextColor(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05) ? "#ffffff" : "#111111";
}

export function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Money from integer minor units in the currency's own precision (JPY and KRW
 * have none), formatted for the reader's locale.
 */
export function formatMinorUnits(amountMinor: number, currency: string, locale: string): string {
  const code = currency.trim().toUpperCase();
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, { style: "currency", currency: code });
  } catch {
    format = new Intl.NumberFormat("en", { style: "currency", currency: code });
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  if (!Number.isSafeInteger(amountMinor)) throw new TypeError(`money must be integer minor units, got ${amountMinor}`);
  // Build the decimal from the integer's digits (no float rounding), then let Intl format it.
  const negative = amountMinor < 0;
  const digitsText = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const decimal = digits ? `${digitsText.slice(0, -digits)}.${digitsText.slice(-digits)}` : digitsText;
  // Intl formats a decimal string exactly (ES2023), so 1999 JPY-style or huge amounts never pass through a float.
  return format.format(`${negative ? "-" : ""}${decimal}` as `${number}`);
}

function formatExpiry(date: Date, locale: string, timeZone: string | null | undefined): string {
  const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: timeZone || "UTC" }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(date);
  }
}

function formatPercent(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** Merchant copy over the default, field by field; blank overrides fall back to the default. */
export function resolveCopy(key: CopyKey, locale: EmailLocale, overrides: CopyOverrides | null | undefined): MessageCopy {
  const base = DEFAULT_MESSAGES[key][locale];
  const override = overrides?.[locale] ?? {};
  const pick = (field: keyof MessageCopy) => {
    const value = override[field];
    return typeof value === "string" && value.trim() ? value : base[field];
  };
  return { subject: pick("subject"), previewText: pick("previewText"), heading: pick("heading"), body: pick("body") };
}

/** Header-safe single line: no CR/LF (header injection), collapsed whitespace. */
export function singleLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, " ").replace(/ {2,}/g, " ").trim();
}

class LinkRegistry {
  readonly links: RenderedEmail["links"] = [];
  private readonly byId = new Map<string, string>();
  constructor(private readonly wrapper: LinkWrapper) {}

  /** Wrapped href for an http(s) URL (one wrapper call per link id), or null for anything else. */
  wrap(url: string | null | undefined, linkId: string): string | null {
    if (!isHttpUrl(url)) return null;
    const known = this.byId.get(linkId);
    if (known) return known;
    const href = this.wrapper(url, linkId);
    this.byId.set(linkId, href);
    this.links.push({ linkId, url, href });
    return href;
  }

  required(url: string, linkId: string, what: string): string {
    const href = this.wrap(url, linkId);
    if (!href) throw new TypeError(`${what} must be an http(s) URL`);
    return href;
  }
}

function copyKeyOf(input: FlowEmailInput): CopyKey {
  switch (input.template) {
    case "abandoned_checkout":
      if (input.step === 2 && input.discount) return "abandoned_checkout_2_discount";
      return `abandoned_checkout_${input.step}`;
    case "cross_sell":
      return "cross_sell";
    case "review_request":
      return "review_request";
  }
}

/** Builds the document for any email. Throws TypeError on unusable input (bad recovery/unsubscribe URL, missing address). */
export function buildEmailDocument(input: EmailInput): EmailDocument {
  const isTest = input.template === "test_send";
  const email = input.template === "test_send" ? input.email : input;
  const { shop, customer } = email;
  if (!shop.address?.trim()) throw new TypeError("shop.address is required: every marketing email carries the shop's postal address (CAN-SPAM)");
  if (!isHttpUrl(email.unsubscribeUrl)) throw new TypeError("unsubscribeUrl must be an http(s) URL");

  const locale = resolveEmailLocale(customer.locale, shop.primaryLocale);
  const formatLocale = formattingLocale(customer.locale, locale);
  const ui = UI_STRINGS[locale];
  const links = new LinkRegistry(email.linkWrapper);
  const discount = email.template === "abandoned_checkout" ? email.discount ?? null : null;
  const firstName = singleLine(customer.firstName ?? "");
  const values: InterpolationValues = {
    first_name: firstName || ui.firstNameFallback,
    shop_name: shop.name,
    discount_code: discount?.code ?? "",
    discount_percent: discount ? formatPercent(discount.percentage) : "",
  };
  const copy = resolveCopy(copyKeyOf(email), locale, email.copyOverrides);
  const text = (template: string, extra: InterpolationValues = {}) => interpolate(template, { ...values, ...extra });
  const money = (minor: number, currency: string | null | undefined) => formatMinorUnits(minor, currency || shop.currency, formatLocale);
  const image = (src: string | null | undefined, alt: string, size: number) => (isHttpUrl(src) ? { src, alt, size } : null);

  const sections: EmailSection[] = [];
  let cta: EmailButton | null = null;
  if (email.template === "abandoned_checkout") {
    const recover = links.required(email.recoveryUrl, "recover", "recoveryUrl");
    sections.push({
      title: ui.yourItems,
      rows: email.items.map((item, index) => ({
        title: item.title,
        variantTitle: item.variantTitle && item.variantTitle !== "Default Title" ? item.variantTitle : null,
        image: image(item.imageUrl, item.title, 80),
        href: links.wrap(item.url, `item-${index + 1}`),
        priceLine: text(ui.quantityTimesPrice, { quantity: item.quantity, price: money(item.unitPriceMinor, item.currency) }),
        button: null,
      })),
    });
    cta = { label: ui.returnToCart, href: recover };
  } else if (email.template === "cross_sell") {
    sections.push({
      title: null,
      rows: email.products.map((product, index) => {
        const href = links.wrap(product.url, `product-${index + 1}`);
        return {
          title: product.title,
          variantTitle: null,
          image: image(product.imageUrl, product.title, 120),
          href,
          priceLine: product.priceMinor === null || product.priceMinor === undefined ? null : money(product.priceMinor, product.currency),
          button: href ? { label: ui.viewProduct, href } : null,
        };
      }),
    });
    const shopHref = links.wrap(email.shopUrl, "shop");
    cta = shopHref ? { label: ui.shopNow, href: shopHref } : null;
  } else {
    sections.push({
      title: null,
      rows: email.products.map((product, index) => {
        const href = links.wrap(product.reviewUrl, `review-${index + 1}`);
        return {
          title: product.title,
          variantTitle: product.variantTitle && product.variantTitle !== "Default Title" ? product.variantTitle : null,
          image: image(product.imageUrl, product.title, 80),
          href,
          priceLine: null,
          button: href ? { label: ui.writeReview, href } : null,
        };
      }),
    });
  }

  const preferencesHref = links.wrap(email.preferencesUrl, "preferences");
  const accentColor = normalizeAccentColor(shop.accentColor);
  const subject = singleLine(text(copy.subject));
  return {
    locale,
    subject: isTest ? `${ui.testSubjectPrefix} ${subject}` : subject,
    previewText: singleLine(text(copy.previewText)),
    heading: singleLine(text(copy.heading)),
    paragraphs: text(copy.body)
      .replace(/\r\n?/g, "\n")
      .split(/\n\s*\n/)
      .map((paragraph) => paragraph.split("\n").map((line) => line.trim()).filter(Boolean))
      .filter((lines) => lines.length > 0),
    accentColor,
    accentTextColor: readableTextColor(accentColor),
    shopName: shop.name,
    logo: isHttpUrl(shop.logoUrl) ? { src: shop.logoUrl, width: shop.logoWidth ?? 144, height: shop.logoHeight ?? 48 } : null,
    testBanner: isTest ? ui.testBanner : null,
    discount: discount
      ? {
          label: ui.discountCodeLabel,
          code: discount.code,
          offer: text(ui.discountOff),
          expires: discount.expiresAt ? text(ui.discountExpires, { expires_at: formatExpiry(discount.expiresAt, formatLocale, shop.timeZone) }) : null,
        }
      : null,
    sections,
    cta,
    footer: {
      reason: text(email.template === "review_request" ? ui.footerOrder : ui.footerMarketing),
      shopLine: `${shop.name} · ${singleLine(shop.address)}`,
      unsubscribe: { label: ui.unsubscribe, href: email.unsubscribeUrl },
      preferences: preferencesHref ? { label: ui.managePreferences, href: preferencesHref } : null,
    },
    openPixelUrl: isHttpUrl(email.openPixelUrl) ? email.openPixelUrl : null,
    links: links.links,
  };
}
