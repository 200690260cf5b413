import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { createSimulator, type Simulator } from "../../simulator/index";
import { appConfigScopes, deliver, drainAllJobs } from "../support/shopify";
import { adminQueryErrors } from "../support/admin-schema";

const SHOP = "recs-shop.myshopify.com";
let simulator: Simulator;

beforeAll(async () => {
  // The app's tokens carry the scopes shopify.app.toml requests (12 months of orders need read_all_orders).
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP, scopes: appConfigScopes(), throttle: { maximum: 2000, restoreRate: 1000 } });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
  const { sessionStorage } = await import("../../app/shopify.server");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: simulator.issueAccessToken(), scope: "read_orders,read_products,write_products" }));
  const { default: prisma } = await import("../../app/db.server");
  await prisma.shop.create({ data: { domain: SHOP, name: "Recs", currency: "USD" } });
  const { enqueueBackfill } = await import("../../app/recommendations/jobs.server");
  const { prismaSql } = await import("../../app/jobs/queue.server");
  await enqueueBackfill(prismaSql(prisma), SHOP);
  await drainAllJobs();
}, 120_000);

afterAll(async () => {
  await simulator?.stop();
});

const productByHandle = (handle: string) => simulator.store.products.find((p) => p.handle === handle)!;
/** Shopify-shaped line items, one per product, ids from `firstLineId`. */
const lineItems = (products: ReturnType<typeof productByHandle>[], firstLineId: number) =>
  products.map((p, k) => ({ id: firstLineId + k, product_id: p.id, variant_id: p.variants[0].id, title: p.title, quantity: 1, price: "10.00" }));

