import { registerCron, registerTask } from "../jobs/tasks.server";
import type { AdminGraphql } from "../shops/admin-graphql";
import { enqueueReconciliations, RECONCILE_SHOP_TASK, RECONCILE_SHOPS_CRON, RECONCILE_SHOPS_TASK, reconcileConsent, reconcileOrders, reconcileProducts } from "./reconcile.server";

/** Store model wiring: reconciliation of orders, consent and products against the Admin API, every 15 minutes per shop. */

registerTask(RECONCILE_SHOPS_TASK, async (_payload, helpers) => {
  helpers.logger.debug(`order reconciliation queued for ${await enqueueReconciliations()} shops`);
});

registerTask(RECONCILE_SHOP_TASK, async (payload, helpers) => {
  const { shop } = payload as { shop: string };
  // Imported when needed: the worker and tests load this wiring before the Shopify app is configured.
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  const graphql = admin.graphql as unknown as AdminGraphql;
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
