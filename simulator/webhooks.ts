import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fixturesDir } from "./admin-graphql";
import { customerGid, orderGid, productGid, variantGid, type SimCustomer, type SimFulfillment, type SimOrder, type SimProduct, type SimStore } from "./store";

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

const price = (minor: number) => (minor / 100).toFixed(2);
const moneySet = (minor: number, currency: string) => ({
  shop_money: { amount: price(minor), currency_code: currency },
  presentment_money: { amount: price(minor), currency_code: currency },
});

export interface CartLine {
  product: SimProduct;
  variantId: number;
  quantity: number;
}

export interface SimCart {
  token: string;
  lines: CartLine[];
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

function customerPayload(customer: SimCustomer) {
  const base = (sample("customers/update") ?? {}) as Record<string, unknown>;
  return {
    ...base,
    id: customer.id,
    email: customer.email,
    first_name: customer.firstName,
    last_name: customer.lastName,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
    state: "enabled",
    verified_email: true,
    tags: customer.tags.join(", "),
    currency: "USD",
    admin_graphql_api_id: customerGid(customer.id),
    default_address: null,
    addresses: [],
  };
}

export function cartPayload(store: SimStore, cart: SimCart, topic: "carts/create" | "carts/update") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  return {
    ...body,
    id: cart.token,
    token: cart.token,
    note: null,
    created_at: cart.createdAt.toISOString(),
    updated_at: cart.updatedAt.toISOString(),
    line_items: cart.lines.map((line) => {
      const variant = variantOf(line);
      return {
        ...template,
        id: variant.id,
        key: `${variant.id}:${cart.token.slice(0, 8)}`,
        product_id: line.product.id,
        variant_id: variant.id,
        title: `${line.product.title} - ${variant.title}`,
        sku: variant.sku,
        vendor: line.product.vendor,
        quantity: line.quantity,
        gift_card: line.product.giftCard,
        price: price(variant.price),
        original_price: price(variant.price),
        discounted_price: price(variant.price),
        line_price: price(variant.price * line.quantity),
        original_line_price: price(variant.price * line.quantity),
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

export function checkoutPayload(store: SimStore, checkout: SimCheckout, topic: "checkouts/create" | "checkouts/update") {
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
    customer: checkout.customer ? customerPayload(checkout.customer) : null,
    customer_locale: checkout.locale,
    created_at: checkout.createdAt.toISOString(),
    updated_at: checkout.updatedAt.toISOString(),
    completed_at: checkout.completedAt?.toISOString() ?? null,
    closed_at: null,
    currency,
    presentment_currency: currency,
    abandoned_checkout_url: `https://${store.shop.domain}/checkouts/cn/${checkout.token}/recover?key=${checkout.token.slice(0, 16)}`,
    subtotal_price: price(subtotal),
    total_line_items_price: price(subtotal),
    total_price: price(subtotal),
    total_tax: "0.00",
    total_discounts: "0.00",
    discount_codes: [],
    tax_lines: [],
    shipping_lines: [],
    billing_address: null,
    shipping_address: null,
    line_items: checkout.lines.map((line) => {
      const variant = variantOf(line);
      return {
        ...template,
        key: `${variant.id}-${checkout.token.slice(0, 6)}`,
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
        price: price(variant.price),
        variant_price: price(variant.price),
        line_price: price(variant.price * line.quantity),
        tax_lines: [],
        applied_discounts: [],
        discount_allocations: [],
      };
    }),
  };
}

export function orderPayload(store: SimStore, order: SimOrder, topic: "orders/create" | "orders/paid" | "orders/updated") {
  const body = sample(topic);
  const template = ((body.line_items as Array<Record<string, unknown>>) ?? [])[0] ?? {};
  const currency = store.shop.currency;
  const subtotal = order.lineItems.reduce((sum, line) => sum + line.price * line.quantity, 0);
  const customer = order.customerId ? store.customers.find((candidate) => candidate.id === order.customerId) : null;
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
    presentment_currency: currency,
    customer_locale: order.customerLocale,
    financial_status: order.financialStatus,
    fulfillment_status: order.fulfillmentStatus,
    subtotal_price: price(subtotal),
    total_line_items_price: price(subtotal),
    total_price: price(subtotal),
    current_total_price: price(subtotal),
    current_subtotal_price: price(subtotal),
    total_discounts: "0.00",
    total_tax: "0.00",
    subtotal_price_set: moneySet(subtotal, currency),
    total_price_set: moneySet(subtotal, currency),
    discount_codes: order.discountCodes.map((code) => ({ code, amount: "0.00", type: "percentage" })),
    customer: customer ? customerPayload(customer) : null,
    billing_address: null,
    shipping_address: null,
    fulfillments: [],
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
      price: price(line.price),
      price_set: moneySet(line.price, currency),
      total_discount: "0.00",
      total_discount_set: moneySet(0, currency),
      discount_allocations: [],
      tax_lines: [],
      duties: [],
      product_exists: true,
    })),
  };
}

