import "@shopify/shopify-api/adapters/web-api";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixturesDir } from "./admin-graphql";
import { startAppReceiver, type AppReceiver } from "./app-receiver";
import { createSimulator, type SimCart, type SimCheckout, type Simulator } from "./index";

const SHOP = "webhook-test.myshopify.com";
const API_KEY = "sim-webhook-key";
const API_SECRET = "sim-webhook-secret";
const shopify = shopifyApi({ apiKey: API_KEY, apiSecretKey: API_SECRET, apiVersion: ApiVersion.October26, hostName: "pathwise.test", isEmbeddedApp: true, logger: { level: 0 } });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let receiver: AppReceiver;
let simulator: Simulator;

beforeAll(async () => {
  receiver = await startAppReceiver();
  simulator = createSimulator({ appUrl: receiver.url, apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP, webhookRetries: 3, webhookBackoffMs: 5 });
  await simulator.start();
});
afterAll(async () => {
  await simulator.stop();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.handler = null;
});

async function validate(index: number) {
  const received = receiver.requests[index];
  return shopify.webhooks.validate({ rawBody: received.rawBody, rawRequest: receiver.toRequest(received) });
}

describe("webhook delivery", () => {
  it("POSTs to {appUrl}/webhooks with Shopify's headers and a signature Shopify's library accepts", async () => {
    const customer = simulator.store.customers[0];
    const triggeredAt = new Date("2026-11-20T10:00:00Z");
    const [delivery] = await simulator.sendWebhook("customers/update", simulator.payloads.customer(customer), { triggeredAt });
    expect(delivery).toMatchObject({ topic: "customers/update", status: 200, attempts: 1, signedCorrectly: true });
    const received = receiver.requests[0];
    expect(received.method).toBe("POST");
    expect(received.path).toBe("/webhooks");
    expect(received.headers).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "customers/update",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-triggered-at": triggeredAt.toISOString(),
    });
    expect(received.headers["x-shopify-webhook-id"]).toMatch(UUID);
    expect(received.headers["x-shopify-event-id"]).toMatch(UUID);
    expect(received.headers["x-shopify-hmac-sha256"]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(await validate(0)).toMatchObject({ valid: true, topic: "CUSTOMERS_UPDATE", domain: SHOP, apiVersion: "2026-10", webhookId: delivery.webhookId });
    expect(JSON.parse(received.rawBody).id).toBe(customer.id);
    expect(simulator.webhookDeliveries.at(-1)).toBe(delivery);
  });

  it("a bad signature or another secret does not verify", async () => {
    await simulator.sendWebhook("orders/create", simulator.payloads.order(simulator.store.orders[0], "orders/create"), { badSignature: true });
    await simulator.sendWebhook("orders/create", { id: 1 }, { secret: "someone-else" });
    expect(await validate(0)).toMatchObject({ valid: false, reason: "invalid_hmac" });
    expect(await validate(1)).toMatchObject({ valid: false, reason: "invalid_hmac" });
    expect(simulator.webhookDeliveries.slice(-2).map((delivery) => delivery.signedCorrectly)).toEqual([false, false]);
  });

  it("retries non-2xx answers with backoff, keeping the event and webhook ids", async () => {
    receiver.respondWith([500, 503]);
    const [delivery] = await simulator.sendWebhook("orders/paid", simulator.payloads.order(simulator.store.orders[1], "orders/paid"));
    expect(delivery).toMatchObject({ attempts: 3, status: 200, statuses: [500, 503, 200] });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((request) => request.headers["x-shopify-event-id"]))).toEqual(new Set([delivery.eventId]));
    expect(new Set(receiver.requests.map((request) => request.headers["x-shopify-webhook-id"]))).toEqual(new Set([delivery.webhookId]));
    expect(receiver.requests[2].at.getTime() - receiver.requests[0].at.getTime()).toBeGreaterThanOrEqual(5 + 10);
    receiver.defaultStatus = 500;
    try {
      const [failed] = await simulator.sendWebhook("orders/paid", { id: 2 }, { retries: 1 });
      expect(failed).toMatchObject({ attempts: 2, status: 500, statuses: [500, 500] });
    } finally {
      receiver.defaultStatus = 200;
    }
  });

  it("duplicates a delivery: same event id, a new webhook id", async () => {
    const [first, second] = await simulator.sendWebhook("checkouts/update", { token: "abc" }, { duplicates: 1 });
    expect(first.eventId).toBe(second.eventId);
    expect(first.webhookId).not.toBe(second.webhookId);
    expect(receiver.requests.map((request) => request.headers["x-shopify-event-id"])).toEqual([first.eventId, first.eventId]);
    expect((await validate(1)).valid).toBe(true);
  });

  it("records a delivery the app could not receive as status 0", async () => {
    const offline = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP, webhookRetries: 0 });
    const [delivery] = await offline.sendWebhook("shop/redact", offline.payloads.shopRedact());
    expect(delivery.status).toBe(0);
    expect(delivery.responseText).toBeTruthy();
  });
});

