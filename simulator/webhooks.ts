import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fixturesDir } from "./admin-graphql";
import { customerGid, orderGid, orderSubtotal, productGid, variantGid, type SimCustomer, type SimFulfillment, type SimOrder, type SimProduct, type SimStore } from "./store";

/**
 * Shopify-shaped webhook bodies and their signed delivery. Each body starts from
 * Shopify's own published sample for the topic (shared/fixtures), so field names
 * and types are Shopify's; the simulator fills in its store's values.
 */
const samples = new Map<string, Record<string, unknown>>();
function sample(topic: string): Record<string, unknown> {
  if (!samples.has(topic)) {
    const file = path.join(fixturesDir(), "webhooks", `${topic.replace("/", "__")}.json`);
    samples.set(topic, JSON.parse(readFileSync(file, "utf8")));
  }
  return structuredClone(samples.get(topic)!);
}

/** Shopify's decimal text for minor units in a currency: 1999 USD -> "19.99", 1500 JPY -> "1500". */
const fractionDigits = (currency: string) => new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
const price = (minor: number, currency = "USD") => (minor / 10 ** fractionDigits(currency)).toFixed(fractionDigits(currency));
/** What the customer was shown for an amount in shop money: `rate` presentment units per shop unit. */
export interface Presentment {
  currency: string;
  rate: number;
}
const toPresentment = (minor: number, shopCurrency: string, presentment: Presentment) =>
  Math.round((minor / 10 ** fractionDigits(shopCurrency)) * presentment.rate * 10 ** fractionDigits(presentment.currency));
const moneySet = (minor: number, currency: string, presentment?: Presentment) => ({
  shop_money: { amount: price(minor, currency), currency_code: currency },
  presentment_money: presentment
    ? { amount: price(toPresentment(minor, currency, presentment), presentment.currency), currency_code: presentment.currency }
    : { amount: price(minor, currency), currency_code: currency },
});

export interface CartLine {
  product: SimProduct;
  variantId: number;
  quantity: number;
}

