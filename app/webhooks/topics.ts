/**
 * The topics Pathwise subscribes to (shopify.app.toml), in Shopify's header form.
 * A delivery for any other topic is recorded as unknown and not processed.
 */
export const SUBSCRIBED_TOPICS = [
  "carts/create",
  "carts/update",
  "checkouts/create",
  "checkouts/update",
  "orders/create",
  "orders/paid",
  "orders/updated",
  "fulfillments/create",
  "fulfillments/update",
  "customers/create",
  "customers/update",
  "customers_email_marketing_consent/update",
  "products/update",
  "products/delete",
  "app/uninstalled",
  "app/scopes_update",
] as const;

export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export type WebhookTopic = (typeof SUBSCRIBED_TOPICS)[number] | (typeof COMPLIANCE_TOPICS)[number];

const KNOWN = new Set<string>([...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS]);

/** Shopify sends `ORDERS_CREATE` from GraphQL subscriptions and `orders/create` in headers: accept both. */
export function normalizeTopic(raw: string): string {
  const lower = raw.trim().toLowerCase();
  if (lower.includes("/")) return lower;
  // ORDERS_CREATE -> orders/create; CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE -> customers_email_marketing_consent/update
  const index = lower.lastIndexOf("_");
  return index > 0 ? `${lower.slice(0, index)}/${lower.slice(index + 1)}` : lower;
}

export function isKnownTopic(topic: string): topic is WebhookTopic {
  return KNOWN.has(topic);
}

/** Topics that must be processed even when the shop no longer has a session. */
export function isProcessedWithoutInstallation(topic: string): boolean {
  return topic === "app/uninstalled" || (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
}
