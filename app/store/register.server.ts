import { pool } from "../db.server";
import { registerCron, registerSettingCheck, registerTask } from "../jobs/tasks.server";
import type { AdminGraphql } from "../shops/admin-graphql";
import { enqueueForInstalledShops } from "../shops/shops.server";
import {
  RECONCILE_DELETIONS_CRON, RECONCILE_DELETIONS_TASK, RECONCILE_SHOP_DELETIONS_TASK, RECONCILE_SHOP_TASK, RECONCILE_SHOPS_CRON,
  RECONCILE_SHOPS_TASK, reconcileConsent, reconcileDeletedProducts, reconcileOrders, reconcileProducts,
} from "./reconcile.server";
import {
  cartCheckoutRetentionDays, orderRetentionDays, PRUNE_ORDERS_CRON, PRUNE_ORDERS_TASK, PRUNE_STORE_CRON, PRUNE_STORE_TASK, pruneCartsAndCheckouts, pruneOrders,
} from "./retention.server";
import { PRODUCT_DETAILS_TASK } from "./store.server";
import { settleProductFromAdmin } from "./product-details.server";

/**
 * Store model wiring: reconciliation against the Admin API (orders, consent and
 * products every 15 minutes per shop; deleted products once a day) and the daily
 * pruning of old carts and checkouts.
 */

async function adminGraphql(shop: string): Promise<AdminGraphql> {
  // Imported when needed: the worker and tests load this wiring before the Shopify app is configured.
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql as unknown as AdminGraphql;
}

registerTask(RECONCILE_SHOPS_TASK, async (_payload, helpers) => {
  helpers.logger.debug(`reconciliation queued for ${await enqueueForInstalledShops(RECONCILE_SHOP_TASK)} shops`);
});

registerTask(PRODUCT_DETAILS_TASK, async (payload) => {
  const { shop, productId } = payload as { shop: string; productId: string };
  await settleProductFromAdmin(shop, productId, await adminGraphql(shop));
});

registerTask(RECONCILE_SHOP_TASK, async (payload, helpers) => {
  const { shop } = payload as { shop: string };
  const graphql = await adminGraphql(shop);
  const orders = await reconcileOrders(shop, graphql, { log: (line) => helpers.logger.warn(line) });
  const consent = await reconcileConsent(shop, graphql);
  const products = await reconcileProducts(shop, graphql);
  if (orders.inserted || orders.updated || consent.updated || products.updated) {
    helpers.logger.info(
      `reconciled ${shop}: ${orders.inserted} missed orders added, ${orders.updated} updated (of ${orders.checked}); ` +
        `${consent.updated} consent changes (of ${consent.checked} customers); ${products.updated} products (of ${products.checked})`,
    );
  }
});

registerCron(RECONCILE_SHOPS_CRON);

registerTask(RECONCILE_DELETIONS_TASK, async (_payload, helpers) => {
  helpers.logger.debug(`deleted products reconciliation queued for ${await enqueueForInstalledShops(RECONCILE_SHOP_DELETIONS_TASK)} shops`);
});

registerTask(RECONCILE_SHOP_DELETIONS_TASK, async (payload, helpers) => {
  const { shop } = payload as { shop: string };
  const result = await reconcileDeletedProducts(shop, await adminGraphql(shop));
  if (result?.deleted) helpers.logger.info(`reconciled ${shop}: ${result.deleted} products deleted in Shopify (of ${result.listed} listed)`);
});

registerCron(RECONCILE_DELETIONS_CRON);

registerTask(PRUNE_STORE_TASK, async (_payload, helpers) => {
  const days = cartCheckoutRetentionDays();
  const { carts, checkouts } = await pruneCartsAndCheckouts(pool, { olderThan: new Date(Date.now() - days * 86_400_000) });
  helpers.logger.info(`pruned ${carts} carts and ${checkouts} checkouts unchanged for ${days} days`);
});

registerCron(PRUNE_STORE_CRON);
registerSettingCheck(cartCheckoutRetentionDays);

registerTask(PRUNE_ORDERS_TASK, async (_payload, helpers) => {
  const days = orderRetentionDays();
  const { orders, fulfillments } = await pruneOrders(pool, { olderThan: new Date(Date.now() - days * 86_400_000) });
  helpers.logger.info(`pruned ${orders} orders (and ${fulfillments} fulfillments) placed more than ${days} days ago`);
});

registerCron(PRUNE_ORDERS_CRON);
registerSettingCheck(orderRetentionDays);
