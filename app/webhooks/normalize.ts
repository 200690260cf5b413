import { z } from "zod";
import { toMinorUnits } from "../money";

/**
 * Shopify payloads -> Pathwise's shop-scoped store model. Pure functions: every
 * field is validated here (never trusted for presence), money becomes minor units,
 * ids become numeric text. A payload that lacks what we need throws a ZodError that
 * the processor records against the event.
 */

const id = z.union([z.number(), z.string().regex(/^\d+$/)]).transform((value) => String(value));
const optionalId = id.nullish().transform((value) => value ?? null);
const text = z.string().nullish().transform((value) => value ?? null);
const date = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    if (!value) return null;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid date ${value}` });
      return z.NEVER;
    }
    return parsed;
  });
const amount = z.union([z.string(), z.number()]).nullish();
/** Shopify's money pair on orders: the shop's currency and the customer's (presentment) one. */
const moneySet = z
  .object({ shop_money: z.object({ amount, currency_code: z.string().nullish() }).passthrough().nullish() })
  .passthrough()
  .nullish();

export interface NormalizedLineItem {
  lineId: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  quantity: number;
  unitPriceMinor: number;
  isGiftCard: boolean;
}

const lineItemSchema = z.object({
  id: z.union([z.number(), z.string()]).nullish(),
  key: z.string().nullish(),
  product_id: optionalId,
  variant_id: optionalId,
  title: z.string().nullish(),
  presentment_title: z.string().nullish(),
  variant_title: text,
  quantity: z.number().int().nonnegative(),
  price: amount,
  price_set: moneySet,
  gift_card: z.boolean().nullish(),
});

/**
 * Lines with their unit price in `currency`. With `shopMoney` (orders) a line's
 * `price_set.shop_money` amount wins over its bare `price`; checkouts and carts have
 * no such pair and their bare amounts are already in `currency`.
 */
function lineItems(items: z.infer<typeof lineItemSchema>[], currency: string, shopMoney = false): NormalizedLineItem[] {
  return items.map((item, index) => ({
    lineId: String(item.id ?? item.key ?? index),
    productId: item.product_id,
    variantId: item.variant_id,
    title: item.title ?? item.presentment_title ?? "Item",
    variantTitle: item.variant_title,
    quantity: item.quantity,
    unitPriceMinor: toMinorUnits((shopMoney ? item.price_set?.shop_money?.amount : null) ?? item.price ?? "0", currency),
    isGiftCard: item.gift_card ?? false,
  }));
}

const customerRef = z.object({ id: optionalId, email: text, first_name: text, last_name: text, locale: text }).passthrough().nullish();

// ---- checkouts -------------------------------------------------------------------

const checkoutSchema = z.object({
  token: z.string().min(1),
  cart_token: text,
  email: text,
  customer: customerRef,
  customer_locale: text,
  line_items: z.array(lineItemSchema).default([]),
  subtotal_price: amount,
  total_price: amount,
  currency: z.string().nullish(),
  presentment_currency: z.string().nullish(),
  abandoned_checkout_url: text,
  completed_at: date,
  created_at: date,
  updated_at: date,
});

export function normalizeCheckout(payload: unknown) {
  const p = checkoutSchema.parse(payload);
  const currency = (p.presentment_currency ?? p.currency ?? "USD").toUpperCase();
  return {
    token: p.token,
    cartToken: p.cart_token,
    email: p.email?.trim().toLowerCase() || null,
    customerId: p.customer?.id ?? null,
    customer: p.customer ?? null,
    customerLocale: p.customer_locale,
    lineItems: lineItems(p.line_items, currency),
    subtotalMinor: toMinorUnits(p.subtotal_price ?? "0", currency),
    totalMinor: toMinorUnits(p.total_price ?? "0", currency),
    currency,
    recoveryUrl: p.abandoned_checkout_url,
    completedAt: p.completed_at,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}
export type NormalizedCheckout = ReturnType<typeof normalizeCheckout>;

// ---- carts -----------------------------------------------------------------------

const cartSchema = z.object({
  token: z.string().min(1),
  line_items: z.array(lineItemSchema).default([]),
  currency: z.string().nullish(),
  created_at: date,
  updated_at: date,
});

export function normalizeCart(payload: unknown, shopCurrency: string) {
  const p = cartSchema.parse(payload);
  const currency = (p.currency ?? shopCurrency).toUpperCase();
  const items = lineItems(p.line_items, currency);
  return {
    token: p.token,
    lineItems: items,
    totalMinor: items.reduce((sum, item) => sum + item.unitPriceMinor * item.quantity, 0),
    currency,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}
export type NormalizedCart = ReturnType<typeof normalizeCart>;

// ---- orders ----------------------------------------------------------------------

const orderSchema = z.object({
  id,
  name: text,
  checkout_token: text,
  cart_token: text,
  email: text,
  contact_email: text,
  customer: customerRef,
  customer_locale: text,
  line_items: z.array(lineItemSchema).default([]),
  subtotal_price: amount,
  total_price: amount,
  subtotal_price_set: moneySet,
  total_price_set: moneySet,
  currency: z.string().nullish(),
  presentment_currency: z.string().nullish(),
  discount_codes: z.array(z.object({ code: z.string() }).passthrough()).default([]),
  financial_status: text,
  fulfillment_status: text,
  cancelled_at: date,
  created_at: date,
  updated_at: date,
});

export function normalizeOrder(payload: unknown, shopCurrency: string) {
  const p = orderSchema.parse(payload);
  // An order's bare amounts (total_price, subtotal_price, a line's price) are in the
  // shop's currency, `currency`; `presentment_currency` is what the customer saw, and
  // only the *_set.presentment_money amounts are in it. Orders are kept in shop money:
  // the *_set.shop_money amounts and their code when present, else the bare ones.
  const currency = (p.total_price_set?.shop_money?.currency_code ?? p.currency ?? shopCurrency).toUpperCase();
  return {
    id: p.id,
    name: p.name,
    checkoutToken: p.checkout_token,
    cartToken: p.cart_token,
    customerId: p.customer?.id ?? null,
    customer: p.customer ?? null,
    customerLocale: p.customer_locale,
    email: (p.email ?? p.contact_email)?.trim().toLowerCase() || null,
    lineItems: lineItems(p.line_items, currency, true),
    subtotalMinor: toMinorUnits(p.subtotal_price_set?.shop_money?.amount ?? p.subtotal_price ?? "0", currency),
    totalMinor: toMinorUnits(p.total_price_set?.shop_money?.amount ?? p.total_price ?? "0", currency),
    currency,
    discountCodes: p.discount_codes.map((discount) => discount.code),
    financialStatus: p.financial_status,
    fulfillmentStatus: p.fulfillment_status,
    cancelledAt: p.cancelled_at,
    createdAt: p.created_at ?? p.updated_at ?? new Date(0),
    updatedAt: p.updated_at ?? p.created_at,
  };
}
export type NormalizedOrder = ReturnType<typeof normalizeOrder>;

// ---- fulfillments ----------------------------------------------------------------

const fulfillmentSchema = z.object({
  id,
  order_id: id,
  status: text,
  shipment_status: text,
  tracking_company: text,
  created_at: date,
  updated_at: date,
});

export function normalizeFulfillment(payload: unknown) {
  const p = fulfillmentSchema.parse(payload);
  const delivered = p.shipment_status === "delivered";
  return {
    id: p.id,
    orderId: p.order_id,
    status: p.status,
    shipmentStatus: p.shipment_status,
    trackingCompany: p.tracking_company,
    // Shopify gives no delivery timestamp on the fulfillment: the update that first
    // reports "delivered" is when we learn it.
    deliveredAt: delivered ? (p.updated_at ?? new Date()) : null,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}
export type NormalizedFulfillment = ReturnType<typeof normalizeFulfillment>;

// ---- customers -------------------------------------------------------------------

const consentSchema = z
  .object({ state: z.string().nullish(), consent_updated_at: date, opt_in_level: text })
  .passthrough()
  .nullish();

const customerSchema = z.object({
  id,
  email: text,
  first_name: text,
  last_name: text,
  locale: text,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  email_marketing_consent: consentSchema,
  updated_at: date,
});

export function normalizeCustomer(payload: unknown) {
  const p = customerSchema.parse(payload);
  const tags = Array.isArray(p.tags) ? p.tags : (p.tags ?? "").split(",").map((tag) => tag.trim()).filter(Boolean);
  return {
    id: p.id,
    email: p.email?.trim().toLowerCase() || null,
    firstName: p.first_name,
    lastName: p.last_name,
    locale: p.locale,
    tags,
    // Since API 2025-01 customer webhooks carry no consent; older ones may.
    consent: p.email_marketing_consent?.state
      ? { state: p.email_marketing_consent.state.toUpperCase(), updatedAt: p.email_marketing_consent.consent_updated_at }
      : null,
    updatedAt: p.updated_at,
  };
}
export type NormalizedCustomer = ReturnType<typeof normalizeCustomer>;

const consentUpdateSchema = z.object({
  customer_id: id,
  email_address: text,
  email_marketing_consent: z.object({ state: z.string(), consent_updated_at: date, opt_in_level: text }).passthrough(),
});

export function normalizeConsentUpdate(payload: unknown) {
  const p = consentUpdateSchema.parse(payload);
  return {
    customerId: p.customer_id,
    email: p.email_address?.trim().toLowerCase() || null,
    state: p.email_marketing_consent.state.toUpperCase(),
    consentUpdatedAt: p.email_marketing_consent.consent_updated_at,
  };
}

// ---- products --------------------------------------------------------------------

const productSchema = z.object({
  id,
  title: z.string(),
  handle: text,
  product_type: text,
  vendor: text,
  status: z.string().nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  image: z.object({ src: z.string() }).passthrough().nullish(),
  images: z.array(z.object({ src: z.string() }).passthrough()).nullish(),
  variants: z
    .array(
      z
        .object({
          price: amount,
          inventory_quantity: z.number().nullish(),
          inventory_policy: z.string().nullish(),
          inventory_management: z.string().nullish(),
        })
        .passthrough(),
    )
    .default([]),
  updated_at: date,
  // Shopify's product webhooks have no gift-card flag; reconciliation's Admin API mapping adds one.
  is_gift_card: z.boolean().nullish(),
});

/**
 * Whether any variant can be bought, or null when the payload cannot tell. A variant
 * sells when it has stock, continues selling when out, or is not tracked
 * (`inventory_management` null). Product webhooks stopped carrying
 * `inventory_management` in 2024 (the 2025-10 and 2026-07 samples have none), so an
 * untracked variant at quantity 0 with policy "deny" looks exactly like a sold-out
 * tracked one: only a variant known to be tracked (the field present and not null)
 * proves "sold out". When no variant sells and some are unknown, the answer is null
 * and the stored availability stands (the bulk export's availableForSale and
 * reconciliation's tracksInventory settle it).
 */
function productAvailability(variants: Array<{ inventory_quantity?: number | null; inventory_policy?: string | null; inventory_management?: string | null }>): boolean | null {
  if (!variants.length) return null;
  let unknown = false;
  for (const variant of variants) {
    if ((variant.inventory_quantity ?? 1) > 0 || variant.inventory_policy === "continue" || variant.inventory_management === null) return true;
    if (variant.inventory_management === undefined) unknown = true;
  }
  return unknown ? null : false;
}

export function normalizeProduct(payload: unknown, shopCurrency: string) {
  const p = productSchema.parse(payload);
  const tags = Array.isArray(p.tags) ? p.tags : (p.tags ?? "").split(",").map((tag) => tag.trim()).filter(Boolean);
  const prices = p.variants.map((variant) => toMinorUnits(variant.price ?? "0", shopCurrency));
  const available = productAvailability(p.variants);
  // Null when the payload cannot tell (every products/update): a guess from the type or
  // tags would overwrite the bulk export's accurate isGiftCard, so the stored flag stands.
  const isGiftCard = p.is_gift_card ?? null;
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.product_type,
    vendor: p.vendor,
    tags,
    imageUrl: p.image?.src ?? p.images?.[0]?.src ?? null,
    priceMinor: prices.length ? Math.min(...prices) : null,
    currency: shopCurrency,
    status: (p.status ?? "active").toLowerCase(),
    available,
    isGiftCard,
    updatedAt: p.updated_at,
  };
}
export type NormalizedProduct = ReturnType<typeof normalizeProduct>;

export function normalizeProductDelete(payload: unknown) {
  return z.object({ id }).parse(payload);
}

/** app/scopes_update: the scopes granted now, and when they changed. */
export function normalizeScopesUpdate(payload: unknown) {
  const p = z.object({ current: z.array(z.string()), updated_at: date }).passthrough().parse(payload);
  return { scopes: p.current.join(","), updatedAt: p.updated_at };
}

/** orders/delete carries only the order's id. */
export function normalizeOrderDelete(payload: unknown) {
  return z.object({ id }).parse(payload);
}

// ---- compliance ------------------------------------------------------------------

/**
 * The compliance topics name their shop inside the signed body; the X-Shopify-Shop-Domain
 * header is not signed. A captured redaction for one shop, replayed with another shop's
 * header, must not touch that other shop: the two have to agree.
 */
export function requireSameShop(payloadShop: string, deliveredFor: string): void {
  if (payloadShop.trim().toLowerCase() !== deliveredFor.toLowerCase()) {
    throw new z.ZodError([{ code: "custom", path: ["shop_domain"], message: `names ${payloadShop}, but the delivery came for ${deliveredFor}` }]);
  }
}

export function normalizeShopRedact(payload: unknown) {
  return { shopDomain: z.object({ shop_domain: z.string() }).passthrough().parse(payload).shop_domain };
}

export function normalizeCustomerRedact(payload: unknown) {
  const p = z
    .object({
      shop_domain: z.string(),
      customer: z.object({ id: optionalId, email: text, phone: text }).passthrough(),
      orders_to_redact: z.array(id).default([]),
    })
    .parse(payload);
  return { shopDomain: p.shop_domain, customerId: p.customer.id, email: p.customer.email?.toLowerCase() ?? null, orderIds: p.orders_to_redact };
}

export function normalizeDataRequest(payload: unknown) {
  const p = z
    .object({
      shop_domain: z.string(),
      customer: z.object({ id: optionalId, email: text, phone: text }).passthrough(),
      orders_requested: z.array(id).default([]),
      data_request: z.object({ id: optionalId }).passthrough().nullish(),
    })
    .parse(payload);
  return {
    shopDomain: p.shop_domain,
    customerId: p.customer.id,
    email: p.customer.email?.toLowerCase() ?? null,
    orderIds: p.orders_requested,
    requestId: p.data_request?.id ?? null,
  };
}
