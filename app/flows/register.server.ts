import { registerTask } from "../jobs/tasks.server";
import { onStoreEvent } from "../store/store-events.server";
import { abandonedCheckoutStep, onCheckoutChanged, onOrderCreated, STEP_TASK } from "./abandoned-checkout.server";
import { CROSS_SELL_TASK, crossSellSend, onDeliveredForCrossSell, onOrderCancelledForCrossSell, onOrderForCrossSell } from "./cross-sell.server";

// Wiring of the flows: their tasks and the store events that start and end runs.
registerTask(STEP_TASK, abandonedCheckoutStep);
registerTask(CROSS_SELL_TASK, crossSellSend);
onStoreEvent("checkout.changed", (tx, event) => onCheckoutChanged(tx, event.shop, event.checkout));
onStoreEvent("order.created", (tx, event) => onOrderCreated(tx, event.shop, event.order));
onStoreEvent("order.created", (tx, event) => onOrderForCrossSell(tx, event.shop, event.order));
onStoreEvent("order.updated", (tx, event) => onOrderCancelledForCrossSell(tx, event.shop, event.order));
onStoreEvent("fulfillment.delivered", (tx, event) => onDeliveredForCrossSell(tx, event.shop, event.fulfillment));
