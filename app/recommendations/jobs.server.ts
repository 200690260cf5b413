import type { Task } from "graphile-worker";
import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { addJob, addJobUnlessWaiting, hasJob, prismaSql, type SqlExecutor } from "../jobs/queue.server";
import type { AdminGraphql } from "../shops/admin-graphql";
import { AdminApiError, adminQuery } from "../shops/admin-graphql";
import { bulkStatus, legacyId, ordersBulkQuery, PRODUCTS_BULK_QUERY, readJsonl, startBulkQuery, withChildren } from "./bulk.server";
import { rebuildRecommendations, setStatus, SYNC_TASK, UPDATE_TASK, updateRecommendations } from "./service.server";
import { toMinorUnits } from "../money";
import { saveProductSnapshot } from "../store/store.server";
import { enqueueForInstalledShops } from "../shops/shops.server";

/**
 * Background work of the recommendation engine: the install/on-demand backfill
 * through bulk operations (products, then 12 months of orders), the incremental
 * update after new orders, and the paced metafield writes to the storefront.
 */
export const BACKFILL_TASK = "recs.backfill";
export const METAFIELD_NAMESPACE = "$app:pathwise";
export const METAFIELD_KEY = "also_bought";

/** A write Shopify refused, recorded on the lists it was for (matched by hash): not retried until a list changes. */
async function recordSyncError(shop: string, rows: Array<{ product_id: string; list_hash: string }>, errors: Array<{ message: string }>) {
  const message = errors.map((error) => error.message).join("; ").slice(0, 500);
  for (const row of rows) {
    await prisma.recommendationSync.updateMany({ where: { shop, productId: row.product_id, listHash: row.list_hash }, data: { error: message } });
  }
}

const backfillJobKey = (shop: string) => `recs-backfill:${shop}`;

type BackfillPayload = { shop: string; step: "start-products" | "poll-products" | "start-orders" | "poll-orders" | "build"; bulkId?: string };

async function adminFor(shop: string): Promise<AdminGraphql> {
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql as unknown as AdminGraphql;
}

export async function enqueueBackfill(sql: SqlExecutor, shop: string) {
  await addJob(sql, BACKFILL_TASK, { shop, step: "start-products" } satisfies BackfillPayload, { jobKey: backfillJobKey(shop), maxAttempts: 10 });
}

/** Debounced: many orders in a burst become one update a few seconds later, without making them wait for each other. */
export async function enqueueUpdate(sql: SqlExecutor, shop: string, delayMs = 10_000) {
  await addJobUnlessWaiting(sql, UPDATE_TASK, { shop }, { jobKey: `recs-update:${shop}`, jobKeyMode: "preserve_run_at", runAt: new Date(Date.now() + delayMs) });
}

const backfill: Task = async (raw, helpers) => {
  const payload = raw as BackfillPayload;
  const { shop } = payload;
  const next = (step: BackfillPayload["step"], bulkId?: string, delayMs = 0) =>
    addJob(prismaSql(prisma), BACKFILL_TASK, { shop, step, bulkId } satisfies BackfillPayload, {
      jobKey: backfillJobKey(shop),
      runAt: new Date(Date.now() + delayMs),
      maxAttempts: 10,
    });
  try {
    switch (payload.step) {
      case "start-products":
      case "start-orders": {
        const kind = payload.step === "start-products" ? "products" : "orders";
        const since = new Date(Date.now() - 365 * 86_400_000);
        let bulkId: string;
        try {
          bulkId = await startBulkQuery(await adminFor(shop), kind === "products" ? PRODUCTS_BULK_QUERY : ordersBulkQuery(since));
        } catch (error) {
          // Another bulk query of ours (or a throttle) is running: try again shortly.
          if (error instanceof AdminApiError && error.throttled) return next(payload.step, undefined, 5_000);
          throw error;
        }
        await setStatus(shop, { state: "syncing", phase: `fetching ${kind}`, bulkOperationId: bulkId, progressDone: 0, progressTotal: 0, error: null });
        return next(kind === "products" ? "poll-products" : "poll-orders", bulkId, 500);
      }
      case "poll-products":
      case "poll-orders": {
        const kind = payload.step === "poll-products" ? "products" : "orders";
        const status = await bulkStatus(await adminFor(shop), payload.bulkId!);
        if (status.status === "CREATED" || status.status === "RUNNING") {
          await setStatus(shop, { progressDone: Number(status.objectCount) });
          return next(payload.step, payload.bulkId, 1_000);
        }
        if (status.status !== "COMPLETED") throw new Error(`bulk ${kind} query ended ${status.status} (${status.errorCode ?? "no code"})`);
        if (status.url) {
          const count = kind === "products" ? await importProducts(shop, status.url) : await importOrders(shop, status.url);
          await setStatus(shop, { phase: `imported ${count} ${kind}`, progressDone: count });
        }
        return next(kind === "products" ? "start-orders" : "build");
      }
      case "build": {
        const result = await rebuildRecommendations(shop);
        helpers.logger.info(`recommendations for ${shop}: ${result.orders} orders, ${result.products} products`);
        return;
      }
    }
  } catch (error) {
    await setStatus(shop, { state: "failed", error: String((error as Error).message ?? error).slice(0, 500) });
    throw error;
  }
};

