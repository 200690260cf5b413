import { createHash } from "node:crypto";
import { gzipSync, gunzipSync } from "node:zlib";
import prisma, { pool } from "../db.server";
import { addJob, prismaSql } from "../jobs/queue.server";
import { invalidateStorefrontLists } from "./storefront.server";
import { withShopModel } from "./model-lock.server";
import type { Tx } from "../store/sql.server";
import { CoPurchaseModel, ProductCatalog, type CatalogProduct, type ModelStateHeader, type OrderInput, type Overrides, type Recommendation } from "./engine";

/**
 * Recommendations for a shop: build the co-purchase model from the order lines
 * we hold (streamed, never all in memory), keep the top K per product with their
 * sources, and queue the storefront metafield writes for lists that changed.
 */
export const TOP_K = 12;
const ORDER_BATCH = 2_000;
export const SYNC_TASK = "recs.sync-metafields";
export const UPDATE_TASK = "recs.update";

export async function setStatus(shop: string, fields: Partial<{ state: string; phase: string | null; progressDone: number; progressTotal: number; bulkOperationId: string | null; error: string | null; ordersCovered: number; productsCovered: number; catalogSize: number; lastComputedAt: Date }>) {
  await prisma.recommendationStatus.upsert({
    where: { shop },
    create: { shop, ...fields, updatedAt: new Date() },
    update: { ...fields, updatedAt: new Date() },
  });
}

/** The shop's catalog as the engine filters it (status, availability, gift cards, collections, sales). */
export async function loadCatalog(shop: string): Promise<ProductCatalog> {
  const rows = await prisma.product.findMany({
    where: { shop },
    select: { id: true, status: true, available: true, isGiftCard: true, productType: true, collections: true, deletedAt: true },
  });
  const sales = (await prisma.$queryRawUnsafe(
    `SELECT product_id, count(DISTINCT order_id)::int AS n FROM order_line WHERE shop = $1 AND product_id IS NOT NULL GROUP BY product_id`,
    shop,
  )) as Array<{ product_id: string; n: number }>;
  const salesById = new Map(sales.map((row) => [row.product_id, row.n]));
  return ProductCatalog.from(
    rows.map(
      (row): CatalogProduct => ({
        id: row.id,
        // Stored lowercase from Shopify's ProductStatus; anything but "active" is never recommended.
        status: row.deletedAt ? "DELETED" : (row.status.toUpperCase() as CatalogProduct["status"]),
        available: row.available,
        isGiftCard: row.isGiftCard,
        productType: row.productType,
        collections: row.collections,
        salesCount: salesById.get(row.id) ?? 0,
      }),
    ),
  );
}

/** Streams the shop's orders (last 12 months by default) as product-id baskets, in creation order. */
export async function* streamOrders(shop: string, since?: Date, after?: { createdAt: Date; id: string }): AsyncGenerator<OrderInput & { createdAt: Date }> {
  let cursor = after ?? { createdAt: since ?? new Date(Date.now() - 365 * 86_400_000), id: "" };
  for (;;) {
    const { rows } = await pool.query<{ id: string; customer_id: string | null; created_at: Date; product_ids: string[] }>(
      `SELECT o.id, o.customer_id, o.shopify_created_at AS created_at,
              array_agg(DISTINCT l.product_id) FILTER (WHERE l.product_id IS NOT NULL AND NOT l.is_gift_card) AS product_ids
       FROM "order" o JOIN order_line l ON l.shop = o.shop AND l.order_id = o.id
       WHERE o.shop = $1 AND o.cancelled_at IS NULL AND o.deleted_at IS NULL AND (o.shopify_created_at, o.id) > ($2::timestamp, $3::text)
       GROUP BY o.id, o.customer_id, o.shopify_created_at
       ORDER BY o.shopify_created_at, o.id
       LIMIT $4`,
      [shop, cursor.createdAt.toISOString().replace("Z", ""), cursor.id, ORDER_BATCH],
    );
    for (const row of rows) {
      if (row.product_ids?.length) yield { orderId: row.id, customerId: row.customer_id, createdAt: row.created_at, productIds: row.product_ids };
    }
    if (rows.length < ORDER_BATCH) return;
    const last = rows[rows.length - 1];
    cursor = { createdAt: last.created_at, id: last.id };
  }
}

/**
 * Marks products to re-rank, in the caller's transaction: a catalog change
 * (deletion, status, availability, gift card) or the merchant's overrides. The next
 * update re-ranks each and every list that holds it. Our own mark, not Shopify's
 * updated_at: a deletion carries none, and a webhook can arrive after a model save
 * that its updated_at predates.
 */