describe("backfill through bulk operations", () => {
  it("imports the catalog and 12 months of orders, builds recommendations and reports status", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const status = await prisma.recommendationStatus.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(status.state).toBe("ready");
    expect(await prisma.product.count({ where: { shop: SHOP } })).toBe(simulator.store.products.length);
    const expectedOrders = simulator.store.orders.filter((o) => o.createdAt.getTime() >= Date.now() - 365 * 86_400_000).length;
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(expectedOrders);
    expect(status.ordersCovered).toBeGreaterThan(2500);
    expect(status.productsCovered).toBeGreaterThan(50);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("recommends thematically related products, never the product itself, drafts, archived, sold out or gift cards", async () => {
    const { recommendationsFor } = await import("../../app/recommendations/service.server");
    const candles = productByHandle("birthday-candles-24");
    const recs = await recommendationsFor(SHOP, String(candles.id));
    expect(recs.length).toBe(12);
    const byId = new Map(simulator.store.products.map((p) => [String(p.id), p]));
    const top5 = recs.slice(0, 5).map((r) => byId.get(r.recommendedProductId)!);
    expect(top5.filter((p) => ["birthday", "cake", "celebration", "kids"].includes(p.theme)).length).toBeGreaterThanOrEqual(4);
    for (const rec of recs) {
      const product = byId.get(rec.recommendedProductId)!;
      expect(rec.recommendedProductId).not.toBe(String(candles.id));
      expect(product.status).toBe("ACTIVE");
      expect(product.giftCard).toBe(false);
      expect(product.variants.some((v) => v.inventoryQuantity > 0)).toBe(true);
    }
    expect(recs[0].source).toBe("copurchase");
  });

  it("writes the top K to the app-owned list.product_reference metafield, batched, and not again when unchanged", async () => {
    const metafields = simulator.store.metafields.filter((m) => m.key === "also_bought");
    expect(metafields.length).toBeGreaterThan(50);
    expect(metafields[0].type).toBe("list.product_reference");
    expect(metafields[0].namespace).toMatch(/^app--\d+--pathwise$/);
    const calls = simulator.graphqlRequests.filter((r) => r.query.includes("metafieldsSet"));
    expect(calls.every((call) => (call.variables?.metafields as unknown[]).length <= 25)).toBe(true);
    const { default: prisma } = await import("../../app/db.server");
    const { addJob, prismaSql } = await import("../../app/jobs/queue.server");
    await addJob(prismaSql(prisma), "recs.sync-metafields", { shop: SHOP });
    await drainAllJobs();
    expect(simulator.graphqlRequests.filter((r) => r.query.includes("metafieldsSet")).length).toBe(calls.length);
  });

  it("sends only queries valid against the Admin schema", async () => {
    const { PRODUCTS_BULK_QUERY, ordersBulkQuery, BULK_RUN_MUTATION, BULK_STATUS_QUERY } = await import("../../app/recommendations/bulk.server");
    const { METAFIELDS_SET, METAFIELDS_DELETE } = await import("../../app/recommendations/jobs.server");
    for (const query of [PRODUCTS_BULK_QUERY, ordersBulkQuery(new Date()), BULK_RUN_MUTATION, BULK_STATUS_QUERY, METAFIELDS_SET, METAFIELDS_DELETE]) expect(adminQueryErrors(query)).toEqual([]);
  });
});

describe("incremental updates, overrides and fallbacks", () => {
  it("a new order updates the lists of the products it contains", async () => {
    const { recommendationsFor } = await import("../../app/recommendations/service.server");
    const wig = productByHandle("silver-wig");
    const cake = productByHandle("vanilla-sprinkle-cake");
    const before = (await recommendationsFor(SHOP, String(wig.id))).map((r) => r.recommendedProductId);
    expect(before.slice(0, 3)).not.toContain(String(cake.id));
    const { samplePayload } = await import("../support/shopify");
    for (let i = 0; i < 25; i++) {
      await deliver({
        shop: SHOP,
        topic: "orders/create",
        body: {
          ...samplePayload("orders/create"),
          id: 990_000 + i,
          cancelled_at: null,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
          line_items: lineItems([wig, cake], 880_000 + i * 2),
        },
      });
    }
    await drainAllJobs();
    const after = (await recommendationsFor(SHOP, String(wig.id))).map((r) => r.recommendedProductId);
    expect(after.slice(0, 3)).toContain(String(cake.id));
  });

  it("orders the model counted and then cancelled are taken back by a rebuild a few minutes later", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { recommendationsFor } = await import("../../app/recommendations/service.server");
    const { samplePayload } = await import("../support/shopify");
    const wig = productByHandle("silver-wig");
    const cake = productByHandle("vanilla-sprinkle-cake");
    const counted = (await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).ordersCovered;
    expect((await recommendationsFor(SHOP, String(wig.id))).slice(0, 3).map((r) => r.recommendedProductId)).toContain(String(cake.id));
    const cancelledAt = new Date().toISOString();
    const createdAt = async (id: number) => (await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } })).shopifyCreatedAt.toISOString();
    for (let i = 0; i < 25; i++) {
      await deliver({
        shop: SHOP,
        topic: "orders/updated",
        body: {
          ...samplePayload("orders/updated"),
          id: 990_000 + i,
          cancelled_at: cancelledAt,
          cancel_reason: "inventory",
          created_at: await createdAt(990_000 + i),
          updated_at: cancelledAt,
          line_items: lineItems([wig, cake], 880_000 + i * 2),
        },
      });
    }
    const { drainJobs } = await import("../support/shopify");
    await drainJobs(); // the deliveries, not the delayed rebuild
    const { rows } = await pool.query(`SELECT run_at FROM graphile_worker._private_jobs WHERE key = $1`, [`recs.refresh:${SHOP}`]);
    expect(rows).toHaveLength(1); // one rebuild for the burst, a few minutes out
    expect(rows[0].run_at.getTime()).toBeGreaterThan(Date.now() + 60_000);
    await drainAllJobs();
    expect((await recommendationsFor(SHOP, String(wig.id))).slice(0, 3).map((r) => r.recommendedProductId)).not.toContain(String(cake.id));
    expect((await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).ordersCovered).toBe(counted - 25);
    // A later update of an order already cancelled changes nothing the model counts: no rebuild.
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...samplePayload("orders/updated"), id: 990_000, cancelled_at: cancelledAt, created_at: await createdAt(990_000), updated_at: new Date().toISOString(), line_items: [] } });
    await drainJobs();
    expect((await pool.query(`SELECT 1 FROM graphile_worker._private_jobs WHERE key = $1`, [`recs.refresh:${SHOP}`])).rows).toHaveLength(0);
  });

  it("updates and rebuilds of one shop's model take turns: concurrent runs never count an order twice", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { rebuildRecommendations, updateRecommendations } = await import("../../app/recommendations/service.server");
    const { samplePayload } = await import("../support/shopify");
    const [hat, web] = [productByHandle("witch-hat"), productByHandle("spider-web-decor")];
    const counted = (await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).ordersCovered;
    for (let i = 0; i < 10; i++) {
      const at = new Date(Date.now() + i).toISOString();
      await deliver({
        shop: SHOP,
        topic: "orders/create",
        body: { ...samplePayload("orders/create"), id: 991_000 + i, cancelled_at: null, created_at: at, updated_at: at, line_items: lineItems([hat, web], 881_000 + i * 2) },
      });
    }
    const { drainJobs } = await import("../support/shopify");
    await drainJobs(); // the deliveries; the debounced update waits, and is dropped
    await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE key = $1`, [`recs-update:${SHOP}`]);
    // The updates start from the same stored model: unserialized, each would apply the ten orders.
    await Promise.all([updateRecommendations(SHOP), updateRecommendations(SHOP), updateRecommendations(SHOP)]);
    const updated = await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(updated.ordersCovered).toBe(counted + 10);
    const { orders } = await rebuildRecommendations(SHOP);
    expect(orders).toBe(counted + 10);
  });

  it("an order deleted in Shopify stops counting: a rebuild follows, and the order stays a tombstone without lines", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const counted = (await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).ordersCovered;
    await deliver({ shop: SHOP, topic: "orders/delete", body: simulator.payloads.orderDelete({ id: 991_000 }) });
    await drainAllJobs();
    expect((await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).ordersCovered).toBe(counted - 1);
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: "991000" } })).toBe(0);
  });

  it("the nightly refresh rebuilds every installed shop's model, and leaves one alone while its backfill runs", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { parseCrontab } = await import("graphile-worker");
    const { crontab } = await import("../../app/jobs/tasks.server");
    expect(parseCrontab(crontab()).map((item) => item.identifier)).toContain("recs-refresh-all");
    const { enqueueForInstalledShops } = await import("../../app/shops/shops.server");
    const builtAt = async () => (await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } })).updatedAt.getTime();

    const before = await builtAt();
    expect(await enqueueForInstalledShops("recs.refresh")).toBe(1);
    await drainAllJobs();
    expect(await builtAt()).toBeGreaterThan(before);

    // A backfill underway (its next step waiting) will rebuild when it is done: the refresh skips.
    const { addJob } = await import("../../app/jobs/queue.server");
    await addJob(pool, "recs.backfill", { shop: SHOP, step: "start-products" }, { jobKey: `recs-backfill:${SHOP}`, runAt: new Date(Date.now() + 3_600_000) });
    const skippedFrom = await builtAt();
    await enqueueForInstalledShops("recs.refresh");
    const { drainJobs } = await import("../support/shopify");
    await drainJobs(); // due jobs only: the backfill step an hour out stays
    expect(await builtAt()).toBe(skippedFrom);
    await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE key = $1`, [`recs-backfill:${SHOP}`]);
  });

  it("pins come first and exclusions never show", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { rebuildRecommendations, recommendationsFor } = await import("../../app/recommendations/service.server");
    const hats = productByHandle("party-hats-8");
    const before = await recommendationsFor(SHOP, String(hats.id));
    const pinned = String(productByHandle("disco-ball").id);
    const excluded = before[0].recommendedProductId;
    await prisma.recommendationOverride.create({ data: { shop: SHOP, productId: String(hats.id), pinned: [pinned], excluded: [excluded] } });
    await rebuildRecommendations(SHOP);
    const after = await recommendationsFor(SHOP, String(hats.id));
    expect(after[0]).toMatchObject({ recommendedProductId: pinned, source: "pinned" });
    expect(after.map((r) => r.recommendedProductId)).not.toContain(excluded);
  });

  it("a product without history falls back to its collection, product type, then best sellers, with the source recorded", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { rebuildRecommendations, recommendationsFor } = await import("../../app/recommendations/service.server");
    await prisma.product.create({ data: { shop: SHOP, id: "424242", title: "New Glitter Balloons", productType: "Balloons", collections: ["birthday"], status: "active", available: true } });
    await rebuildRecommendations(SHOP);
    const recs = await recommendationsFor(SHOP, "424242");
    expect(recs.length).toBe(12);
    expect(new Set(recs.map((r) => r.source))).toContain("collection");
    expect(recs.every((r) => r.source !== "copurchase")).toBe(true);
  });

  it("a model stored by the previous engine (another format) is rebuilt from the orders instead of failing", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { gzipSync, gunzipSync } = await import("node:zlib");
    const { updateRecommendations } = await import("../../app/recommendations/service.server");
    const legacy = { options: { halfLifeDays: 90, shrinkage: 3, maxBasket: 40, epoch: 0 }, latestMs: 0, ids: ["1"], itemWeight: [1], pairs: [] };
    await prisma.recommendationModel.update({ where: { shop: SHOP }, data: { state: new Uint8Array(gzipSync(JSON.stringify(legacy))) } });
    const result = await updateRecommendations(SHOP);
    expect(result.orders).toBeGreaterThan(2500);
    const stored = await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } });
    const state = JSON.parse(gunzipSync(stored.state).toString()) as { header: { version: number }; pairs: unknown[] };
    expect(state.header.version).toBe(1);
    expect(state.pairs.length).toBeGreaterThan(100);
  });
});

