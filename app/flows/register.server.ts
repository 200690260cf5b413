import { registerTask } from "../jobs/tasks.server";
import { onStoreEvent } from "../store/store-events.server";
import { abandonedCheckoutStep, onCheckoutChanged, onOrderCreated, STEP_TASK } from "./abandoned-checkout.server";

// Wiring of the flows: step tasks and the store events that start and end runs.
registerTask(STEP_TASK, abandonedCheckoutStep);
onStoreEvent("checkout.changed", (tx, event) => onCheckoutChanged(tx, event.shop, event.checkout));
onStoreEvent("order.created", (tx, event) => onOrderCreated(tx, event.shop, event.order));
