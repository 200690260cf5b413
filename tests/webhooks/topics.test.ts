import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { deliver, drainJobs, installShop, samplePayload, deliverAndProcess } from "../support/shopify";

const SHOP = "topics-shop.myshopify.com";

beforeAll(async () => {
  await installShop(SHOP);
});

const process = (topic: string, body: unknown) => deliverAndProcess({ shop: SHOP, topic, body });

describe.each(["", "2025-10"])("normalization of Shopify's sample payloads %s", (version) => {
  it("checkouts/create and checkouts/update -> checkout with money in minor units, recovery URL and customer", async () => {
    const body: Record<string, any> = { ...samplePayload("checkouts/create", version || undefined), token: `chk-${version}` };
    await process("checkouts/create", body);
    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: `chk-${version}` } } });
    expect(checkout).toMatchObject({
      cartToken: body.cart_token,
      email: String(body.email).toLowerCase(),
      currency: "USD",
      recoveryUrl: body.abandoned_checkout_url,
      completedAt: null,
    });
    expect(checkout.subtotalMinor).toBe(Math.round(Number(body.subtotal_price) * 100));
    const items = checkout.lineItems as Array<{ productId: string; quantity: number; unitPriceMinor: number }>;
    expect(items.length).toBe((body.line_items as unknown[]).length);
    expect(items[0].unitPriceMinor).toBeGreaterThan(0);
    const customer = body.customer as { id: number } | null;
    if (customer) expect(checkout.customerId).toBe(String(customer.id));

    await process("checkouts/update", { ...samplePayload("checkouts/update", version || undefined), token: `chk-${version}`, updated_at: "2030-01-01T00:00:00Z" });
    const updated = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: `chk-${version}` } } });
    expect(updated.shopifyUpdatedAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });

  it("carts/create and carts/update -> cart with line items and total", async () => {
    const body: Record<string, any> = { ...samplePayload("carts/update", version || undefined), token: `cart-${version}` };
    await process("carts/update", body);
    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: `cart-${version}` } } });
    const lines = body.line_items as Array<{ quantity: number; price: string }>;
    expect(cart.totalMinor).toBe(lines.reduce((sum, line) => sum + line.quantity * Math.round(Number(line.price) * 100), 0));
    await process("carts/create", { ...samplePayload("carts/create", version || undefined), token: `cart-new-${version}` });
    expect(await prisma.cart.count({ where: { shop: SHOP, token: `cart-new-${version}` } })).toBe(1);
  });

  it("orders/create, orders/paid, orders/updated -> order, its lines, and the checkout it completes", async () => {
    const sample = samplePayload("orders/create", version || undefined);
    const orderId = 9_000_000 + (version ? 1 : 0);
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: `ord-chk-${version}`, cart_token: `ord-cart-${version}` });
    await process("orders/create", { ...sample, id: orderId, checkout_token: `ord-chk-${version}`, cart_token: `ord-cart-${version}` });
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } }, include: { lines: true } });
    expect(order.totalMinor).toBe(Math.round(Number(sample.total_price) * 100));
    expect(order.discountCodes).toEqual((sample.discount_codes as Array<{ code: string }>).map((d) => d.code));
    expect(order.lines.length).toBe((sample.line_items as unknown[]).length);
    expect(order.shopifyCreatedAt.getTime()).toBeGreaterThan(0);
    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: `ord-chk-${version}` } } });
    expect(checkout.orderId).toBe(String(orderId));
    expect(checkout.completedAt).not.toBeNull();

    await process("orders/paid", { ...samplePayload("orders/paid", version || undefined), id: orderId, financial_status: "paid", updated_at: "2030-01-01T00:00:00Z" });
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } } })).financialStatus).toBe("paid");
    await process("orders/updated", { ...samplePayload("orders/updated", version || undefined), id: orderId, updated_at: "2020-01-01T00:00:00Z", financial_status: "pending" });
    // Older than what we hold: ignored.
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } } })).financialStatus).toBe("paid");
  });

  it("orders/updated replaces the order's lines with the delivered ones, and an order completes its cart's unlinked checkouts", async () => {
    const sample = samplePayload("orders/create", version || undefined);
    const orderId = 9_100_000 + (version ? 1 : 0);
    const cartToken = `lines-cart-${version}`;
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: `lines-chk-a-${version}`, cart_token: cartToken });
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: `lines-chk-b-${version}`, cart_token: cartToken });
    const money = { amount: "12.50", currency_code: "USD" };
    const line = (id: number, quantity: number) => ({ ...sample.line_items[0], id, quantity, price: "12.50", price_set: { shop_money: money, presentment_money: money }, gift_card: false });
    await process("orders/create", { ...sample, id: orderId, checkout_token: null, cart_token: cartToken, line_items: [line(1, 1), line(2, 2)], updated_at: "2026-11-01T10:00:00Z" });
    await process("orders/updated", { ...sample, id: orderId, checkout_token: null, cart_token: cartToken, line_items: [line(2, 5), line(3, 1)], updated_at: "2026-11-01T11:00:00Z" });

    const lines = await prisma.orderLine.findMany({ where: { shop: SHOP, orderId: String(orderId) }, orderBy: { lineId: "asc" } });
    expect(lines.map((l) => [l.lineId, l.quantity, l.priceMinor])).toEqual([["2", 5, 1250], ["3", 1, 1250]]);
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } } });
    const checkouts = await prisma.checkout.findMany({ where: { shop: SHOP, cartToken }, orderBy: { token: "asc" } });
    expect(checkouts.map((c) => [c.orderId, c.completedAt?.toISOString()])).toEqual([
      [String(orderId), order.shopifyCreatedAt.toISOString()],
      [String(orderId), order.shopifyCreatedAt.toISOString()],
    ]);
  });

  it("fulfillments/create and fulfillments/update -> status, shipment status and delivery time", async () => {
    const id = 7_700 + (version ? 1 : 0);
    await process("fulfillments/create", { ...samplePayload("fulfillments/create", version || undefined), id, updated_at: "2026-11-01T10:00:00Z" });
    await process("fulfillments/update", {
      ...samplePayload("fulfillments/update", version || undefined),
      id,
      shipment_status: "delivered",
      updated_at: "2026-11-03T15:00:00Z",
    });
    const fulfillment = await prisma.fulfillment.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });
    expect(fulfillment.shipmentStatus).toBe("delivered");
    expect(fulfillment.deliveredAt?.toISOString()).toBe("2026-11-03T15:00:00.000Z");
  });

  it("customers/create, customers/update and consent updates -> customer with consent and its time", async () => {
    const sample = samplePayload("customers/update", version || undefined);
    const id = 3_300 + (version ? 1 : 0);
    await process("customers/create", { ...samplePayload("customers/create", version || undefined), id });
    await process("customers/update", { ...sample, id, first_name: "Mina", updated_at: "2026-11-02T00:00:00Z" });
    await process("customers_email_marketing_consent/update", {
      customer_id: id,
      email_address: "mina@example.com",
      email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-11-02T01:00:00Z" },
    });
    const customer = await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });
    expect(customer.firstName).toBe("Mina");
    expect(customer.emailMarketingState).toBe("SUBSCRIBED");
    expect(customer.emailMarketingConsentAt?.toISOString()).toBe("2026-11-02T01:00:00.000Z");
    // A late, older consent change does not undo the newer one.
    await process("customers_email_marketing_consent/update", {
      customer_id: id,
      email_address: "mina@example.com",
      email_marketing_consent: { state: "unsubscribed", opt_in_level: null, consent_updated_at: "2026-10-01T00:00:00Z" },
    });
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } })).emailMarketingState).toBe("SUBSCRIBED");
  });

  it("products/update and products/delete -> product with price, image, availability; then deleted", async () => {
    const sample = samplePayload("products/update", version || undefined);
    const id = 1_100 + (version ? 1 : 0);
    await process("products/update", { ...sample, id });
    const product = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });
    expect(product).toMatchObject({ title: sample.title, handle: sample.handle, status: String(sample.status).toLowerCase(), available: true, deletedAt: null });
    const variants = sample.variants as Array<{ price: string }>;
    expect(product.priceMinor).toBe(Math.min(...variants.map((v) => Math.round(Number(v.price) * 100))));
    await process("products/delete", { id });
    const deleted = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.available).toBe(false);
  });
});