export interface SimCart {
  token: string;
  lines: CartLine[];
  note?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimCheckout {
  token: string;
  cartToken: string;
  email: string | null;
  customer: SimCustomer | null;
  locale: string;
  lines: CartLine[];
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

function variantOf(line: CartLine) {
  return line.product.variants.find((variant) => variant.id === line.variantId) ?? line.product.variants[0];
}

const STREETS = ["Maple Avenue", "Oak Street", "Birch Lane", "Cedar Road", "Elm Court", "Willow Way"];
const CITIES = [
  { city: "Brooklyn", province: "New York", province_code: "NY", zip: "11215" },
  { city: "Austin", province: "Texas", province_code: "TX", zip: "78701" },
  { city: "Portland", province: "Oregon", province_code: "OR", zip: "97205" },
  { city: "Chicago", province: "Illinois", province_code: "IL", zip: "60611" },
];

/** A customer's (made-up, deterministic) mailing address in Shopify's address shape. */
function addressOf(customer: SimCustomer | null, email: string | null) {
  const seed = customer?.id ?? [...(email ?? "guest")].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  const place = CITIES[seed % CITIES.length];
  const first = customer?.firstName ?? "Guest";
  const last = customer?.lastName ?? "Shopper";
  return {
    first_name: first,
    address1: `${100 + (seed % 800)} ${STREETS[seed % STREETS.length]}`,
    phone: "555-010-0199",
    city: place.city,
    zip: place.zip,
    province: place.province,
    country: "United States",
    last_name: last,
    address2: null,
    company: null,
    latitude: null,
    longitude: null,
    name: `${first} ${last}`,
    country_code: "US",
    province_code: place.province_code,
  };
}

/** The customer object as orders and checkouts embed it (Shopify's sample shape). */
function customerPayload(customer: SimCustomer, topic: "customers/create" | "customers/update" = "customers/update", embeddedIn?: unknown) {
  // Embedded in an order or checkout, the customer takes that sample's shape.
  const base = embeddedIn && typeof embeddedIn === "object" ? structuredClone(embeddedIn as Record<string, unknown>) : sample(topic);
  const address = addressOf(customer, customer.email);
  // Since API 2025-01 customer bodies no longer carry marketing consent.
  delete base.email_marketing_consent;
  delete base.sms_marketing_consent;
  return {
    ...base,
    id: customer.id,
    email: customer.email,
    first_name: customer.firstName,
    last_name: customer.lastName,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
    state: "enabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone,
    tags: customer.tags.join(", "),
    currency: "USD",
    tax_exemptions: [],
    admin_graphql_api_id: customerGid(customer.id),
    default_address: {
      ...((base.default_address as Record<string, unknown>) ?? {}),
      ...address,
      id: customer.id + 1,
      customer_id: customer.id,
      country_name: "United States",
      default: true,
    },
  };
}

export function cartPayload(store: SimStore, cart: SimCart, topic: "carts/create" | "carts/update" = "carts/update") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  return {
    ...body,
    id: cart.token,
    token: cart.token,
    note: cart.note ?? null,
    created_at: cart.createdAt.toISOString(),
    updated_at: cart.updatedAt.toISOString(),
    line_items: cart.lines.map((line) => {
      const variant = variantOf(line);
      return {
        ...template,
        properties: null,
        grams: 200,
        taxable: !line.product.giftCard,
        parent_relationship: null,
        id: variant.id,
        key: `${variant.id}:${cart.token.slice(0, 8)}`,
        product_id: line.product.id,
        variant_id: variant.id,
        title: `${line.product.title} - ${variant.title}`,
        sku: variant.sku,
        vendor: line.product.vendor,
        quantity: line.quantity,
        gift_card: line.product.giftCard,
        price: price(variant.price, currency),
        original_price: price(variant.price, currency),
        discounted_price: price(variant.price, currency),
        line_price: price(variant.price * line.quantity, currency),
        original_line_price: price(variant.price * line.quantity, currency),
        total_discount: "0.00",
        discounts: [],
        discounted_price_set: moneySet(variant.price, currency),
        line_price_set: moneySet(variant.price * line.quantity, currency),
        original_line_price_set: moneySet(variant.price * line.quantity, currency),
        price_set: moneySet(variant.price, currency),
        total_discount_set: moneySet(0, currency),
      };
    }),
  };
}

export function checkoutPayload(store: SimStore, checkout: SimCheckout, topic: "checkouts/create" | "checkouts/update" = "checkouts/update") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  const subtotal = checkout.lines.reduce((sum, line) => sum + variantOf(line).price * line.quantity, 0);
  // From API 2026-04 checkouts carry no `id`: they are linked by token only.
  delete body.id;
  return {
    ...body,
    token: checkout.token,
    cart_token: checkout.cartToken,
    email: checkout.email,
    customer: checkout.customer ? customerPayload(checkout.customer, "customers/update", body.customer) : null,
    customer_locale: checkout.locale,
    created_at: checkout.createdAt.toISOString(),
    updated_at: checkout.updatedAt.toISOString(),
    completed_at: checkout.completedAt?.toISOString() ?? null,
    closed_at: null,
    currency,
    presentment_currency: currency,
    abandoned_checkout_url: `https://${store.shop.domain}/checkouts/cn/${checkout.token}/recover?key=${checkout.token.slice(0, 16)}`,
    subtotal_price: price(subtotal, currency),
    total_line_items_price: price(subtotal, currency),
    total_price: price(subtotal, currency),
    total_tax: "0.00",
    total_discounts: "0.00",
    discount_codes: [],
    tax_lines: [],
    shipping_lines: [],
    name: `#C${checkout.token.slice(0, 8)}`,
    phone: null,
    buyer_accepts_marketing: checkout.customer?.marketingState === "SUBSCRIBED",
    billing_address: checkout.email ? addressOf(checkout.customer, checkout.email) : null,
    shipping_address: checkout.email ? addressOf(checkout.customer, checkout.email) : null,
    line_items: checkout.lines.map((line) => {
      const variant = variantOf(line);
      return {
        ...template,
        key: `${variant.id}-${checkout.token.slice(0, 6)}`,
        fulfillment_service: "manual",
        requires_shipping: !line.product.giftCard,
        taxable: !line.product.giftCard,
        properties: null,
        compare_at_price: null,
        user_id: null,
        rank: null,
        product_id: line.product.id,
        variant_id: variant.id,
        title: line.product.title,
        presentment_title: line.product.title,
        variant_title: variant.title,
        presentment_variant_title: variant.title,
        sku: variant.sku,
        vendor: line.product.vendor,
        quantity: line.quantity,
        gift_card: line.product.giftCard,
        price: price(variant.price, currency),
        variant_price: price(variant.price, currency),
        line_price: price(variant.price * line.quantity, currency),
        tax_lines: [],
        applied_discounts: [],
        discount_allocations: [],
      };
    }),
  };
}

