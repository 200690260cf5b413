import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { deliver, drainJobs, installShop, jobCount, processingJobsFor, samplePayload, signedWebhookRequest } from "../support/shopify";

const SHOP = "ingest-shop.myshopify.com";

beforeAll(async () => {
  await installShop(SHOP);
});

describe("webhook ingestion (one route, Shopify's HMAC check)", () => {
  it("records a signed delivery once with its metadata, enqueues processing in the same write, and answers 200", async () => {
    const eventId = randomUUID();
    const body = { ...samplePayload("checkouts/create"), token: "tok-valid-1", email: "Shopper@Example.com" };
    const response = await deliver({ shop: SHOP, topic: "checkouts/create", body, eventId, triggeredAt: "2026-11-20T10:00:00.000Z" });
    expect(response.status).toBe(200);
    const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    expect(event).toMatchObject({ shop: SHOP, topic: "checkouts/create", apiVersion: "2026-10", status: "received" });
    expect(event.triggeredAt?.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(JSON.parse(event.payload!).token).toBe("tok-valid-1");
    expect(await processingJobsFor(eventId)).toBe(1);

    await drainJobs();
    const processed = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    expect(processed.status).toBe("processed");
    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "tok-valid-1" } } });
    expect(checkout.email).toBe("shopper@example.com");
    expect(checkout.subtotalMinor).toBe(39800);
  });

  it("refuses a forged signature with 401 and keeps nothing", async () => {
    const eventId = randomUUID();
    const request = await signedWebhookRequest({ shop: SHOP, topic: "orders/create", body: samplePayload("orders/create"), eventId });
    const forged = new Request(request.url, { method: "POST", headers: request.headers, body: JSON.stringify({ id: 1, total_price: "0.01" }) });
    const { action } = await import("../../app/routes/webhooks");
    const jobsBefore = await jobCount();
    const response = await action({ request: forged, params: {}, context: {} } as never);
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("refuses an unsigned request with 401 and keeps nothing", async () => {
    const eventId = randomUUID();
    const { action } = await import("../../app/routes/webhooks");
    // Every header a genuine delivery has, except the signature.
    const signed = await signedWebhookRequest({ shop: SHOP, topic: "orders/create", body: samplePayload("orders/create"), eventId });
    const headers = new Headers(signed.headers);
    headers.delete("x-shopify-hmac-sha256");
    const request = new Request(signed.url, { method: "POST", headers, body: await signed.text() });
    const jobsBefore = await jobCount();
    const response = await action({ request, params: {}, context: {} } as never);
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("answers a duplicate delivery 200 without recording or processing it again", async () => {
    const eventId = randomUUID();
    const body = { ...samplePayload("customers/create"), id: 5550001, email: "dupe@example.com" };
    const first = await deliver({ shop: SHOP, topic: "customers/create", body, eventId });
    expect(await processingJobsFor(eventId)).toBe(1);
    const [second, third] = await Promise.all([
      deliver({ shop: SHOP, topic: "customers/create", body, eventId }),
      deliver({ shop: SHOP, topic: "customers/create", body, eventId }),
    ]);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(await second.text()).toMatch(/duplicate/);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(1);
    expect(await processingJobsFor(eventId)).toBe(1);
  });

  it("falls back to the webhook id when Shopify sends no event id", async () => {
    const webhookId = randomUUID();
    const request = await signedWebhookRequest({ shop: SHOP, topic: "products/delete", body: { id: 42 }, webhookId });
    request.headers.delete("x-shopify-event-id");
    const { action } = await import("../../app/routes/webhooks");
    expect((await action({ request, params: {}, context: {} } as never)).status).toBe(200);
    expect(await prisma.webhookEvent.count({ where: { eventId: webhookId } })).toBe(1);
  });

  it("records a genuine but malformed body verbatim, acknowledges it (a retry would bring the same bytes) and does not process it", async () => {
    const eventId = randomUUID();
    const response = await deliver({ shop: SHOP, topic: "orders/create", body: null, rawBody: '{"id": 12, "line_items": [', eventId });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/malformed/i);
    // Shopify's retry of it is a duplicate: acknowledged, still one record.
    const retry = await deliver({ shop: SHOP, topic: "orders/create", body: null, rawBody: '{"id": 12, "line_items": [', eventId });
    expect(retry.status).toBe(200);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(1);
    const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    expect(event.status).toBe("malformed");
    expect(event.rawBody).toBe('{"id": 12, "line_items": [');
    expect(await processingJobsFor(eventId)).toBe(0);
  });

  it("records an unknown topic and a shop that is not installed without processing them", async () => {
    const unknownTopic = randomUUID();
    const unknownShop = randomUUID();
    const r1 = await deliver({ shop: SHOP, topic: "inventory_levels/update", body: { inventory_item_id: 1 }, eventId: unknownTopic });
    const r2 = await deliver({ shop: "never-installed.myshopify.com", topic: "orders/create", body: samplePayload("orders/create"), eventId: unknownShop });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: unknownTopic } })).status).toBe("unknown_topic");
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: unknownShop } })).status).toBe("unknown_shop");
  });

  it("marks a signed payload that misses required fields as invalid with the reason, without retrying", async () => {
    const eventId = randomUUID();
    await deliver({ shop: SHOP, topic: "orders/create", body: { name: "#1001" }, eventId });
    await drainJobs();
    const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    expect(event.status).toBe("invalid");
    expect(event.error).toMatch(/id/);
  });

  it("never lets a late, older delivery overwrite newer state", async () => {
    const base = { ...samplePayload("checkouts/update"), token: "tok-order-1", cart_token: "cart-order-1" };
    const newer = { ...base, email: "new@example.com", updated_at: "2026-11-20T12:00:00Z" };
    const older = { ...base, email: "old@example.com", updated_at: "2026-11-20T11:00:00Z" };
    await deliver({ shop: SHOP, topic: "checkouts/update", body: newer });
    await drainJobs();
    await deliver({ shop: SHOP, topic: "checkouts/update", body: older });
    await drainJobs();
    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "tok-order-1" } } });
    expect(checkout.email).toBe("new@example.com");
    expect(checkout.shopifyUpdatedAt?.toISOString()).toBe("2026-11-20T12:00:00.000Z");
  });

  it("accepts deliveries for many shops concurrently and stores every one (group commit)", async () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const responses = await Promise.all(
      ids.map((eventId, index) => deliver({ shop: SHOP, topic: "carts/update", body: { ...samplePayload("carts/update"), token: `burst-${index}` }, eventId })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(await prisma.webhookEvent.count({ where: { eventId: { in: ids } } })).toBe(200);
  });
});
