import { registerTask } from "../jobs/tasks.server";
import { onStoreEvent } from "../store/store-events.server";
import { registerCustomerDataExporter } from "../compliance/compliance.server";
import { withdrawConversions } from "./attribution.server";
import { exportFlowRuns, redactFlowRuns } from "./privacy.server";
import { abandonedCheckoutStep, onCartChanged, onCheckoutChanged, onOrderCreated, STEP_TASK } from "./abandoned-checkout.server";
import { CROSS_SELL_TASK, crossSellSend, onDeliveredForCrossSell, endCrossSellForOrder, onOrderForCrossSell } from "./cross-sell.server";

// Wiring of the flows: their tasks and the store events that start and end runs.
registerTask(STEP_TASK, abandonedCheckoutStep);
registerTask(CROSS_SELL_TASK, crossSellSend);
onStoreEvent("checkout.changed", (tx, event) => onCheckoutChanged(tx, event.shop, event.checkout));
onStoreEvent("cart.changed", (tx, event) => onCartChanged(tx, event.shop, event.cart));
onStoreEvent("order.created", (tx, event) => onOrderCreated(tx, event.shop, event.order));
onStoreEvent("order.created", (tx, event) => onOrderForCrossSell(tx, event.shop, event.order));
// After the handlers above: an order first seen already cancelled ends what it ends, but credits nothing.
onStoreEvent("order.created", async (tx, { shop, order }) => {
  if (order.cancelledAt) await withdrawConversions(tx, shop, order.id, "order_cancelled");
});
onStoreEvent("order.updated", async (tx, { shop, order, cancelledNow }) => {
  if (order.cancelledAt) await endCrossSellForOrder(tx, shop, order.id, "order_cancelled");
  if (cancelledNow) await withdrawConversions(tx, shop, order.id, "order_cancelled");
});
onStoreEvent("order.deleted", async (tx, { shop, orderId }) => {
  await endCrossSellForOrder(tx, shop, orderId, "order_deleted");
  await withdrawConversions(tx, shop, orderId, "order_deleted");
});
onStoreEvent("fulfillment.delivered", (tx, event) => onDeliveredForCrossSell(tx, event.shop, event.fulfillment));
onStoreEvent("customer.redacted", (tx, { shop, customerId, email, orderIds }) => redactFlowRuns(tx, { shop, customerId, email, orderIds }));
registerCustomerDataExporter("flows", (tx, who) => exportFlowRuns(tx, who));