// ---------------------------------------------------------------------------
// Payload shapes against Shopify's published samples

function sample(topic: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(fixturesDir(), "webhooks", `${topic.replace("/", "__")}.json`), "utf8"));
}

const kind = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** Every key of the sample is in the payload with the same JSON type (null allowed either way), recursively. */
function shapeDifferences(expected: unknown, actual: unknown, at = "$", ignore: string[] = []): string[] {
  if (ignore.includes(at)) return [];
  if (expected === null || actual === null) return [];
  if (kind(expected) !== kind(actual)) return [`${at}: ${kind(expected)} in the sample, ${kind(actual)} here`];
  if (Array.isArray(expected)) {
    const actualList = actual as unknown[];
    if (!expected.length || !actualList.length) return [];
    return actualList.flatMap((item, index) => shapeDifferences(expected[0], item, `${at}[${index}]`, ignore));
  }
  if (typeof expected === "object") {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      if (ignore.includes(`${at}.${key}`)) continue;
      if (!(key in (actual as Record<string, unknown>))) problems.push(`${at}.${key}: missing`);
      else problems.push(...shapeDifferences(value, (actual as Record<string, unknown>)[key], `${at}.${key}`, ignore));
    }
    return problems;
  }
  return [];
}

describe("payload builders follow Shopify's sample bodies", () => {
  const build = () => {
    const { store, payloads } = simulator;
    const product = store.products.find((candidate) => candidate.variants.length > 1)!;
    const customer = store.customers.find((candidate) => candidate.marketingState === "SUBSCRIBED")!;
    const order = store.orders.find((candidate) => candidate.customerId && candidate.discountCodes.length && store.find.fulfillmentsOf(candidate.id).length)!;
    const fulfillment = store.find.fulfillmentsOf(order.id)[0];
    const now = new Date();
    const cart: SimCart = { token: "c1a2b3c4d5e6f708192a3b4c5d6e7f80", lines: [{ product, variantId: product.variants[1].id, quantity: 2 }], createdAt: now, updatedAt: now, note: null };
    const checkout: SimCheckout = { token: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", cartToken: cart.token, email: customer.email, customer, locale: "ko", lines: cart.lines, createdAt: now, updatedAt: now, completedAt: null };
    return {
      "carts/create": payloads.cart(cart, "carts/create"),
      "carts/update": payloads.cart(cart, "carts/update"),
      "checkouts/create": payloads.checkout(checkout, "checkouts/create"),
      "checkouts/update": payloads.checkout(checkout, "checkouts/update"),
      "orders/create": payloads.order(order, "orders/create"),
      "orders/paid": payloads.order(order, "orders/paid"),
      "orders/updated": payloads.order(order, "orders/updated"),
      "fulfillments/create": payloads.fulfillment(fulfillment, "fulfillments/create"),
      "fulfillments/update": payloads.fulfillment(fulfillment, "fulfillments/update"),
      "customers/create": payloads.customer(customer, "customers/create"),
      "customers/update": payloads.customer(customer, "customers/update"),
      "customers_email_marketing_consent/update": payloads.consent(customer),
      "products/create": payloads.product(product, "products/create"),
      "products/update": payloads.product(product, "products/update"),
      "products/delete": payloads.productDelete(product),
      "app/uninstalled": payloads.appUninstalled(),
      "customers/data_request": payloads.customersDataRequest(customer),
      "customers/redact": payloads.customersRedact(customer),
      "shop/redact": payloads.shopRedact(),
    } as Record<string, Record<string, unknown>>;
  };

  it("the comparison itself notices a missing or retyped field", () => {
    const order = build()["orders/create"] as Record<string, unknown> & { line_items: Array<Record<string, unknown>> };
    const broken = { ...order, total_price: 12.5, line_items: order.line_items.map(({ variant_id: _dropped, ...rest }) => rest) };
    expect(shapeDifferences(sample("orders/create"), broken, "$", ["$.checkout_id"])).toEqual(expect.arrayContaining(["$.total_price: string in the sample, number here", "$.line_items[0].variant_id: missing"]));
  });

  it("has every key of the sample, with the same types, for all 19 topics", () => {
    const built = build();
    // From API 2026-04 checkouts drop `id` and orders drop `checkout_id`; since 2025-01 customer bodies drop consent.
    const ignore = ["$.id", "$.checkout_id", "$.email_marketing_consent", "$.sms_marketing_consent", "$.customer.email_marketing_consent", "$.customer.sms_marketing_consent"];
    const problems = Object.entries(built).flatMap(([topic, payload]) =>
      shapeDifferences(sample(topic), payload, "$", topic.startsWith("checkouts/") || topic.startsWith("orders/") || topic.startsWith("customers/") ? ignore : []).map((problem) => `${topic} ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it("uses Shopify's conventions: numeric ids, money as strings, GIDs, token linkage, no checkout id", () => {
    const built = build();
    const order = built["orders/create"] as Record<string, unknown> & { line_items: Array<Record<string, unknown>>; customer: Record<string, unknown> };
    const source = simulator.store.orders.find((candidate) => candidate.id === order.id)!;
    expect(order.admin_graphql_api_id).toBe(`gid://shopify/Order/${source.id}`);
    expect(order).not.toHaveProperty("checkout_id");
    expect(order.checkout_token).toBe(source.checkoutToken);
    expect(order.cart_token).toBe(source.cartToken);
    expect(order.total_price).toMatch(/^\d+\.\d{2}$/);
    expect(Number(order.total_discounts)).toBeCloseTo(source.totalDiscount / 100, 2);
    expect(Number(order.subtotal_price) + Number(order.total_discounts)).toBeCloseTo(Number(order.total_line_items_price), 2);
    expect(typeof order.line_items[0].product_id).toBe("number");
    expect(typeof order.line_items[0].price).toBe("string");
    expect(order.customer.admin_graphql_api_id).toBe(`gid://shopify/Customer/${source.customerId}`);
    const checkout = built["checkouts/update"];
    expect(checkout).not.toHaveProperty("id");
    expect(checkout).toMatchObject({ token: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", cart_token: "c1a2b3c4d5e6f708192a3b4c5d6e7f80", currency: "USD", presentment_currency: "USD", customer_locale: "ko", completed_at: null });
    expect(checkout.abandoned_checkout_url).toMatch(/^https:\/\/webhook-test\.myshopify\.com\/checkouts\//);
    expect(built["carts/update"]).toMatchObject({ token: "c1a2b3c4d5e6f708192a3b4c5d6e7f80", id: "c1a2b3c4d5e6f708192a3b4c5d6e7f80" });
    const fulfillment = built["fulfillments/update"];
    expect(fulfillment.order_id).toBe(source.id);
    expect(["delivered", "in_transit", "confirmed"]).toContain(fulfillment.shipment_status);
    expect(built["customers_email_marketing_consent/update"]).toMatchObject({ email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in" } });
    expect(built["customers/update"]).not.toHaveProperty("email_marketing_consent");
    expect(built["customers/redact"]).toMatchObject({ shop_domain: SHOP, orders_to_redact: expect.arrayContaining([expect.any(Number)]) });
    expect(built["app/uninstalled"]).toMatchObject({ myshopify_domain: SHOP, iana_timezone: "America/New_York", currency: "USD" });
  });
});
