import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { installShop, jobCount, processingJobsFor, samplePayload, signedWebhookRequest } from "../support/shopify";

// The fast path (server/fast-paths.ts) the app server dispatches POST /webhooks to
// before Express: the same checks as the Remix route, over real HTTP.
const SHOP = "fast-path-shop.myshopify.com";
let server: Server;
let base: string;

beforeAll(async () => {
  await installShop(SHOP);
  const { webhookHandler } = await import("../../server/fast-paths");
  server = createServer((req, res) => void webhookHandler(req, res)).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(request: Request, body?: string) {
  return fetch(`${base}/webhooks`, { method: "POST", headers: request.headers, body: body ?? (await request.text()) });
}

describe("webhooks on the fast path", () => {
  it("records a signed delivery with its job, answers 200, and answers a repeat 200 without a second record or job", async () => {
    const eventId = randomUUID();
    const request = await signedWebhookRequest({ shop: SHOP, topic: "orders/create", body: samplePayload("orders/create"), eventId });
    const body = await request.clone().text();
    const first = await post(request, body);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe("ok");
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } })).toMatchObject({ shop: SHOP, topic: "orders/create", status: "received" });
    expect(await processingJobsFor(eventId)).toBe(1);

    const again = await post(request, body);
    expect(again.status).toBe(200);
    expect(await again.text()).toMatch(/duplicate/);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(1);
    expect(await processingJobsFor(eventId)).toBe(1);
  });

  it("answers a forged body 401 and keeps nothing", async () => {
    const eventId = randomUUID();
    const request = await signedWebhookRequest({ shop: SHOP, topic: "orders/create", body: samplePayload("orders/create"), eventId });
    const jobsBefore = await jobCount();
    const response = await post(request, JSON.stringify({ id: 1, total_price: "0.01" }));
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("refuses an unsigned delivery with 401 and keeps nothing", async () => {
    const eventId = randomUUID();
    const response = await fetch(`${base}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/create", "x-shopify-shop-domain": SHOP, "x-shopify-event-id": eventId, "x-shopify-api-version": "2026-10", "x-shopify-webhook-id": randomUUID() },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count({ where: { eventId } })).toBe(0);
  });
});
