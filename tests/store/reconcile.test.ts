import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { parseCrontab } from "graphile-worker";
import { createSimulator, type Simulator } from "../../simulator/index";
import type { SimOrder } from "../../simulator/store";
import prisma, { pool } from "../../app/db.server";
import { crontab } from "../../app/jobs/tasks.server";
import type { AdminGraphql } from "../../app/shops/admin-graphql";
import { enqueueForInstalledShops } from "../../app/shops/shops.server";
import {
  CONSENT_VERSIONS_QUERY, ORDER_QUERY, ORDER_VERSIONS_QUERY, PRODUCT_IDS_QUERY, PRODUCT_QUERY, PRODUCT_VERSIONS_QUERY,
  RECONCILE_DELETIONS_TASK, RECONCILE_SHOP_DELETIONS_TASK, RECONCILE_SHOP_TASK, RECONCILE_SHOPS_TASK, reconcileConsent, reconcileDeletedProducts,
  reconcileOrders, reconcileProducts,
} from "../../app/store/reconcile.server";
import { saveProduct } from "../../app/store/store.server";
import { normalizeProduct } from "../../app/webhooks/normalize";
import { adminQueryErrors } from "../support/admin-schema";
import { deliver, drainJobs, samplePayload } from "../support/shopify";

// A shop whose webhooks partly never arrived: the simulator holds orders the app was not told about.
const SHOP = "reconcile-shop.myshopify.com";
const MINUTE = 60_000;
let simulator: Simulator;
let admin: AdminGraphql;

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP, throttle: { maximum: 2000, restoreRate: 1000 } });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
  const { sessionStorage, unauthenticated } = await import("../../app/shopify.server");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: simulator.issueAccessToken(), scope: "read_orders" }));
  // Reconciled an hour ago: the seeded history is older than the window.
  await prisma.shop.create({ data: { domain: SHOP, name: "Reconcile", currency: simulator.store.shop.currency, ordersReconciledAt: new Date(Date.now() - 60 * MINUTE) } });
  admin = (await unauthenticated.admin(SHOP)).admin.graphql as unknown as AdminGraphql;
}, 60_000);

afterAll(async () => {
  await simulator?.stop();
});

/** An order that exists in the shop but whose webhook never came. */
function missedOrder(updatedAgoMs: number, fields: Partial<SimOrder> = {}): SimOrder {
  const template = simulator.store.orders.find((order) => order.customerId && order.lineItems.length >= 2)!;
  const at = new Date(Date.now() - updatedAgoMs);
  const order: SimOrder = { ...template, id: simulator.store.nextId(), name: `#R${simulator.store.orders.length}`, createdAt: at, updatedAt: at, checkoutToken: `chk-${Date.now()}-${Math.random()}`, ...fields };
  simulator.store.orders.push(order);
  return order;
}

