import prisma from "../db.server";
import { registerCron, registerSettingCheck, registerTask } from "../jobs/tasks.server";
import { prismaSql } from "../jobs/queue.server";
import { onStoreEvent } from "../store/store-events.server";
import type { Tx } from "../store/sql.server";
import { onInstalled } from "../shops/shops.server";
import { enqueueBackfill, enqueueRefresh, enqueueUpdate, recommendationTasks, REFRESH_ALL_CRON } from "./jobs.server";
import { recsModelConcurrency } from "./model-lock.server";
import { rebuildTask } from "./admin.server";
import { markProductsChanged } from "./service.server";

// Wiring of "Customers also bought": tasks, the install backfill, incremental updates.
for (const [name, task] of Object.entries(recommendationTasks)) registerTask(name, task);
registerTask("recs.rebuild", rebuildTask);
registerCron(REFRESH_ALL_CRON);
registerSettingCheck(recsModelConcurrency);

onInstalled(async (shop, firstInstall) => {
  const status = await prisma.recommendationStatus.findUnique({ where: { shop } });
  if (firstInstall || !status) await enqueueBackfill(prismaSql(prisma), shop);
});

// New orders and catalog changes reshape lists: one debounced update per shop.
onStoreEvent("order.created", (tx, event) => enqueueUpdate(prismaSql(tx), event.shop));
onStoreEvent("product.changed", async (tx, event) => {
  await markProductsChanged(tx, event.shop, [event.productId]);
  await enqueueUpdate(prismaSql(tx), event.shop);
});

// An order the model may have counted was cancelled or deleted: the model only adds, so it is rebuilt.
async function refreshIfCounted(tx: Tx, shop: string, orderCreatedAt: Date) {
  const model = await tx.recommendationModel.findUnique({ where: { shop }, select: { lastOrderAt: true } });
  // Newer than the model's watermark: not counted yet, and the update skips cancelled and deleted orders.
  if (!model?.lastOrderAt || orderCreatedAt > model.lastOrderAt) return;
  await enqueueRefresh(prismaSql(tx), shop);
}
onStoreEvent("order.updated", async (tx, { shop, order, cancelledNow }) => {
  if (cancelledNow) await refreshIfCounted(tx, shop, order.createdAt);
});
onStoreEvent("order.deleted", (tx, { shop, createdAt }) => refreshIfCounted(tx, shop, createdAt));
