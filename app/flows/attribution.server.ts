import type { Tx } from "../store/sql.server";

/**
 * A conversion credited to a flow (an order after its email, with the order's
 * revenue) is withdrawn when that order is cancelled or deleted: the run says why,
 * and the flow's figures (converted, revenue) leave it out, as Shopify's own sales
 * reports net out cancelled orders. The order id stays on the run, for the record.
 */
export async function withdrawConversions(tx: Tx, shop: string, orderId: string, reason: "order_cancelled" | "order_deleted"): Promise<number> {
  const { count } = await tx.flowRun.updateMany({
    where: { shop, convertedOrderId: orderId, state: "converted" },
    data: { state: "exited", exitReason: reason, revenueMinor: null },
  });
  return count;
}