describe("reconciliation against the Admin API", () => {
  it("asks Shopify's real Admin schema (2026-10) valid queries", () => {
    for (const query of [ORDER_VERSIONS_QUERY, ORDER_QUERY, CONSENT_VERSIONS_QUERY, PRODUCT_VERSIONS_QUERY, PRODUCT_QUERY, PRODUCT_IDS_QUERY]) expect(adminQueryErrors(query)).toEqual([]);
  });

  it("adds an order whose webhook never came, through the webhook's path: store model, lines, the checkout it completes and the flow run it ends", async () => {
    const order = missedOrder(10 * MINUTE);
    await prisma.checkout.create({ data: { shop: SHOP, token: order.checkoutToken, email: order.email, currency: "USD", shopifyUpdatedAt: new Date(order.createdAt.getTime() - 30 * MINUTE) } });
    await prisma.flowRun.create({
      data: { id: `run-${order.id}`, shop: SHOP, flowKey: "abandoned_checkout", subjectKey: order.checkoutToken, checkoutToken: order.checkoutToken, email: order.email, anchorAt: new Date(order.createdAt.getTime() - 30 * MINUTE) },
    });

    const result = await reconcileOrders(SHOP, admin);

    expect(result).toMatchObject({ inserted: 1, updated: 0, invalid: 0 });
    expect(simulator.invalidQueries).toEqual([]);
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(order.id) } }, include: { lines: true } });
    expect(stored).toMatchObject({ name: order.name, email: order.email, customerId: String(order.customerId), checkoutToken: order.checkoutToken });
    expect(stored.shopifyUpdatedAt?.toISOString()).toBe(order.updatedAt.toISOString());
    expect(stored.lines.map((line) => [line.productId, line.quantity]).sort()).toEqual(
      order.lineItems.map((line) => [String(simulator.store.find.variant(line.variantId)!.product.id), line.quantity]).sort(),
    );
    expect((await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: order.checkoutToken } } })).orderId).toBe(String(order.id));
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: `run-${order.id}` } })).toMatchObject({ state: "exited", exitReason: "purchased_before_email" });
    // The recommendation model hears of it as of any new order.
    const { rows } = await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`recs-update:${SHOP}`]);
    expect(rows.length).toBe(1);
  });

  it("leaves alone what it holds, updates an older copy, and leaves the last five minutes to the webhooks", async () => {
    const held = missedOrder(9 * MINUTE);
    const changed = missedOrder(8 * MINUTE, { financialStatus: "paid" });
    const fresh = missedOrder(2 * MINUTE);
    // held and changed arrived by webhook; changed was refunded since, and that webhook was lost.
    expect(await reconcileOrders(SHOP, admin)).toMatchObject({ inserted: 2 });
    await prisma.order.delete({ where: { shop_id: { shop: SHOP, id: String(fresh.id) } } }).catch(() => {});
    changed.financialStatus = "refunded";
    changed.updatedAt = new Date(Date.now() - 7 * MINUTE);
    fresh.updatedAt = new Date(Date.now() - MINUTE);

    const result = await reconcileOrders(SHOP, admin);

    expect(result).toMatchObject({ inserted: 0, updated: 1 });
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(changed.id) } } })).financialStatus).toBe("refunded");
    expect(await prisma.order.count({ where: { shop: SHOP, id: String(fresh.id) } })).toBe(0);
    expect(await prisma.order.count({ where: { shop: SHOP, id: String(held.id) } })).toBe(1);
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(Date.now() - shop.ordersReconciledAt!.getTime()).toBeGreaterThanOrEqual(5 * MINUTE - 1_000);
  });

  it("reads every page of a busy window, and every line of a large order", async () => {
    const template = missedOrder(9 * MINUTE);
    const large = missedOrder(9 * MINUTE, { lineItems: Array.from({ length: 130 }, (_, i) => ({ ...template.lineItems[0], id: simulator.store.nextId(), quantity: 1 + (i % 3) })) });
    const orders = [template, large, missedOrder(9 * MINUTE)];
    await prisma.shop.update({ where: { domain: SHOP }, data: { ordersReconciledAt: new Date(Date.now() - 15 * MINUTE) } });
    const result = await reconcileOrders(SHOP, admin, { pageSize: 1 });
    expect(result.inserted).toBe(3);
    expect(await prisma.order.count({ where: { shop: SHOP, id: { in: orders.map((o) => String(o.id)) } } })).toBe(3);
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: String(large.id) } })).toBe(130);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("starts a shop's first look at its installation: orders from before are history, not missed deliveries", async () => {
    const before = missedOrder(50 * MINUTE);
    const after = missedOrder(20 * MINUTE);
    await prisma.shop.update({ where: { domain: SHOP }, data: { ordersReconciledAt: null, installedAt: new Date(Date.now() - 30 * MINUTE) } });
    await reconcileOrders(SHOP, admin);
    expect(await prisma.order.count({ where: { shop: SHOP, id: String(before.id) } })).toBe(0);
    expect(await prisma.order.count({ where: { shop: SHOP, id: String(after.id) } })).toBe(1);
  });

  it("applies a consent change whose webhook never came, and never an older one over a newer", async () => {
    const [unsubscribed, stale] = simulator.store.customers.filter((c) => c.marketingState === "SUBSCRIBED").slice(0, 2);
    const earlier = new Date(Date.now() - 3 * 3_600_000);
    for (const customer of [unsubscribed, stale]) {
      await prisma.customer.upsert({
        where: { shop_id: { shop: SHOP, id: String(customer.id) } },
        create: { shop: SHOP, id: String(customer.id), email: customer.email, emailMarketingState: "SUBSCRIBED", consentUpdatedAt: earlier },
        update: { emailMarketingState: "SUBSCRIBED", consentUpdatedAt: earlier },
      });
    }
    // In Shopify: one unsubscribed 10 minutes ago (the webhook was lost) ...
    unsubscribed.marketingState = "UNSUBSCRIBED";
    unsubscribed.marketingUpdatedAt = unsubscribed.updatedAt = new Date(Date.now() - 10 * MINUTE);
    // ... and one whose Shopify consent is older than what a later webhook told us.
    stale.marketingState = "NOT_SUBSCRIBED";
    stale.marketingUpdatedAt = new Date(earlier.getTime() - 3_600_000);
    stale.updatedAt = new Date(Date.now() - 10 * MINUTE);
    await prisma.shop.update({ where: { domain: SHOP }, data: { consentReconciledAt: new Date(Date.now() - 30 * MINUTE) } });

    const result = await reconcileConsent(SHOP, admin);

    expect(result.updated).toBe(1);
    expect(simulator.invalidQueries).toEqual([]);
    const rows = await prisma.customer.findMany({ where: { shop: SHOP, id: { in: [String(unsubscribed.id), String(stale.id)] } } });
    const state = Object.fromEntries(rows.map((r) => [r.id, r.emailMarketingState]));
    expect(state).toEqual({ [String(unsubscribed.id)]: "UNSUBSCRIBED", [String(stale.id)]: "SUBSCRIBED" });
  });

  it("applies a product change whose webhook never came: a sold-out product stops being available", async () => {
    const [soldOut, unknown] = simulator.store.products.filter((p) => p.status === "ACTIVE" && !p.giftCard && p.variants.some((v) => v.inventoryQuantity > 0)).slice(0, 2);
    await prisma.product.create({
      data: { shop: SHOP, id: String(soldOut.id), title: soldOut.title, available: true, status: "active", shopifyUpdatedAt: new Date(Date.now() - 3 * 3_600_000) },
    });
    for (const variant of soldOut.variants) variant.inventoryQuantity = 0;
    soldOut.updatedAt = new Date(Date.now() - 10 * MINUTE);
    unknown.updatedAt = new Date(Date.now() - 9 * MINUTE);
    await prisma.shop.update({ where: { domain: SHOP }, data: { productsReconciledAt: new Date(Date.now() - 30 * MINUTE) } });

    const result = await reconcileProducts(SHOP, admin);

    expect(result.updated).toBe(2);
    expect(simulator.invalidQueries).toEqual([]);
    expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(soldOut.id) } } })).toMatchObject({ available: false, status: "active", handle: soldOut.handle });
    expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(unknown.id) } } })).toMatchObject({ available: true, title: unknown.title, imageUrl: unknown.imageUrl });
    // A second look finds nothing newer than what it just stored.
    expect((await reconcileProducts(SHOP, admin, { now: new Date(Date.now() + 15 * MINUTE) })).updated).toBe(0);
  });

  it("a products/update at zero stock that cannot say whether the product is tracked asks the Admin API, once, half a minute later", async () => {
    const candidates = simulator.store.products.filter((p) => p.status === "ACTIVE" && !p.giftCard && p.variants.some((v) => v.inventoryQuantity > 0));
    const [soldOut, inStock] = candidates.slice(5, 7);
    for (const variant of soldOut.variants) variant.inventoryQuantity = 0; // tracked (the simulator tracks every product but gift cards)
    await prisma.product.create({ data: { shop: SHOP, id: String(soldOut.id), title: soldOut.title, available: true, status: "active", shopifyUpdatedAt: new Date(Date.now() - 3_600_000) } });
    await prisma.product.create({ data: { shop: SHOP, id: String(inStock.id), title: inStock.title, available: false, status: "active", shopifyUpdatedAt: new Date(Date.now() - 3_600_000) } });
    const zeroStock = (id: number) => {
      const sample = samplePayload("products/update");
      // The 2026-07 shape: no inventory_management on the variants.
      return { ...sample, id, status: "active", updated_at: new Date().toISOString(), variants: sample.variants.map((v: Record<string, unknown>) => ({ ...v, inventory_quantity: 0, inventory_policy: "deny" })) };
    };
    for (const product of [soldOut, inStock]) {
      await deliver({ shop: SHOP, topic: "products/update", body: zeroStock(product.id) });
      await deliver({ shop: SHOP, topic: "products/update", body: { ...zeroStock(product.id), updated_at: new Date(Date.now() + 1_000).toISOString() } });
    }
    await drainJobs();
    const keys = [soldOut, inStock].map((product) => `product-details:${SHOP}:${product.id}`);
    const { rows } = await pool.query(`SELECT key, run_at FROM graphile_worker.jobs WHERE key = ANY($1::text[])`, [keys]);
    expect(rows).toHaveLength(2); // one per product for the two updates
    expect(rows.every((row) => row.run_at.getTime() > Date.now() + 20_000)).toBe(true);
    // Until then, the silence changes nothing.
    const held = async (id: number) => (await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } })).available;
    expect([await held(soldOut.id), await held(inStock.id)]).toEqual([true, false]);

    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = ANY($1::text[])`, [keys]);
    await drainJobs();
    expect(simulator.invalidQueries).toEqual([]);
    expect([await held(soldOut.id), await held(inStock.id)]).toEqual([false, true]);
  });

  it("a product first seen through products/update gets what only the Admin API knows: collections, storefront URL, first variant for sale", async () => {
    const candidates = simulator.store.products.filter((p) => p.status === "ACTIVE" && !p.giftCard && p.variants.length > 1 && p.variants.some((v) => v.inventoryQuantity > 0));
    const product = candidates.find((p) => p.variants[0].inventoryQuantity > 0)!;
    await prisma.product.deleteMany({ where: { shop: SHOP, id: String(product.id) } });
    product.variants[0].inventoryQuantity = 0; // sold out: the first variant for sale is another
    const sample = samplePayload("products/update");
    await deliver({ shop: SHOP, topic: "products/update", body: { ...sample, id: product.id, handle: product.handle, status: "active", updated_at: new Date().toISOString() } });
    await drainJobs();
    const held = () => prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(product.id) } } });
    expect(await held()).toMatchObject({ collections: [], variantId: null, url: null });

    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`product-details:${SHOP}:${product.id}`]);
    await drainJobs();
    expect(simulator.invalidQueries).toEqual([]);
    expect(await held()).toMatchObject({
      collections: [product.theme],
      variantId: String(product.variants.find((v) => v.inventoryQuantity > 0)!.id),
      url: `https://${SHOP}/products/${product.handle}`,
    });
  });

  it("runs every 15 minutes on the crontab, one job per installed shop", async () => {
    const [item] = parseCrontab(crontab()).filter((entry) => entry.task === RECONCILE_SHOPS_TASK);
    expect(item.match({ min: 45, hour: 3, date: 2, month: 12, dow: 3 })).toBe(true);
    expect(item.match({ min: 50, hour: 3, date: 2, month: 12, dow: 3 })).toBe(false);
    await prisma.shop.create({ data: { domain: "gone.myshopify.com", uninstalledAt: new Date() } });
    expect(await enqueueForInstalledShops(RECONCILE_SHOP_TASK)).toBe(1);
    expect(await enqueueForInstalledShops(RECONCILE_SHOP_TASK)).toBe(1);
    const { rows } = await pool.query(
      `SELECT j.key, j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1`,
      [RECONCILE_SHOP_TASK],
    );
    expect(rows).toEqual([{ key: `${RECONCILE_SHOP_TASK}:${SHOP}`, payload: { shop: SHOP } }]);
    // And the job runs through the app's own Admin client.
    await drainJobs();
    expect((await pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1`, [RECONCILE_SHOP_TASK])).rows[0].n).toBe(0);
  });

  describe("deleted products whose products/delete never came", () => {
    /** Every product the simulator lists, stored as our webhooks would have left it an hour ago. */
    async function holdCatalog() {
      for (const product of simulator.store.products) {
        const normalized = normalizeProduct(simulator.payloads.product(product), simulator.store.shop.currency);
        await prisma.$transaction((tx) => saveProduct(tx, SHOP, { ...normalized, updatedAt: new Date(Date.now() - 60 * MINUTE) }));
      }
    }
    const live = async () => (await prisma.product.findMany({ where: { shop: SHOP, deletedAt: null }, select: { id: true } })).map((p) => p.id).sort();
    const deletedIds = async () => (await prisma.product.findMany({ where: { shop: SHOP, NOT: { deletedAt: null } }, select: { id: true } })).map((p) => p.id).sort();

    it("marks deleted what Shopify no longer lists, page by page in id order, and leaves alone what changed in the last minutes", async () => {
      await holdCatalog();
      const products = simulator.store.products;
      const [first, middle, last, recent] = [products[0], products[Math.floor(products.length / 2)], products[products.length - 1], products[3]];
      // Deleted in Shopify, webhooks lost: the first, one in the middle, the very last (beyond every listed page).
      for (const gone of [first, middle, last, recent]) products.splice(products.indexOf(gone), 1);
      // One we heard of two minutes ago may just not be listed yet: left for tomorrow.
      await pool.query(`UPDATE product SET shopify_updated_at = now() - interval '2 minutes' WHERE shop = $1 AND id = $2`, [SHOP, String(recent.id)]);
      await pool.query(`DELETE FROM graphile_worker._private_jobs`);
      const before = simulator.graphqlRequests.length;

      const result = await reconcileDeletedProducts(SHOP, admin, { pageSize: 7 });

      expect(simulator.invalidQueries).toEqual([]);
      expect(result).toEqual({ listed: products.length, deleted: 3 });
      expect(simulator.graphqlRequests.length - before).toBe(Math.ceil(products.length / 7));
      expect(await deletedIds()).toEqual([first, middle, last].map((p) => String(p.id)).sort());
      expect(await live()).toEqual([...products.map((p) => String(p.id)), String(recent.id)].sort());
      expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(middle.id) } } })).toMatchObject({ status: "deleted", available: false });
      // The recommendation model hears of it (lists and metafields drop the product).
      const { rows } = await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`recs-update:${SHOP}`]);
      expect(rows.length).toBe(1);
      // Nothing else is missing: a second sweep marks nothing.
      expect(await reconcileDeletedProducts(SHOP, admin, { pageSize: 250 })).toEqual({ listed: products.length, deleted: 0 });
      products.push(first, middle, last, recent);
      products.sort((a, b) => a.id - b.id);
    });

    it("a products/update already on its way when the product was deleted does not bring it back; a later change does", async () => {
      const product = simulator.store.products[5];
      await pool.query(`UPDATE product SET deleted_at = now() - interval '1 minute', status = 'deleted' WHERE shop = $1 AND id = $2`, [SHOP, String(product.id)]);
      const normalized = normalizeProduct(simulator.payloads.product(product), simulator.store.shop.currency);
      const late = { ...normalized, updatedAt: new Date(Date.now() - 2 * MINUTE) };
      expect(await prisma.$transaction((tx) => saveProduct(tx, SHOP, late))).toBe("stale");
      expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(product.id) } } })).deletedAt).not.toBeNull();
      expect(await prisma.$transaction((tx) => saveProduct(tx, SHOP, { ...normalized, updatedAt: new Date() }))).toBe("updated");
      expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(product.id) } } })).toMatchObject({ deletedAt: null, status: "active" });
    });

    it("waits out Shopify's rate limit instead of failing: two sweeps share a 40-point bucket", async () => {
      await holdCatalog();
      const victim = simulator.store.products.splice(10, 1)[0];
      simulator.setThrottle({ maximum: 40, restoreRate: 400 });
      const before = simulator.graphqlRequests.length;
      try {
        const [a, b] = await Promise.all([reconcileDeletedProducts(SHOP, admin, { pageSize: 10 }), reconcileDeletedProducts(SHOP, admin, { pageSize: 10 })]);
        expect([a, b].map((r) => r?.listed)).toEqual([simulator.store.products.length, simulator.store.products.length]);
        expect(a!.deleted + b!.deleted).toBe(1);
      } finally {
        simulator.setThrottle({ maximum: 2000, restoreRate: 1000 });
        simulator.store.products.push(victim);
        simulator.store.products.sort((x, y) => x.id - y.id);
      }
      const requests = simulator.graphqlRequests.slice(before);
      expect(requests.some((entry) => entry.errors.includes("Throttled"))).toBe(true);
      expect(await deletedIds()).toContain(String(victim.id));
    });

    it("runs once a day on the crontab, one job per installed shop, through the app's own Admin client", async () => {
      const [item] = parseCrontab(crontab()).filter((entry) => entry.task === RECONCILE_DELETIONS_TASK);
      expect(item.match({ min: 40, hour: 3, date: 2, month: 12, dow: 3 })).toBe(true);
      expect(item.match({ min: 40, hour: 4, date: 2, month: 12, dow: 3 })).toBe(false);
      expect(await enqueueForInstalledShops(RECONCILE_SHOP_DELETIONS_TASK)).toBe(1);
      await drainJobs();
      expect((await pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1`, [RECONCILE_SHOP_DELETIONS_TASK])).rows[0].n).toBe(0);
    });
  });
});
