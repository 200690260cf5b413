import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { installShop, samplePayload, deliver } from "../support/shopify";

// Processing one delivery must need only its own transaction's connection. A query on
// the global client inside the transaction waits for a second pool connection while the
// transaction holds row locks; when every other connection is a transaction waiting on
// those locks (the same customer in concurrent orders), nothing moves until the
// transaction times out. With a pool of one that wait is certain, so it shows here.
process.env.DATABASE_POOL_SIZE = "1";

const SHOP = "one-connection-shop.myshopify.com";

beforeAll(async () => {
  await import("../../app/features.server");
  await installShop(SHOP);
});

describe("processing inside one transaction", () => {
  it("applies an order (store model, flows, cross-sell attribution) with a pool of one connection", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { processWebhookEvent } = await import("../../app/webhooks/process.server");
    const eventId = randomUUID();
    const body = { ...samplePayload("orders/create"), id: 987_654_321, email: "one@example.com" };
    expect((await deliver({ shop: SHOP, topic: "orders/create", body, eventId })).status).toBe(200);
    const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
    const started = Date.now();
    expect(await processWebhookEvent(event.id)).toBe("processed");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await prisma.order.count({ where: { shop: SHOP, id: "987654321" } })).toBe(1);
  }, 15_000);
});