export async function markProductsChanged(tx: Tx, shop: string, productIds: string[]) {
  if (!productIds.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO recommendation_dirty_product (shop, product_id) SELECT $1, unnest($2::text[])
     ON CONFLICT (shop, product_id) DO UPDATE SET mark = recommendation_dirty_product.mark + 1`,
    shop,
    productIds,
  );
}

type ChangeMark = { product_id: string; mark: string };

async function changedProducts(shop: string): Promise<ChangeMark[]> {
  return (await pool.query<ChangeMark>(`SELECT product_id, mark::text AS mark FROM recommendation_dirty_product WHERE shop = $1`, [shop])).rows;
}

/** Clears the marks read before ranking; a product marked again since keeps its (newer) mark. */
async function clearChanges(shop: string, marks: ChangeMark[]) {
  if (!marks.length) return;
  await pool.query(
    `DELETE FROM recommendation_dirty_product d USING unnest($2::text[], $3::bigint[]) AS t(product_id, mark)
     WHERE d.shop = $1 AND d.product_id = t.product_id AND d.mark = t.mark`,
    [shop, marks.map((m) => m.product_id), marks.map((m) => m.mark)],
  );
}

const listHash = (list: Recommendation[]) => createHash("sha1").update(list.map((r) => r.productId).join(",")).digest("hex");

/** Writes the top K of these products and marks changed lists for the storefront sync (one transaction). */
async function storeRecommendations(shop: string, lists: Map<string, Recommendation[]>, gone: string[] = []) {
  // A deleted product's own list goes (Shopify deleted its metafield with it).
  for (let start = 0; start < gone.length; start += 500) {
    const chunk = gone.slice(start, start + 500);
    await prisma.$transaction([
      prisma.productRecommendation.deleteMany({ where: { shop, productId: { in: chunk } } }),
      prisma.recommendationSync.deleteMany({ where: { shop, productId: { in: chunk } } }),
    ]);
  }
  const productIds = [...lists.keys()];
  for (let start = 0; start < productIds.length; start += 500) {
    const chunk = productIds.slice(start, start + 500);
    await prisma.$transaction(async (tx) => {
      await tx.productRecommendation.deleteMany({ where: { shop, productId: { in: chunk } } });
      await tx.productRecommendation.createMany({
        data: chunk.flatMap((productId) =>
          lists.get(productId)!.map((rec, rank) => ({ shop, productId, rank, recommendedProductId: rec.productId, score: rec.score, source: rec.source })),
        ),
      });
      for (const productId of chunk) {
        const hash = listHash(lists.get(productId)!);
        // A changed list clears a write error recorded for the previous one: it is tried afresh.
        await tx.$executeRawUnsafe(
          `INSERT INTO recommendation_sync (shop, product_id, list_hash) VALUES ($1, $2, $3)
           ON CONFLICT (shop, product_id) DO UPDATE SET list_hash = EXCLUDED.list_hash,
             error = CASE WHEN recommendation_sync.list_hash = EXCLUDED.list_hash THEN recommendation_sync.error END`,
          shop,
          productId,
          hash,
        );
      }
    });
  }
  // The storefront's copies of the lists follow this timestamp (other processes) or drop at once (this one).
  await setStatus(shop, { lastComputedAt: new Date() });
  invalidateStorefrontLists(shop);
  // One sync job per shop at a time; it writes only lists whose hash differs from what was synced.
  await addJob(prismaSql(prisma), SYNC_TASK, { shop }, { jobKey: `recs-sync:${shop}`, jobKeyMode: "replace", runAt: new Date(Date.now() + 1000) });
}

async function computeLists(shop: string, model: CoPurchaseModel, catalog: ProductCatalog, productIds: Iterable<string>) {
  const overrides = new Map<string, Overrides>(
    (await prisma.recommendationOverride.findMany({ where: { shop } })).map((row) => [row.productId, { pinned: row.pinned, excluded: row.excluded }]),
  );
  const lists = new Map<string, Recommendation[]>();
  const gone: string[] = [];
  for (const productId of productIds) {
    const entry = catalog.get(productId);
    if (!entry || entry.status.toUpperCase() === "DELETED") gone.push(productId);
    else lists.set(productId, model.topK(productId, catalog, overrides.get(productId), TOP_K));
  }
  return { lists, gone };
}

/**
 * Full rebuild from stored orders (after a backfill, "recompute now", the nightly
 * refresh, a cancellation or deletion): exactly the last 12 months of orders, neither
 * cancelled nor deleted.
 */
export function rebuildRecommendations(shop: string): Promise<{ orders: number; products: number }> {
  return withShopModel(shop, () => rebuildModel(shop));
}

async function rebuildModel(shop: string): Promise<{ orders: number; products: number }> {
  await setStatus(shop, { state: "building", phase: "model", progressDone: 0, error: null });
  const model = new CoPurchaseModel({ k: TOP_K });
  let orders = 0;
  let lastOrderAt: Date | null = null;
  for await (const order of streamOrders(shop)) {
    model.addOrder(order);
    orders++;
    lastOrderAt = order.createdAt;
    if (orders % 5_000 === 0) await setStatus(shop, { progressDone: orders });
  }
  // Every list is ranked from the catalog read next: the changes marked so far are covered.
  const marks = await changedProducts(shop);
  const catalog = await loadCatalog(shop);
  await setStatus(shop, { phase: "ranking", progressDone: 0, progressTotal: catalog.size });
  const { lists, gone } = await computeLists(shop, model, catalog, [...catalog.values()].map((product) => product.id));
  await storeRecommendations(shop, lists, gone);
  await saveModel(shop, model, orders, lastOrderAt);
  await clearChanges(shop, marks);
  const covered = [...lists.values()].filter((list) => list.some((rec) => rec.source === "copurchase")).length;
  const active = [...catalog.values()].filter((entry) => entry.status.toUpperCase() === "ACTIVE").length;
  await setStatus(shop, { state: "ready", phase: null, ordersCovered: orders, productsCovered: covered, catalogSize: active, progressDone: catalog.size });
  return { orders, products: lists.size };
}

/**
 * The persisted model: the engine's header and its additive rows, compact
 * (products as [id, weight, orders], pairs as [a, b, weight]), gzipped JSON.
 */
interface StoredModel {
  header: ModelStateHeader;
  products: Array<[string, number, number]>;
  pairs: Array<[string, string, number]>;
}

export function serializeModel(model: CoPurchaseModel): Uint8Array<ArrayBuffer> {
  const { header, products, pairs } = model.exportState();
  const stored: StoredModel = { header, products: [], pairs: [] };
  for (const row of products()) stored.products.push([row.productId, row.weight, row.orders]);
  for (const row of pairs()) stored.pairs.push([row.a, row.b, row.weight]);
  return new Uint8Array(gzipSync(Buffer.from(JSON.stringify(stored))));
}

/** The stored model, or null when it was written by an older engine (then the caller rebuilds from orders). */
export async function deserializeModel(state: Uint8Array): Promise<CoPurchaseModel | null> {
  const stored = JSON.parse(gunzipSync(state).toString()) as Partial<StoredModel>;
  if (stored.header?.version !== 1 || !Array.isArray(stored.products) || !Array.isArray(stored.pairs)) return null;
  return CoPurchaseModel.importState(
    stored.header,
    stored.products.map(([productId, weight, orders]) => ({ productId, weight, orders })),
    stored.pairs.map(([a, b, weight]) => ({ a, b, weight })),
    { k: TOP_K },
  );
}

async function saveModel(shop: string, model: CoPurchaseModel, ordersCovered: number, lastOrderAt: Date | null) {
  const state = serializeModel(model);
  await prisma.recommendationModel.upsert({
    where: { shop },
    create: { shop, state, ordersCovered, lastOrderAt, updatedAt: new Date() },
    update: { state, ordersCovered, lastOrderAt, updatedAt: new Date() },
  });
}

/** Incremental: apply orders newer than the model's watermark and re-rank only what they touch. */
export function updateRecommendations(shop: string): Promise<{ orders: number; products: number }> {
  return withShopModel(shop, () => updateModel(shop));
}

async function updateModel(shop: string): Promise<{ orders: number; products: number }> {
  const stored = await prisma.recommendationModel.findUnique({ where: { shop } });
  if (!stored) return rebuildModel(shop);
  const model = await deserializeModel(stored.state);
  if (!model) return rebuildModel(shop);
  const touched = new Set<string>();
  let orders = 0;
  let lastOrderAt = stored.lastOrderAt;
  const lastId = (await prisma.order.findFirst({ where: { shop, shopifyCreatedAt: stored.lastOrderAt ?? undefined }, orderBy: { id: "desc" }, select: { id: true } }))?.id ?? "";
  for await (const order of streamOrders(shop, undefined, { createdAt: stored.lastOrderAt ?? new Date(0), id: lastId })) {
    model.addOrder(order);
    orders++;
    lastOrderAt = order.createdAt;
  }
  for (const productId of model.takeDirtyProducts()) touched.add(productId);
  // Products marked changed (deleted, status, availability, gift card, overrides) reshape every list they are in.
  const marks = await changedProducts(shop);
  if (marks.length) {
    const changed = marks.map((m) => m.product_id);
    const holders = await prisma.productRecommendation.findMany({ where: { shop, recommendedProductId: { in: changed } }, select: { productId: true } });
    for (const productId of [...changed, ...holders.map((row) => row.productId)]) touched.add(productId);
  }
  if (touched.size === 0) return { orders: 0, products: 0 };
  const catalog = await loadCatalog(shop);
  const { lists, gone } = await computeLists(shop, model, catalog, touched);
  await storeRecommendations(shop, lists, gone);
  await saveModel(shop, model, stored.ordersCovered + orders, lastOrderAt);
  await clearChanges(shop, marks);
  await setStatus(shop, { ordersCovered: stored.ordersCovered + orders });
  return { orders, products: lists.size };
}

export async function recommendationsFor(shop: string, productId: string) {
  return prisma.productRecommendation.findMany({ where: { shop, productId }, orderBy: { rank: "asc" } });
}

