import prisma from "../db.server";
import { registerTask } from "../jobs/tasks.server";
import { prismaSql } from "../jobs/queue.server";
import { onStoreEvent } from "../store/store-events.server";
import { onInstalled } from "../shops/shops.server";
import { enqueueBackfill, enqueueUpdate, recommendationTasks } from "./jobs.server";
import { rebuildTask } from "./admin.server";

// Wiring of "Customers also bought": tasks, the install backfill, incremental updates.
for (const [name, task] of Object.entries(recommendationTasks)) registerTask(name, task);
registerTask("recs.rebuild", rebuildTask);

onInstalled(async (shop, firstInstall) => {
  const status = await prisma.recommendationStatus.findUnique({ where: { shop } });
  if (firstInstall || !status) await enqueueBackfill(prismaSql(prisma), shop);
});

// New orders and catalog changes reshape lists: one debounced update per shop.
onStoreEvent("order.created", (tx, event) => enqueueUpdate(prismaSql(tx), event.shop));
onStoreEvent("product.changed", (tx, event) => enqueueUpdate(prismaSql(tx), event.shop));