export function orderPayload(store: SimStore, order: SimOrder, topic: "orders/create" | "orders/paid" | "orders/updated" = "orders/updated") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  // Bare amounts are in the shop's currency; only *_set.presentment_money is in the customer's.
  const presentment = order.presentment;
  const subtotal = orderSubtotal(order);
  const total = subtotal - order.totalDiscount;
  const customer = order.customerId ? (store.find.customer(order.customerId) ?? null) : null;
  const address = addressOf(customer, order.email);
  // From API 2026-04 orders carry no checkout_id: link them to checkouts by checkout_token.
  delete body.checkout_id;
  return {
    ...body,
    id: order.id,
    admin_graphql_api_id: orderGid(order.id),
    name: order.name,
    order_number: Number(order.name.replace("#", "")),
    number: Number(order.name.replace("#", "")) - 1000,
    email: order.email,
    contact_email: order.email,
    checkout_token: order.checkoutToken,
    cart_token: order.cartToken,
    token: order.checkoutToken.split("").reverse().join(""),
    created_at: order.createdAt.toISOString(),
    processed_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
    cancelled_at: null,
    cancel_reason: null,
    closed_at: null,
    currency,
    presentment_currency: presentment?.currency ?? currency,
    customer_locale: order.customerLocale,
    financial_status: order.financialStatus,
    fulfillment_status: order.fulfillmentStatus,
    subtotal_price: price(total, currency),
    total_line_items_price: price(subtotal, currency),
    total_price: price(total, currency),
    current_total_price: price(total, currency),
    current_subtotal_price: price(total, currency),
    total_discounts: price(order.totalDiscount, currency),
    current_total_discounts: price(order.totalDiscount, currency),
    total_tax: "0.00",
    current_total_tax: "0.00",
    subtotal_price_set: moneySet(total, currency, presentment),
    total_price_set: moneySet(total, currency, presentment),
    current_total_price_set: moneySet(total, currency, presentment),
    current_subtotal_price_set: moneySet(total, currency, presentment),
    total_line_items_price_set: moneySet(subtotal, currency, presentment),
    total_discounts_set: moneySet(order.totalDiscount, currency, presentment),
    current_total_discounts_set: moneySet(order.totalDiscount, currency, presentment),
    discount_codes: order.discountCodes.map((code) => {
      const discount = store.find.discount(code);
      return { code, amount: price(order.totalDiscount, currency), type: discount?.percentage === null ? "fixed_amount" : "percentage" };
    }),
    customer: customer ? customerPayload(customer, "customers/update", body.customer) : null,
    billing_address: address,
    shipping_address: address,
    fulfillments: store.find.fulfillmentsOf(order.id).map((fulfillment) => fulfillmentPayload(store, fulfillment, "fulfillments/update")),
    refunds: [],
    line_items: order.lineItems.map((line) => ({
      ...template,
      id: line.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
      product_id: line.productId,
      variant_id: line.variantId,
      title: line.title,
      name: `${line.title} - ${line.variantTitle}`,
      variant_title: line.variantTitle,
      sku: line.sku,
      quantity: line.quantity,
      current_quantity: line.quantity,
      fulfillable_quantity: order.fulfillmentStatus ? 0 : line.quantity,
      gift_card: line.giftCard,
      price: price(line.price, currency),
      price_set: moneySet(line.price, currency, presentment),
      total_discount: "0.00",
      total_discount_set: moneySet(0, currency, presentment),
      discount_allocations: [],
      tax_lines: [],
      duties: [],
      product_exists: true,
    })),
  };
}

export function fulfillmentPayload(store: SimStore, fulfillment: SimFulfillment, topic: "fulfillments/create" | "fulfillments/update" = "fulfillments/update") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const order = store.find.order(fulfillment.orderId);
  const customer = order?.customerId ? (store.find.customer(order.customerId) ?? null) : null;
  const currency = store.shop.currency;
  return {
    ...body,
    id: fulfillment.id,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${fulfillment.id}`,
    order_id: fulfillment.orderId,
    name: `${order?.name ?? "#0"}.1`,
    status: fulfillment.status,
    shipment_status: fulfillment.shipmentStatus,
    tracking_company: fulfillment.trackingCompany,
    tracking_number: `1Z${fulfillment.id}`,
    tracking_numbers: [`1Z${fulfillment.id}`],
    tracking_url: `https://www.ups.com/WebTracking?tracknum=1Z${fulfillment.id}`,
    tracking_urls: [`https://www.ups.com/WebTracking?tracknum=1Z${fulfillment.id}`],
    email: order?.email ?? null,
    destination: order ? addressOf(customer, order.email) : null,
    created_at: fulfillment.createdAt.toISOString(),
    updated_at: fulfillment.updatedAt.toISOString(),
    line_items: (order?.lineItems ?? []).map((line) => ({
      ...template,
      id: line.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
      variant_id: line.variantId,
      product_id: line.productId,
      title: line.title,
      name: `${line.title} - ${line.variantTitle}`,
      variant_title: line.variantTitle,
      vendor: store.find.product(line.productId)?.vendor ?? null,
      sku: line.sku,
      quantity: line.quantity,
      gift_card: line.giftCard,
      requires_shipping: !line.giftCard,
      fulfillable_quantity: 0,
      fulfillment_status: "fulfilled",
      price: price(line.price, currency),
      price_set: moneySet(line.price, currency),
      total_discount: "0.00",
      total_discount_set: moneySet(0, currency),
      discount_allocations: [],
      duties: [],
      tax_lines: [],
      properties: [],
    })),
  };
}