const money = (set: unknown) => (set as { shopMoney?: { amount: string; currencyCode: string } })?.shopMoney;

async function importProducts(shop: string, url: string): Promise<number> {
  let count = 0;
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop }, select: { currency: true } });
  for await (const { node, children } of withChildren(readJsonl(url))) {
    const variants = children.filter((child) => String(child.id).includes("/ProductVariant/"));
    const collections = children.filter((child) => String(child.id).includes("/Collection/"));
    const available = variants.some((variant) => variant.availableForSale === true);
    const prices = variants.map((variant) => toMinorUnits(String(variant.price ?? "0"), shopRow?.currency ?? "USD"));
    const firstAvailable = variants.find((variant) => variant.availableForSale === true) ?? variants[0];
    await saveProductSnapshot(prisma, shop, {
      id: legacyId(node.id),
      title: String(node.title ?? ""),
      handle: (node.handle as string) ?? null,
      productType: (node.productType as string) || null,
      vendor: (node.vendor as string) ?? null,
      tags: Array.isArray(node.tags) ? (node.tags as string[]) : [],
      imageUrl: (node.featuredImage as { url?: string } | null)?.url ?? null,
      priceMinor: prices.length ? Math.min(...prices) : null,
      currency: shopRow?.currency ?? "USD",
      status: String(node.status ?? "ACTIVE").toLowerCase(),
      available,
      isGiftCard: Boolean(node.isGiftCard),
      collections: collections.map((collection) => String(collection.handle ?? legacyId(collection.id))),
      variantId: firstAvailable ? legacyId(firstAvailable.id) : null,
      url: (node.onlineStoreUrl as string) ?? null,
      updatedAt: node.updatedAt ? new Date(String(node.updatedAt)) : null,
    });
    count++;
  }
  return count;
}

