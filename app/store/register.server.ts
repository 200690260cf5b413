import { registerCron, registerTask } from "../jobs/tasks.server";
import type { AdminGraphql } from "../shops/admin-graphql";
import { enqueueReconciliations, RECONCILE_ORDERS_TASK, RECONCILE_SHOPS_CRON, RECONCILE_SHOPS_TASK, reconcileOrders } from "./reconcile.server";

/** Store model wiring: order reconciliation against the Admin API, every 15 minutes per shop. */

registerTask(RECONCILE_SHOPS_TASK, async (_payload, helpers) => {
  helpers.logger.debug(`order reconciliation queued for ${await enqueueReconciliations()} shops`);
});

registerTask(RECONCILE_ORDERS_TASK, async (payload, helpers) => {
  const { shop } = payload as { shop: string };
  // Imported when needed: the worker and tests load this wiring before the Shopify app is configured.
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  const result = await reconcileOrders(shop, admin.graphql as unknown as AdminGraphql, { log: (line) => helpers.logger.warn(line) });
  if (result.inserted || result.updated) {
    helpers.logger.info(`reconciled ${shop}: ${result.inserted} missed orders added, ${result.updated} updated (of ${result.checked} checked)`);
  }
});

registerCron(RECONCILE_SHOPS_CRON);