describe("app proxy: recommendations for a whole cart", () => {
  it("verifies Shopify's proxy signature and answers from precomputed lists, excluding the cart", async () => {
    const { loader } = await import("../../app/routes/apps.pathwise.recommendations");
    const cart = [productByHandle("chocolate-party-cake"), productByHandle("gold-number-balloons")].map((p) => String(p.id));
    const call = async (url: string) => {
      try {
        return await loader({ request: new Request(url), params: {}, context: {} } as never);
      } catch (thrown) {
        return thrown as Response;
      }
    };
    const signed = simulator.appProxyUrl("/recommendations", { product_ids: cart.join(","), limit: "4" }).replace("http://127.0.0.1:9", process.env.SHOPIFY_APP_URL!);
    const ok = await call(signed);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { products: Array<{ id: string; price: string; url: string; variant_id: string }> };
    expect(body.products).toHaveLength(4);
    expect(body.products.some((p) => cart.includes(p.id))).toBe(false);
    expect(body.products[0].price).toMatch(/^\$/);
    expect((await call(signed.replace("limit=4", "limit=5"))).status).toBe(400);
    const unsigned = new URL(signed);
    unsigned.searchParams.delete("signature");
    expect((await call(unsigned.toString())).status).toBe(400);
  });

  it("answers the same over real HTTP on the server's fast path, and refuses a tampered query", async () => {
    const { createServer } = await import("node:http");
    const { cartRecommendationsHandler, isCartRecommendationsRequest } = await import("../../server/fast-paths");
    const server = createServer((req, res) => {
      if (isCartRecommendationsRequest(req)) void cartRecommendationsHandler(req, res);
      else res.writeHead(404).end();
    }).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const cart = [productByHandle("chocolate-party-cake")].map((p) => String(p.id));
      const signed = simulator.appProxyUrl("/recommendations", { product_ids: cart.join(","), limit: "3" }).replace("http://127.0.0.1:9", origin);
      const ok = await fetch(signed);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toMatch(/application\/json/);
      expect(ok.headers.get("cache-control")).toBe("private, max-age=60");
      const text = await ok.text();
      expect(Number(ok.headers.get("content-length"))).toBe(Buffer.byteLength(text));
      const body = JSON.parse(text) as { products: Array<{ id: string }> };
      expect(body.products).toHaveLength(3);
      expect(body.products.some((p) => cart.includes(p.id))).toBe(false);
      expect((await fetch(signed.replace("limit=3", "limit=2"))).status).toBe(400);
      expect((await fetch(signed, { method: "HEAD" })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const sellable = (exclude: string[]) =>
    simulator.store.products.find((p) => p.status === "ACTIVE" && !p.giftCard && p.variants.some((v) => v.inventoryQuantity > 0) && !exclude.includes(String(p.id)))!;

  it("answers from the lists in memory and follows lists stored in this process at once", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { rebuildRecommendations } = await import("../../app/recommendations/service.server");
    const { cartRecommendations } = await import("../../app/recommendations/storefront.server");
    const cart = String(productByHandle("gold-number-balloons").id);
    const before = (await cartRecommendations(SHOP, [cart], 4)).map((p) => p.id);
    expect(before).toHaveLength(4);
    const pin = String(sellable([cart, ...before]).id);
    await prisma.recommendationOverride.upsert({ where: { shop_productId: { shop: SHOP, productId: cart } }, create: { shop: SHOP, productId: cart, pinned: [pin] }, update: { pinned: [pin], excluded: [] } });
    await rebuildRecommendations(SHOP);
    expect((await cartRecommendations(SHOP, [cart], 4))[0].id).toBe(pin);
  });

  it("picks up lists another process (the worker) stored, through the version check, without waiting on it", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { cartRecommendations } = await import("../../app/recommendations/storefront.server");
    const cart = String(productByHandle("vanilla-sprinkle-cake").id);
    const before = (await cartRecommendations(SHOP, [cart], 4)).map((p) => p.id);
    const chosen = String(sellable([cart, ...before]).id);
    // What the worker's storeRecommendations does, seen from here: new rows, then the version moves.
    await prisma.productRecommendation.deleteMany({ where: { shop: SHOP, productId: cart } });
    await prisma.productRecommendation.create({ data: { shop: SHOP, productId: cart, rank: 0, recommendedProductId: chosen, score: 1, source: "pinned" } });
    await prisma.recommendationStatus.update({ where: { shop: SHOP }, data: { lastComputedAt: new Date() } });
    expect((await cartRecommendations(SHOP, [cart], 4)).map((p) => p.id)).toEqual(before); // still the copy in memory
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await cartRecommendations(SHOP, [cart], 4); // starts the background check
    await expect.poll(async () => (await cartRecommendations(SHOP, [cart], 4)).map((p) => p.id), { timeout: 5_000 }).toEqual([chosen]);
  });
});

describe("the merchant's recommendations page (embedded admin, session token)", () => {
  const adminRequest = (path: string, init?: RequestInit) => {
    const url = new URL(`${process.env.SHOPIFY_APP_URL}${path}`);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", SHOP);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/recs-shop`).toString("base64url"));
    url.searchParams.set("id_token", simulator.createSessionToken());
    return new Request(url, { ...init, headers: { "user-agent": "Mozilla/5.0 Chrome/130", authorization: `Bearer ${simulator.createSessionToken()}`, ...(init?.headers ?? {}) } });
  };

  it("shows status, a product's list with scores and sources, and refuses bad overrides on the field", async () => {
    const { loader, action } = await import("../../app/routes/app.recommendations");
    const cake = String(productByHandle("chocolate-party-cake").id);
    const data = (await loader({ request: adminRequest(`/app/recommendations?product=${cake}`), params: {}, context: {} } as never)) as Awaited<ReturnType<typeof loader>>;
    expect(data.status?.state).toBe("ready");
    expect(data.recommendations.length).toBe(12);
    expect(data.recommendations[0]).toMatchObject({ source: expect.any(String), score: expect.any(Number), title: expect.any(String) });

    const bad = new FormData();
    bad.set("intent", "overrides");
    bad.set("productId", cake);
    bad.set("pinned", "abc, 12");
    bad.set("excluded", "999999999");
    const refused = (await action({ request: adminRequest(`/app/recommendations?product=${cake}`, { method: "POST", body: bad }), params: {}, context: {} } as never)) as { ok: boolean; errors?: Record<string, string> };
    expect(refused.ok).toBe(false);
    expect(refused.errors?.pinned).toMatch(/numeric/);

    const good = new FormData();
    good.set("intent", "overrides");
    good.set("productId", cake);
    good.set("pinned", String(productByHandle("cake-knife-set").id));
    good.set("excluded", "");
    const saved = (await action({ request: adminRequest(`/app/recommendations?product=${cake}`, { method: "POST", body: good }), params: {}, context: {} } as never)) as { ok: boolean };
    expect(saved.ok).toBe(true);
    await drainAllJobs();
    const { recommendationsFor } = await import("../../app/recommendations/service.server");
    expect((await recommendationsFor(SHOP, cake))[0]).toMatchObject({ recommendedProductId: String(productByHandle("cake-knife-set").id), source: "pinned" });
  });
});

describe("a recompute after webhooks changed the catalog", () => {
  it("a recompute's export, a snapshot older than what webhooks brought since, keeps the newer state and a deletion, and still refreshes what only the export knows", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { enqueueBackfill } = await import("../../app/recommendations/jobs.server");
    const { prismaSql } = await import("../../app/jobs/queue.server");
    const soldOut = String(productByHandle("chocolate-party-cake").id);
    const deleted = String(productByHandle("cake-knife-set").id);
    // Since the export's snapshot: a products/update sold one out, a products/delete removed another.
    await prisma.product.update({ where: { shop_id: { shop: SHOP, id: soldOut } }, data: { available: false, collections: [], shopifyUpdatedAt: new Date() } });
    await prisma.product.update({ where: { shop_id: { shop: SHOP, id: deleted } }, data: { status: "deleted", available: false, deletedAt: new Date() } });

    await enqueueBackfill(prismaSql(prisma), SHOP);
    await drainAllJobs();

    expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: soldOut } } })).toMatchObject({ available: false, collections: ["cake"] });
    expect(await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: deleted } } })).toMatchObject({ status: "deleted", deletedAt: expect.any(Date) });
  });
});

