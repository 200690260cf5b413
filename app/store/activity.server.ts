import prisma from "../db.server";

/** What the merchant's store has told Pathwise: counts and the latest deliveries. */
export async function storeActivity(shop: string) {
  const [customers, checkouts, openCheckouts, carts, orders, fulfillments, products, byTopic, recent] = await Promise.all([
    prisma.customer.count({ where: { shop } }),
    prisma.checkout.count({ where: { shop } }),
    prisma.checkout.count({ where: { shop, completedAt: null, orderId: null } }),
    prisma.cart.count({ where: { shop } }),
    prisma.order.count({ where: { shop, deletedAt: null } }),
    prisma.fulfillment.count({ where: { shop } }),
    prisma.product.count({ where: { shop, deletedAt: null } }),
    prisma.webhookEvent.groupBy({ by: ["topic", "status"], where: { shop }, _count: { _all: true }, orderBy: { topic: "asc" } }),
    prisma.webhookEvent.findMany({
      where: { shop },
      orderBy: { id: "desc" },
      take: 25,
      select: { id: true, topic: true, status: true, error: true, receivedAt: true, processedAt: true, triggeredAt: true },
    }),
  ]);
  return {
    counts: { customers, checkouts, openCheckouts, carts, orders, fulfillments, products },
    byTopic: byTopic.map((row) => ({ topic: row.topic, status: row.status, count: row._count._all })),
    recent: recent.map((event) => ({ ...event, id: event.id.toString() })),
  };
}

export async function dataRequests(shop: string) {
  const rows = await prisma.dataRequest.findMany({ where: { shop }, orderBy: { requestedAt: "desc" }, take: 50 });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}

/** One data request's export, only if it belongs to the shop. */
export async function dataRequestExport(shop: string, id: string) {
  if (!/^\d{1,18}$/.test(id)) return null;
  const row = await prisma.dataRequest.findFirst({ where: { shop, id: BigInt(id) }, select: { id: true, export: true } });
  return row ? { id: row.id.toString(), export: row.export } : null;
}