describe("orders/delete", () => {
  it("keeps a tombstone without the person or the lines, which a late orders/updated or a bulk export cannot revive", async () => {
    const orderId = 9_200_000;
    const sample = samplePayload("orders/create");
    const createdAt = "2026-11-20T10:00:00Z";
    await process("orders/create", { ...sample, id: orderId, created_at: createdAt, updated_at: createdAt, checkout_token: "del-chk", cart_token: "del-cart" });
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: String(orderId) } })).toBeGreaterThan(0);

    await process("orders/delete", { id: orderId });
    const tombstone = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } } });
    expect(tombstone.deletedAt).not.toBeNull();
    expect(tombstone).toMatchObject({ email: null, customerId: null, name: null, lineItems: [], checkoutToken: "del-chk" });
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: String(orderId) } })).toBe(0);

    // An update that was still on its way (newer than what we held) changes nothing.
    await process("orders/updated", { ...sample, id: orderId, created_at: createdAt, updated_at: "2026-11-21T10:00:00Z" });
    const after = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(orderId) } } });
    expect(after).toMatchObject({ email: null, deletedAt: tombstone.deletedAt });
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: String(orderId) } })).toBe(0);
  });

  it("an order we never held gets a bare tombstone, so its late orders/create does not bring it back; a payload without an id is refused", async () => {
    await process("orders/delete", { id: 9_200_001 });
    const tombstone = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "9200001" } } });
    expect(tombstone.deletedAt).not.toBeNull();
    expect(tombstone).toMatchObject({ email: null, customerId: null, name: null, checkoutToken: null, lineItems: [], totalMinor: 0 });
    // A second delivery of the delete changes nothing.
    await process("orders/delete", { id: 9_200_001 });
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "9200001" } } })).deletedAt).toEqual(tombstone.deletedAt);

    // The orders/create that was still on its way arrives after the delete.
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: "del-late-chk", email: null });
    await process("orders/create", { ...samplePayload("orders/create"), id: 9_200_001, checkout_token: "del-late-chk", updated_at: "2026-11-21T10:00:00Z" });
    const after = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "9200001" } } });
    expect(after).toMatchObject({ email: null, name: null, totalMinor: 0, deletedAt: tombstone.deletedAt });
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: "9200001" } })).toBe(0);

    const eventId = randomUUID();
    await deliver({ shop: SHOP, topic: "orders/delete", body: { order_id: 1 }, eventId });
    await drainJobs();
    const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    expect(event.status).toBe("invalid");
    expect(event.error).toMatch(/id/);
  });
});

describe("app/scopes_update", () => {
  it("applies the newer change only: a late delivery of an older one does not restore old scopes", async () => {
    const sample = samplePayload("app/scopes_update");
    const scopes = async () => {
      const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
      const session = await prisma.session.findFirstOrThrow({ where: { shop: SHOP } });
      return [shop.scopes, session.scope];
    };
    await process("app/scopes_update", { ...sample, previous: ["read_orders"], current: ["read_orders", "write_products"], updated_at: "2026-11-20T12:00:00.000Z" });
    expect(await scopes()).toEqual(["read_orders,write_products", "read_orders,write_products"]);

    // The earlier change (products dropped, then granted again) arrives late.
    await process("app/scopes_update", { ...sample, previous: ["read_orders", "write_products"], current: ["read_orders"], updated_at: "2026-11-20T11:00:00.000Z" });
    expect(await scopes()).toEqual(["read_orders,write_products", "read_orders,write_products"]);

    await process("app/scopes_update", { ...sample, current: ["read_orders", "write_products", "read_customers"], updated_at: "2026-11-20T13:00:00.000Z" });
    expect(await scopes()).toEqual(["read_orders,write_products,read_customers", "read_orders,write_products,read_customers"]);
  });
});