describe("catalog changes reach the lists and the storefront before the nightly rebuild", () => {
  /** The product recommended in the most lists, and how many. */
  const mostRecommended = async (exclude: string[] = []) => {
    const { pool } = await import("../../app/db.server");
    const { rows } = await pool.query<{ id: string; n: number }>(
      `SELECT r.recommended_product_id AS id, count(*)::int AS n FROM product_recommendation r JOIN product p ON p.shop = r.shop AND p.id = r.recommended_product_id
       WHERE r.shop = $1 AND p.status = 'active' AND p.deleted_at IS NULL AND NOT (r.recommended_product_id = ANY($2::text[]))
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
      [SHOP, exclude],
    );
    return rows[0];
  };
  const storefrontListsWith = (id: string) => simulator.store.metafields.filter((m) => m.key === "also_bought" && m.value.includes(`"gid://shopify/Product/${id}"`)).length;
  /** What Shopify does on deleting a product: the product goes, and the metafields it owns with it. */
  const deleteInShopify = (product: ReturnType<typeof productByHandle>) => {
    simulator.store.products.splice(simulator.store.products.indexOf(product), 1);
    simulator.store.metafields = simulator.store.metafields.filter((m) => m.ownerId !== `gid://shopify/Product/${product.id}`);
  };
  const listsWith = async (id: string) => {
    const { default: prisma } = await import("../../app/db.server");
    return prisma.productRecommendation.count({ where: { shop: SHOP, recommendedProductId: id } });
  };

  it("a products/delete takes the product out of every list and every storefront metafield", async () => {
    // The recompute test above deleted one in our store only: Shopify has deleted it too.
    const { default: prisma } = await import("../../app/db.server");
    const knives = productByHandle("cake-knife-set");
    if ((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(knives.id) } } })).deletedAt) deleteInShopify(knives);
    await drainAllJobs();
    const top = await mostRecommended();
    expect(top.n).toBeGreaterThan(5);
    expect(storefrontListsWith(top.id)).toBeGreaterThan(5);
    const product = simulator.store.products.find((p) => String(p.id) === top.id)!;
    deleteInShopify(product);
    await deliver({ shop: SHOP, topic: "products/delete", body: simulator.payloads.productDelete(product) });
    await drainAllJobs();
    expect(await listsWith(top.id)).toBe(0);
    expect(storefrontListsWith(top.id)).toBe(0);
  });

  it("a products/update to draft whose Shopify updated_at is older than the model's last save still takes the product out", async () => {
    const { default: prisma } = await import("../../app/db.server");
    await drainAllJobs();
    const top = await mostRecommended();
    expect(top.n).toBeGreaterThan(5);
    const stored = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: top.id } } });
    const model = await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } });
    // Made in Shopify before our last save, delivered after it (webhooks arrive late).
    const changedAt = new Date(model.updatedAt.getTime() - 1_000);
    expect(changedAt.getTime()).toBeGreaterThan(stored.shopifyUpdatedAt!.getTime());
    const product = simulator.store.products.find((p) => String(p.id) === top.id)!;
    Object.assign(product, { status: "DRAFT", updatedAt: changedAt });
    await deliver({ shop: SHOP, topic: "products/update", body: simulator.payloads.product(product) });
    await drainAllJobs();
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: top.id } } })).status).toBe("draft");
    expect(await listsWith(top.id)).toBe(0);
    expect(storefrontListsWith(top.id)).toBe(0);
  });

  it("saving pins leaves Shopify's updated_at alone: a products/update made in Shopify before the save still applies", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { saveOverrides } = await import("../../app/recommendations/admin.server");
    const { recommendationsFor } = await import("../../app/recommendations/service.server");
    const [hat, web] = [productByHandle("witch-hat"), productByHandle("spider-web-decor")];
    const stored = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(hat.id) } } });
    const editedAt = new Date(); // the merchant renames it in Shopify, then pins in the app
    await new Promise((resolve) => setTimeout(resolve, 20));
    const form = new FormData();
    form.set("productId", String(hat.id));
    form.set("pinned", String(web.id));
    form.set("excluded", "");
    expect(await saveOverrides(SHOP, form)).toEqual({ ok: true });
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(hat.id) } } })).shopifyUpdatedAt).toEqual(stored.shopifyUpdatedAt);
    Object.assign(hat, { title: "Witch Hat (deluxe)", updatedAt: editedAt });
    await deliver({ shop: SHOP, topic: "products/update", body: simulator.payloads.product(hat) });
    await drainAllJobs();
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(hat.id) } } })).title).toBe("Witch Hat (deluxe)");
    expect((await recommendationsFor(SHOP, String(hat.id)))[0]).toMatchObject({ recommendedProductId: String(web.id), source: "pinned" });
  });

  it("a list whose metafield write failed is written again once the list changes, and not retried while it stays the same", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { saveOverrides } = await import("../../app/recommendations/admin.server");
    const { addJob, prismaSql } = await import("../../app/jobs/queue.server");
    await drainAllJobs();
    const [wig, balloons, disco] = [productByHandle("silver-wig"), productByHandle("gold-number-balloons"), productByHandle("disco-ball")];
    const pin = async (id: number) => {
      const form = new FormData();
      form.set("productId", String(wig.id));
      form.set("pinned", String(id));
      form.set("excluded", "");
      expect(await saveOverrides(SHOP, form)).toEqual({ ok: true });
      await drainAllJobs();
    };
    const writesFor = () => simulator.graphqlRequests.filter((r) => r.query.includes("metafieldsSet") && JSON.stringify(r.variables).includes(`"gid://shopify/Product/${wig.id}"`)).length;
    const storefrontList = () => JSON.parse(simulator.store.metafields.find((m) => m.key === "also_bought" && m.ownerId === `gid://shopify/Product/${wig.id}`)?.value ?? "[]") as string[];
    // Shopify refuses the write once (here: the owner is briefly unknown to it).
    const index = simulator.store.products.indexOf(wig);
    simulator.store.products.splice(index, 1);
    await pin(balloons.id);
    expect((await prisma.recommendationSync.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: String(wig.id) } } })).error).toMatch(/Owner does not exist/);
    // The same list is not tried again on every sync.
    const tried = writesFor();
    await addJob(prismaSql(prisma), "recs.sync-metafields", { shop: SHOP });
    await drainAllJobs();
    expect(writesFor()).toBe(tried);
    // A changed list is written, and the error cleared.
    simulator.store.products.splice(index, 0, wig);
    await pin(disco.id);
    expect(storefrontList()[0]).toBe(`gid://shopify/Product/${disco.id}`);
    expect(await prisma.recommendationSync.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: String(wig.id) } } })).toMatchObject({ error: null });
  });

  it("a list that becomes empty deletes the storefront metafield instead of leaving the old list there", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { addJob, prismaSql } = await import("../../app/jobs/queue.server");
    const { createHash } = await import("node:crypto");
    await drainAllJobs();
    const owner = String(productByHandle("gold-number-balloons").id);
    const storefront = () => simulator.store.metafields.filter((m) => m.key === "also_bought" && m.ownerId === `gid://shopify/Product/${owner}`);
    expect(storefront()).toHaveLength(1);
    // What a ranking leaves for a product with nothing left to recommend (everything else sold out, say): no rows, the empty list's hash.
    const emptyHash = createHash("sha1").update("").digest("hex");
    await prisma.productRecommendation.deleteMany({ where: { shop: SHOP, productId: owner } });
    await prisma.recommendationSync.update({ where: { shop_productId: { shop: SHOP, productId: owner } }, data: { listHash: emptyHash } });
    await addJob(prismaSql(prisma), "recs.sync-metafields", { shop: SHOP });
    await drainAllJobs();
    expect(storefront()).toEqual([]);
    expect(await prisma.recommendationSync.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: owner } } })).toMatchObject({ syncedHash: emptyHash, error: null });
    expect(simulator.invalidQueries).toEqual([]);
  });
});