export function customerWebhookPayload(customer: SimCustomer, topic: "customers/create" | "customers/update" = "customers/update") {
  return customerPayload(customer, topic);
}

export function consentPayload(customer: SimCustomer) {
  return {
    customer_id: customer.id,
    email_address: customer.email,
    email_marketing_consent: {
      state: customer.marketingState.toLowerCase(),
      opt_in_level: customer.marketingState === "SUBSCRIBED" ? "single_opt_in" : null,
      consent_updated_at: customer.marketingUpdatedAt?.toISOString() ?? null,
    },
  };
}

export function productPayload(store: SimStore, product: SimProduct, topic: "products/create" | "products/update" = "products/update") {
  const body = sample(topic);
  const template = ((body.variants as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  return {
    ...body,
    id: product.id,
    admin_graphql_api_id: productGid(product.id),
    title: product.title,
    handle: product.handle,
    product_type: product.productType,
    vendor: product.vendor,
    status: product.status.toLowerCase(),
    tags: product.tags.join(", "),
    created_at: product.createdAt.toISOString(),
    updated_at: product.updatedAt.toISOString(),
    image: { id: product.id, src: product.imageUrl, alt: product.title, width: 600, height: 600 },
    images: [{ id: product.id, src: product.imageUrl, alt: product.title, width: 600, height: 600 }],
    variants: product.variants.map((variant, index) => ({
      ...template,
      id: variant.id,
      admin_graphql_api_id: variantGid(variant.id),
      product_id: product.id,
      title: variant.title,
      price: price(variant.price, currency),
      sku: variant.sku,
      position: index + 1,
      inventory_quantity: variant.inventoryQuantity,
      old_inventory_quantity: variant.inventoryQuantity,
      inventory_policy: "deny",
    })),
    variant_gids: product.variants.map((variant) => ({ admin_graphql_api_id: variantGid(variant.id), updated_at: product.updatedAt.toISOString() })),
  };
}

export function productDeletePayload(product: SimProduct) {
  return { id: product.id };
}

/** orders/delete carries only the id, like products/delete (Shopify deletes only archived or cancelled orders). */
export function orderDeletePayload(order: Pick<SimOrder, "id">) {
  return { id: order.id };
}

/** customers/redact: the customer and their orders to erase. */
export function customerRedactPayload(store: SimStore, customer: SimCustomer) {
  return {
    shop_id: store.shop.id,
    shop_domain: store.shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone ?? "" },
    orders_to_redact: store.find.ordersOf(customer.id).map((order) => order.id),
  };
}

/** customers/data_request: what the app holds about a customer, asked for by the merchant. */
export function customerDataRequestPayload(store: SimStore, customer: SimCustomer, requestId = store.nextId()) {
  return {
    shop_id: store.shop.id,
    shop_domain: store.shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone ?? "" },
    orders_requested: store.find.ordersOf(customer.id).map((order) => order.id),
    data_request: { id: requestId },
  };
}

/** shop/redact: 48 hours after uninstall, erase the shop's data. */
export function shopRedactPayload(store: SimStore) {
  return { shop_id: store.shop.id, shop_domain: store.shop.domain };
}

