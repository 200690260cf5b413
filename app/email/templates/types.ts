import type { EmailLocale, MessageCopy } from "../i18n";

/** What the templates need to know about the shop. */
export interface ShopBranding {
  name: string;
  /** http(s) URL of the logo; omitted (or unsafe) = the shop name as text. */
  logoUrl?: string | null;
  /** Logo box in CSS pixels; pass the real aspect ratio (Outlook obeys these attributes). Default 144×48. */
  logoWidth?: number;
  logoHeight?: number;
  /** "#rgb" or "#rrggbb"; anything else falls back to DEFAULT_ACCENT_COLOR. */
  accentColor: string;
  /** Single-line physical postal address (CAN-SPAM). Required, rendered in every footer. */
  address: string;
  /** Shopify's primary locale ("en", "ko", "th-TH"): the language when the customer's is unknown. */
  primaryLocale: string;
  /** ISO 4217 code of the shop's currency. */
  currency: string;
  /** IANA zone used for dates such as a discount's expiry (default UTC). */
  timeZone?: string | null;
}

export interface EmailCustomer {
  firstName?: string | null;
  /** The customer's locale as Shopify reports it ("ko", "ko-KR", "th-TH", "en-US"). */
  locale?: string | null;
}

/** A line of an abandoned checkout. */
export interface EmailLineItem {
  title: string;
  variantTitle?: string | null;
  imageUrl?: string | null;
  quantity: number;
  /** Integer minor units (cents; whole won for KRW). */
  unitPriceMinor: number;
  currency: string;
  /** Product page; only http(s) URLs become links. */
  url?: string | null;
}

/** A recommended product in the cross-sell email. */
export interface RecommendedProduct {
  title: string;
  imageUrl?: string | null;
  priceMinor?: number | null;
  currency?: string | null;
  url: string;
}

/** A purchased product in the review request. */
export interface ReviewProduct {
  title: string;
  variantTitle?: string | null;
  imageUrl?: string | null;
  /** Where "Write a review" leads (the review app's form for this product). */
  reviewUrl: string;
}

/** Merchant-edited copy per language; blank strings mean "use the default". */
export type CopyOverrides = Partial<Record<EmailLocale, Partial<MessageCopy>>>;

/**
 * Turns a target URL into the URL put in the email, e.g. a signed click-tracking
 * redirect. Called once per distinct link with a stable id ("recover", "item-1",
 * "review-2", "shop", "preferences"); only ever with http(s) URLs.
 */
export type LinkWrapper = (url: string, linkId: string) => string;

export interface CommonEmailInput {
  shop: ShopBranding;
  customer: EmailCustomer;
  /** Footer unsubscribe link, put in the email exactly as given (not wrapped). */
  unsubscribeUrl: string;
  /** Optional preferences page; wrapped like every other link. */
  preferencesUrl?: string | null;
  /** Optional open-tracking pixel, used as-is (it is an image, not a link). */
  openPixelUrl?: string | null;
  copyOverrides?: CopyOverrides | null;
  linkWrapper: LinkWrapper;
}

export interface DiscountOffer {
  code: string;
  /** Whole or decimal percentage, e.g. 10 or 12.5. */
  percentage: number;
  expiresAt?: Date | null;
}

export interface AbandonedCheckoutEmailInput extends CommonEmailInput {
  template: "abandoned_checkout";
  step: 1 | 2 | 3;
  items: EmailLineItem[];
  recoveryUrl: string;
  /** Shown as a code block in any step; at step 2 it also selects the discount wording. */
  discount?: DiscountOffer | null;
}

export interface CrossSellEmailInput extends CommonEmailInput {
  template: "cross_sell";
  products: RecommendedProduct[];
  /** Optional "Shop now" button target (the storefront). */
  shopUrl?: string | null;
}

export interface ReviewRequestEmailInput extends CommonEmailInput {
  template: "review_request";
  products: ReviewProduct[];
}

export type FlowEmailInput = AbandonedCheckoutEmailInput | CrossSellEmailInput | ReviewRequestEmailInput;

/** A merchant's test send: the real email with a banner and a "[Test]" subject prefix. */
export interface TestSendEmailInput {
  template: "test_send";
  email: FlowEmailInput;
}

export type EmailInput = FlowEmailInput | TestSendEmailInput;

export interface RenderedEmail {
  locale: EmailLocale;
  subject: string;
  previewText: string;
  html: string;
  text: string;
  /** Every wrapped link: its id, the original target, and the href put in the email. */
  links: Array<{ linkId: string; url: string; href: string }>;
}
