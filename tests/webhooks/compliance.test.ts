import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { addJob } from "../../app/jobs/queue.server";
import { pool } from "../../app/db.server";
import { deliver, drainJobs, installShop, jobCount, samplePayload } from "../support/shopify";

async function seedShop(shop: string) {
  await installShop(shop);
  const customer = { id: 4242, email: "ana@example.com", first_name: "Ana", last_name: "Lee" };
  await deliver({ shop, topic: "customers/create", body: { ...samplePayload("customers/create"), ...customer } });
  await deliver({
    shop,
    topic: "checkouts/create",
    body: { ...samplePayload("checkouts/create"), token: `chk-${shop}`, email: customer.email, customer },
  });
  await deliver({ shop, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 8801, email: customer.email, customer } });
  await deliver({ shop, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 8802, email: "other@example.com", customer: { id: 99, email: "other@example.com" } } });
  await drainJobs();
  return customer;
}

describe("app/uninstalled", () => {
  it("marks the shop uninstalled, removes its sessions and stops its scheduled work", async () => {
    const shop = "uninstall-shop.myshopify.com";
    await seedShop(shop);
    await addJob(pool, "flow-step", { shop, run: 1 }, { runAt: new Date(Date.now() + 3_600_000), jobKey: `test:${shop}` });
    const other = "other-shop.myshopify.com";
    await addJob(pool, "flow-step", { shop: other, run: 2 }, { runAt: new Date(Date.now() + 3_600_000), jobKey: `test:${other}` });

    await deliver({ shop, topic: "app/uninstalled", body: samplePayload("app/uninstalled") });
    await drainJobs();

    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).uninstalledAt).not.toBeNull();
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    const { rows } = await pool.query(
      `SELECT j.payload->>'shop' AS shop, j.attempts, j.max_attempts, j.last_error
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'flow-step'`,
    );
    const mine = rows.find((row) => row.shop === shop);
    const theirs = rows.find((row) => row.shop === other);
    expect(mine.attempts).toBe(mine.max_attempts); // permanently failed: never runs
    expect(mine.last_error).toMatch(/uninstalled/);
    expect(theirs.attempts).toBe(0);

    // After uninstall, ordinary topics for the shop are recorded but not applied.
    const eventId = randomUUID();
    await deliver({ shop, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 5151 }, eventId });
    await drainJobs();
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } })).status).toBe("unknown_shop");
    expect(await prisma.order.count({ where: { shop, id: "5151" } })).toBe(0);
  });

  it("does not apply a delivery received before the uninstall but processed after it (it would schedule work after the cancellation)", async () => {
    const shop = "uninstall-late.myshopify.com";
    await seedShop(shop);
    const eventId = randomUUID();
    await deliver({ shop, topic: "checkouts/create", body: { ...samplePayload("checkouts/create"), token: "chk-late", email: "late@example.com" }, eventId });
    // The uninstall is applied first (another worker took it), then the checkout's job runs.
    const { markUninstalled } = await import("../../app/compliance/compliance.server");
    await prisma.$transaction((tx) => markUninstalled(tx, shop));
    await drainJobs();
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } })).status).toBe("unknown_shop");
    expect(await prisma.checkout.count({ where: { shop, token: "chk-late" } })).toBe(0);
  });
});

describe("shop/redact", () => {
  it("deletes every row of that shop and nothing of another", async () => {
    const shop = "redact-shop.myshopify.com";
    const keep = "keep-shop.myshopify.com";
    await seedShop(shop);
    await seedShop(keep);
    const before = await jobCount();
    const eventId = randomUUID();
    await deliver({ shop, topic: "shop/redact", body: { ...samplePayload("shop/redact"), shop_domain: shop }, eventId });
    expect(await jobCount()).toBe(before + 1);
    await drainJobs();
    for (const [name, count] of Object.entries({
      shop: await prisma.shop.count({ where: { domain: shop } }),
      session: await prisma.session.count({ where: { shop } }),
      customer: await prisma.customer.count({ where: { shop } }),
      checkout: await prisma.checkout.count({ where: { shop } }),
      order: await prisma.order.count({ where: { shop } }),
      orderLine: await prisma.orderLine.count({ where: { shop } }),
      events: await prisma.webhookEvent.count({ where: { shop, NOT: { eventId } } }),
    })) {
      expect([name, count]).toEqual([name, 0]);
    }
    expect(await prisma.order.count({ where: { shop: keep } })).toBe(2);
    expect(await prisma.customer.count({ where: { shop: keep } })).toBeGreaterThan(0);
  });
});

