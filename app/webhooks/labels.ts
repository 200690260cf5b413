/**
 * What the store activity page says for webhook topics, delivery statuses and
 * notes. Plain TypeScript (it runs in the browser). The topic code stays
 * available: operators search for it.
 */
import type { WebhookTopic } from "./topics";

const TOPICS: Record<WebhookTopic, string> = {
  "carts/create": "Cart created",
  "carts/update": "Cart updated",
  "checkouts/create": "Checkout started",
  "checkouts/update": "Checkout updated",
  "orders/create": "Order placed",
  "orders/paid": "Order paid",
  "orders/updated": "Order updated",
  "orders/delete": "Order deleted",
  "fulfillments/create": "Fulfillment created",
  "fulfillments/update": "Fulfillment updated",
  "customers/create": "Customer created",
  "customers/update": "Customer updated",
  "customers_email_marketing_consent/update": "Email marketing consent changed",
  "products/update": "Product updated",
  "products/delete": "Product deleted",
  "app/uninstalled": "Pathwise uninstalled",
  "app/scopes_update": "Pathwise permissions changed",
  "customers/data_request": "Customer data requested",
  "customers/redact": "Customer data erasure",
  "shop/redact": "Store data erasure",
};

/** "orders/create" -> "Order placed"; an unknown topic is shown as its code. */
export function topicLabel(topic: string): string {
  return (TOPICS as Record<string, string>)[topic] ?? topic;
}

const STATUSES: Record<string, string> = {
  received: "Waiting",
  processed: "Processed",
  invalid: "Rejected",
  malformed: "Unreadable",
  unknown_topic: "Ignored",
  unknown_shop: "Ignored",
};

export function deliveryStatusLabel(status: string): string {
  return STATUSES[status] ?? status.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** The note on a delivery, in plain words; the technical detail is returned apart for operators. */
export function deliveryNote(status: string, error: string | null): { text: string; detail: string | null } {
  switch (status) {
    case "malformed":
      return { text: "Shopify sent this update garbled or cut off, so Pathwise could not read it. It is kept for inspection and was not acted on.", detail: error };
    case "invalid":
      return { text: "The update was missing data Pathwise needs, so it was not used.", detail: error };
    case "unknown_topic":
      return { text: "Pathwise does not use this kind of update.", detail: error };
    case "unknown_shop":
      return { text: "Arrived after the store uninstalled Pathwise, so it was not used.", detail: null };
    case "received":
      return { text: error ? "Not processed yet; the last attempt failed and will be retried." : "", detail: error };
    default:
      return { text: error ?? "", detail: null };
  }
}