/** Historical orders go into the store model (never overwriting what webhooks already brought). */
async function importOrders(shop: string, url: string): Promise<number> {
  let count = 0;
  let batch: Array<{ node: Record<string, unknown>; children: Array<Record<string, unknown>> }> = [];
  const flush = async () => {
    if (!batch.length) return;
    const orders = batch;
    batch = [];
    await prisma.$transaction(async (tx) => {
      await tx.order.createMany({
        skipDuplicates: true,
        data: orders.map(({ node, children }) => {
          const currency = String(node.currencyCode ?? "USD");
          const total = children.reduce((sum, line) => sum + toMinorUnits(money(line.originalUnitPriceSet)?.amount ?? "0", currency) * Number(line.quantity ?? 1), 0);
          return {
            shop,
            id: legacyId(node.id),
            name: (node.name as string) ?? null,
            email: (node.email as string)?.toLowerCase() ?? null,
            customerId: node.customer ? legacyId((node.customer as { id: string }).id) : null,
            currency,
            subtotalMinor: total,
            totalMinor: total,
            cancelledAt: node.cancelledAt ? new Date(String(node.cancelledAt)) : null,
            shopifyCreatedAt: new Date(String(node.createdAt)),
            shopifyUpdatedAt: node.updatedAt ? new Date(String(node.updatedAt)) : null,
          };
        }),
      });
      // An order deleted since the export started stays a tombstone, without lines.
      const deleted = new Set(
        (await tx.order.findMany({ where: { shop, id: { in: orders.map(({ node }) => legacyId(node.id)) }, deletedAt: { not: null } }, select: { id: true } })).map((row) => row.id),
      );
      await tx.orderLine.createMany({
        skipDuplicates: true,
        data: orders.filter(({ node }) => !deleted.has(legacyId(node.id))).flatMap(({ node, children }) =>
          children.map((line) => ({
            shop,
            orderId: legacyId(node.id),
            lineId: legacyId(line.id),
            productId: line.product ? legacyId((line.product as { id: string }).id) : null,
            variantId: line.variant ? legacyId((line.variant as { id: string }).id) : null,
            title: String(line.title ?? ""),
            quantity: Number(line.quantity ?? 1),
            priceMinor: toMinorUnits(money(line.originalUnitPriceSet)?.amount ?? "0", String(node.currencyCode ?? "USD")),
            isGiftCard: Boolean(line.isGiftCard),
          })),
        ),
      });
    });
    await setStatus(shop, { progressDone: count });
  };
  for await (const order of withChildren(readJsonl(url))) {
    batch.push(order);
    count++;
    if (batch.length >= 500) await flush();
  }
  await flush();
  return count;
}

export const METAFIELDS_SET = `#graphql
  mutation PathwiseSetRecommendations($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key namespace ownerType }
      userErrors { field message code }
    }
  }`;

export const METAFIELDS_DELETE = `#graphql
  mutation PathwiseDeleteRecommendations($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields { ownerId }
      userErrors { field message }
    }
  }`;

/**
 * Writes changed lists to the app-owned product metafield, 25 per call (the
 * Admin API's limit), pacing itself by the cost-based rate limit the API reports.
 */
const syncMetafields: Task = async (raw) => {
  const { shop } = raw as { shop: string };
  const graphql = await adminFor(shop);
  for (;;) {
    const pending = (await prisma.$queryRawUnsafe(
      `SELECT product_id, list_hash, synced_hash FROM recommendation_sync WHERE shop = $1 AND synced_hash IS DISTINCT FROM list_hash AND error IS NULL ORDER BY product_id LIMIT 25`,
      shop,
    )) as Array<{ product_id: string; list_hash: string; synced_hash: string | null }>;
    if (!pending.length) return;
    const recs = await prisma.productRecommendation.findMany({
      where: { shop, productId: { in: pending.map((row) => row.product_id) } },
      orderBy: [{ productId: "asc" }, { rank: "asc" }],
    });
    const byProduct = new Map<string, string[]>();
    for (const rec of recs) byProduct.set(rec.productId, [...(byProduct.get(rec.productId) ?? []), `gid://shopify/Product/${rec.recommendedProductId}`]);
    const writable = pending.filter((row) => (byProduct.get(row.product_id) ?? []).length > 0);
    // A list that became empty: its old list must not stay on the storefront. Never written: nothing to delete.
    const emptied = pending.filter((row) => !byProduct.has(row.product_id) && row.synced_hash !== null);
    if (emptied.length) {
      const { metafieldsDelete } = await adminQuery<{ metafieldsDelete: { userErrors: Array<{ field: string[] | null; message: string }> } }>(graphql, METAFIELDS_DELETE, {
        metafields: emptied.map((row) => ({ ownerId: `gid://shopify/Product/${row.product_id}`, namespace: METAFIELD_NAMESPACE, key: METAFIELD_KEY })),
      });
      if (metafieldsDelete.userErrors.length) {
        // Recorded on these lists (not retried until they change); the writes go ahead next round.
        await recordSyncError(shop, emptied, metafieldsDelete.userErrors);
        continue;
      }
    }
    const metafields = writable.map((row) => ({
      ownerId: `gid://shopify/Product/${row.product_id}`,
      namespace: METAFIELD_NAMESPACE,
      key: METAFIELD_KEY,
      type: "list.product_reference",
      value: JSON.stringify(byProduct.get(row.product_id)),
    }));
    if (metafields.length) {
      // adminQuery waits out THROTTLED refusals and paces by the cost the API reports.
      const { metafieldsSet } = await adminQuery<{ metafieldsSet: { userErrors: Array<{ field: string[] | null; message: string }> } }>(graphql, METAFIELDS_SET, { metafields });
      const userErrors = metafieldsSet.userErrors;
      if (userErrors.length) {
        // Shopify rejects the whole call: record the offending product(s) and write the rest next round.
        // The error holds for that list only (not retried every run); a changed list clears it.
        const failed = new Set(userErrors.map((error) => Number(error.field?.[1])).filter((index) => Number.isInteger(index)));
        const named = [...failed].map((index) => writable[index]).filter((row) => row !== undefined);
        await recordSyncError(shop, named.length ? named : writable, userErrors);
        continue;
      }
    }
    await prisma.$transaction(
      pending.map((row) =>
        prisma.recommendationSync.update({
          where: { shop_productId: { shop, productId: row.product_id } },
          data: { syncedHash: row.list_hash, syncedAt: new Date() },
        }),
      ),
    );
  }
};