describe("a signed compliance body replayed for another shop", () => {
  it("is refused: the body's shop_domain must match the delivery's shop header (which is not signed)", async () => {
    const shop = "replay-victim.myshopify.com";
    await seedShop(shop);
    const captured = "captured-elsewhere.myshopify.com";
    const shopRedact = randomUUID();
    await deliver({ shop, topic: "shop/redact", body: { ...samplePayload("shop/redact"), shop_domain: captured }, eventId: shopRedact });
    const customerRedact = randomUUID();
    await deliver({ shop, topic: "customers/redact", body: { ...samplePayload("customers/redact"), shop_domain: captured, customer: { id: 4242, email: "ana@example.com" }, orders_to_redact: [8801] }, eventId: customerRedact });
    const dataRequest = randomUUID();
    await deliver({ shop, topic: "customers/data_request", body: { ...samplePayload("customers/data_request"), shop_domain: captured, customer: { id: 4242, email: "ana@example.com" }, orders_requested: [8801] }, eventId: dataRequest });
    await drainJobs();
    for (const eventId of [shopRedact, customerRedact, dataRequest]) {
      const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
      expect(event.status).toBe("invalid");
      expect(event.error).toContain(`shop_domain: names ${captured}, but the delivery came for ${shop}`);
    }
    expect(await prisma.order.count({ where: { shop } })).toBe(2);
    expect(await prisma.customer.count({ where: { shop, id: "4242" } })).toBe(1);
    expect(await prisma.dataRequest.count({ where: { shop } })).toBe(0);
  });
});

describe("customers/redact", () => {
  it("removes that customer's personal data everywhere, keeping other customers", async () => {
    const shop = "cust-redact.myshopify.com";
    const customer = await seedShop(shop);
    // Its fulfillment names no email, only the shipping destination; and a delivery kept verbatim (not JSON).
    await deliver({ shop, topic: "fulfillments/create", body: { ...samplePayload("fulfillments/create"), id: 660_001, order_id: 8801, email: null, destination: { name: "Ana Lee", address1: "1 Quiet Lane" } } });
    await deliver({ shop, topic: "orders/updated", body: {}, rawBody: `{"id": 8801, "email": "Ana@Example.com", "note": "cut off` });
    await drainJobs();
    await deliver({
      shop,
      topic: "customers/redact",
      body: { ...samplePayload("customers/redact"), shop_domain: shop, customer: { id: customer.id, email: customer.email }, orders_to_redact: [8801] },
    });
    await drainJobs();
    expect(await prisma.customer.count({ where: { shop, id: String(customer.id) } })).toBe(0);
    expect(await prisma.checkout.count({ where: { shop, email: customer.email } })).toBe(0);
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "8801" } } });
    expect(order).toMatchObject({ email: null, customerId: null });
    const otherOrder = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "8802" } } });
    expect(otherOrder.email).toBe("other@example.com");
    // No stored webhook payload still carries the email.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM webhook_event WHERE shop = $1 AND (payload::text ILIKE ANY ($2) OR raw_body ILIKE ANY ($2))`,
      [shop, ["%ana@example.com%", "%1 Quiet Lane%"]],
    );
    expect(rows[0].n).toBe(0);
  });
});

describe("customers/redact and bodies PostgreSQL cannot read as JSON", () => {
  it("still scrubs the shop's bodies when one of them is JSON that JavaScript accepts and PostgreSQL refuses", async () => {
    const shop = "redact-odd-json.myshopify.com";
    const customer = await seedShop(shop);
    // Shopify's library parses with JSON.parse, which takes a lone surrogate escape; jsonb does not.
    const odd = randomUUID();
    await deliver({ shop, topic: "checkouts/update", body: null, rawBody: `{"token": "odd-1", "email": "${customer.email}", "note": "\\ud800"}`, eventId: odd });
    const other = randomUUID();
    await deliver({ shop, topic: "checkouts/update", body: null, rawBody: `{"token": "odd-2", "email": "someone-else@example.com", "note": "\\ud800"}`, eventId: other });
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: odd } })).payload).toContain("ud800");

    const redact = randomUUID();
    await deliver({
      shop,
      topic: "customers/redact",
      body: { ...samplePayload("customers/redact"), shop_domain: shop, customer: { id: customer.id, email: customer.email }, orders_to_redact: [8801] },
      eventId: redact,
    });
    await drainJobs();
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: redact } })).status).toBe("processed");
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: odd } })).payload).toBeNull();
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: other } })).payload).toContain("someone-else@example.com");
  });
});

describe("customers/data_request", () => {
  it("produces an export of what is held on that customer, visible to the merchant", async () => {
    const shop = "data-request.myshopify.com";
    const customer = await seedShop(shop);
    await deliver({
      shop,
      topic: "customers/data_request",
      body: { ...samplePayload("customers/data_request"), shop_domain: shop, customer: { id: customer.id, email: customer.email }, orders_requested: [8801] },
    });
    await drainJobs();
    const { dataRequests } = await import("../../app/store/activity.server");
    const [request] = await dataRequests(shop);
    expect(request.email).toBe(customer.email);
    const store = (request.export as { store: { customer: { email: string }; orders: Array<{ id: string }>; checkouts: unknown[] } }).store;
    expect(store.customer.email).toBe(customer.email);
    expect(store.orders.map((order) => order.id)).toEqual(["8801"]);
    expect(store.checkouts.length).toBe(1);
  });
});