/** app/uninstalled carries the shop object. */
export function shopPayload(store: SimStore) {
  const body = sample("app/uninstalled");
  return {
    ...body,
    id: store.shop.id,
    name: store.shop.name,
    email: store.shop.email,
    customer_email: store.shop.email,
    domain: store.shop.domain,
    myshopify_domain: store.shop.domain,
    address1: store.shop.address.address1,
    address2: store.shop.address.address2,
    city: store.shop.address.city,
    province: store.shop.address.province,
    province_code: "NY",
    zip: store.shop.address.zip,
    country: store.shop.address.countryCode,
    country_code: store.shop.address.countryCode,
    country_name: store.shop.address.country,
    currency: store.shop.currency,
    enabled_presentment_currencies: [store.shop.currency],
    timezone: "(GMT-05:00) America/New_York",
    iana_timezone: store.shop.ianaTimezone,
    primary_locale: store.shop.primaryLocale,
    shop_owner: "Dana Confetti",
    plan_display_name: "Basic",
    plan_name: "basic",
    created_at: "2024-03-01T09:00:00-05:00",
    updated_at: "2026-01-01T09:00:00-05:00",
  };
}

export type WebhookTopic =
  | "carts/create" | "carts/update" | "checkouts/create" | "checkouts/update" | "orders/create" | "orders/paid" | "orders/updated" | "orders/delete"
  | "fulfillments/create" | "fulfillments/update" | "customers/create" | "customers/update" | "customers_email_marketing_consent/update"
  | "products/create" | "products/update" | "products/delete" | "app/uninstalled" | "customers/data_request" | "customers/redact" | "shop/redact";

export interface WebhookDelivery {
  topic: string;
  shop: string;
  eventId: string;
  webhookId: string;
  triggeredAt: Date;
  /** Requests made for this delivery (1 + retries used). */
  attempts: number;
  /** Status of the last attempt; 0 when the app could not be reached. */
  status: number;
  /** Status of every attempt, in order. */
  statuses: number[];
  responseText: string;
  signedCorrectly: boolean;
  at: Date;
}

export interface SendOptions {
  /** Reuse an event id (a redelivery of the same event). */
  eventId?: string;
  /** X-Shopify-Triggered-At; the simulator's clock in scenarios. */
  triggeredAt?: Date;
  apiVersion?: string;
  /** Sign with this secret instead of the app's (a forged delivery). */
  secret?: string;
  /** Send a signature that cannot verify. */
  badSignature?: boolean;
  /** Deliver this many extra times with the same event id (Shopify's at-least-once delivery). */
  duplicates?: number;
  /** Retries after a non-2xx answer or a network error. */
  retries?: number;
  /** First retry delay; doubles each time (Shopify spreads 8 retries over 4 hours). */
  backoffMs?: number;
  shop?: string;
}

/** Signs and POSTs one event the way Shopify does, retrying non-2xx answers with backoff. */
export async function deliverWebhook(
  target: { appUrl: string; shop: string; secret: string },
  topic: string,
  payload: unknown,
  options: SendOptions = {},
): Promise<WebhookDelivery[]> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const eventId = options.eventId ?? randomUUID();
  const triggeredAt = options.triggeredAt ?? new Date();
  const shop = options.shop ?? target.shop;
  const signedCorrectly = !options.badSignature && (options.secret === undefined || options.secret === target.secret);
  let hmac = createHmac("sha256", options.secret ?? target.secret).update(body, "utf8").digest("base64");
  if (options.badSignature) hmac = createHmac("sha256", `${target.secret}-forged`).update(body, "utf8").digest("base64");
  const deliveries: WebhookDelivery[] = [];
  const copies = 1 + (options.duplicates ?? 0);
  for (let copy = 0; copy < copies; copy++) {
    // A webhook id names one delivery (kept across its retries); the event id names the event.
    const webhookId = randomUUID();
    let attempts = 0;
    let status = 0;
    let responseText = "";
    const statuses: number[] = [];
    const maxAttempts = 1 + (options.retries ?? 0);
    while (attempts < maxAttempts) {
      attempts++;
      try {
        const response = await fetch(`${target.appUrl}/webhooks`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Shopify-Captain-Hook",
            "x-shopify-topic": topic,
            "x-shopify-hmac-sha256": hmac,
            "x-shopify-shop-domain": shop,
            "x-shopify-api-version": options.apiVersion ?? "2026-10",
            "x-shopify-webhook-id": webhookId,
            "x-shopify-event-id": eventId,
            "x-shopify-triggered-at": triggeredAt.toISOString(),
          },
          body,
        });
        status = response.status;
        responseText = await response.text();
      } catch (error) {
        status = 0;
        responseText = (error as Error).message;
      }
      statuses.push(status);
      if (status >= 200 && status < 300) break;
      if (attempts < maxAttempts) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 50) * 2 ** (attempts - 1)));
    }
    deliveries.push({ topic, shop, eventId, webhookId, triggeredAt, attempts, status, statuses, responseText, signedCorrectly, at: new Date() });
  }
  return deliveries;
}