export function fulfillmentPayload(store: SimStore, fulfillment: SimFulfillment, topic: "fulfillments/create" | "fulfillments/update") {
  const body = sample(topic);
  const order = store.orders.find((candidate) => candidate.id === fulfillment.orderId);
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
    email: order?.email ?? null,
    created_at: fulfillment.createdAt.toISOString(),
    updated_at: fulfillment.updatedAt.toISOString(),
    line_items: [],
  };
}

export function customerWebhookPayload(customer: SimCustomer) {
  return customerPayload(customer);
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

export function productPayload(store: SimStore, product: SimProduct) {
  const body = sample("products/update");
  const template = ((body.variants as Array<Record<string, unknown>>) ?? [])[0] ?? {};
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
      price: price(variant.price),
      sku: variant.sku,
      position: index + 1,
      inventory_quantity: variant.inventoryQuantity,
      old_inventory_quantity: variant.inventoryQuantity,
      inventory_policy: "deny",
    })),
    variant_gids: product.variants.map((variant) => ({ admin_graphql_api_id: variantGid(variant.id), updated_at: product.updatedAt.toISOString() })),
  };
}

export function shopPayload(store: SimStore) {
  const body = sample("app/uninstalled");
  return {
    ...body,
    id: store.shop.id,
    name: store.shop.name,
    email: store.shop.email,
    domain: store.shop.domain,
    myshopify_domain: store.shop.domain,
    currency: store.shop.currency,
    iana_timezone: store.shop.ianaTimezone,
    primary_locale: store.shop.primaryLocale,
  };
}

export interface WebhookDelivery {
  topic: string;
  eventId: string;
  webhookId: string;
  attempts: number;
  status: number;
  responseText: string;
  at: Date;
}

export interface SendOptions {
  eventId?: string;
  triggeredAt?: Date;
  apiVersion?: string;
  /** Sign with this secret instead of the app's (a forged delivery). */
  secret?: string;
  /** Deliver this many extra times with the same event id (Shopify's at-least-once delivery). */
  duplicates?: number;
  retries?: number;
}

/** Signs and POSTs one event the way Shopify does, retrying non-2xx answers with backoff. */
export async function deliverWebhook(
  target: { appUrl: string; shop: string; secret: string },
  topic: string,
  payload: unknown,
  options: SendOptions = {},
): Promise<WebhookDelivery[]> {
  const body = JSON.stringify(payload);
  const eventId = options.eventId ?? randomUUID();
  const hmac = createHmac("sha256", options.secret ?? target.secret).update(body, "utf8").digest("base64");
  const deliveries: WebhookDelivery[] = [];
  const copies = 1 + (options.duplicates ?? 0);
  for (let copy = 0; copy < copies; copy++) {
    const webhookId = randomUUID();
    let attempts = 0;
    let status = 0;
    let responseText = "";
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
            "x-shopify-shop-domain": target.shop,
            "x-shopify-api-version": options.apiVersion ?? "2026-10",
            "x-shopify-webhook-id": webhookId,
            "x-shopify-event-id": eventId,
            "x-shopify-triggered-at": (options.triggeredAt ?? new Date()).toISOString(),
          },
          body,
        });
        status = response.status;
        responseText = await response.text();
      } catch (error) {
        status = 0;
        responseText = (error as Error).message;
      }
      if (status >= 200 && status < 300) break;
      if (attempts < maxAttempts) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempts));
    }
    deliveries.push({ topic, eventId, webhookId, attempts, status, responseText, at: new Date() });
  }
  return deliveries;
}