const update: Task = async (raw) => {
  const { shop } = raw as { shop: string };
  await updateRecommendations(shop);
};

/**
 * A full rebuild from the orders we hold, when nothing else is about to do one. The
 * incremental update only adds orders: a cancelled order it applied, an edited order,
 * orders that left the 12-month window stay counted until a rebuild. Nightly for
 * every shop (REFRESH_ALL_CRON), and a few minutes after an order we applied is
 * cancelled. Skipped while a backfill runs (its build step rebuilds) or after one
 * failed (the merchant sees that failure until they retry).
 */
export const REFRESH_TASK = "recs.refresh";
export const REFRESH_ALL_TASK = "recs-refresh-all";
export const REFRESH_ALL_CRON = `10 3 * * * ${REFRESH_ALL_TASK} ?max=1`;
const REFRESH_AFTER_CANCELLATION_MS = 2 * 60_000;

export async function enqueueRefresh(sql: SqlExecutor, shop: string, delayMs = REFRESH_AFTER_CANCELLATION_MS) {
  await addJobUnlessWaiting(sql, REFRESH_TASK, { shop }, { jobKey: `${REFRESH_TASK}:${shop}`, jobKeyMode: "preserve_run_at", runAt: new Date(Date.now() + delayMs) });
}

const refresh: Task = async (raw, helpers) => {
  const { shop } = raw as { shop: string };
  const [status, backfillRunning] = await Promise.all([
    prisma.recommendationStatus.findUnique({ where: { shop }, select: { state: true } }),
    hasJob(prismaSql(prisma), backfillJobKey(shop)),
  ]);
  if (!status || status.state === "failed" || backfillRunning) {
    helpers.logger.debug(`recommendations refresh for ${shop} skipped: ${!status ? "never built" : status.state === "failed" ? "the last backfill failed" : "a backfill is running"}`);
    return;
  }
  const result = await rebuildRecommendations(shop);
  helpers.logger.info(`recommendations for ${shop} rebuilt: ${result.orders} orders, ${result.products} products`);
};

const refreshAll: Task = async (_payload, helpers) => {
  helpers.logger.debug(`recommendations refresh queued for ${await enqueueForInstalledShops(REFRESH_TASK)} shops`);
};

export const recommendationTasks = { [BACKFILL_TASK]: backfill, [SYNC_TASK]: syncMetafields, [UPDATE_TASK]: update, [REFRESH_TASK]: refresh, [REFRESH_ALL_TASK]: refreshAll };
