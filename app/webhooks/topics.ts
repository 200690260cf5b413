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
  "orders/delete",
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

const BY_ENUM_NAME = new Map([...KNOWN].map((topic) => [topic.replace("/", "_").toUpperCase(), topic]));

/**
 * Shopify's header says `orders/create`; the library reports `ORDERS_CREATE`.
 * The enum form is ambiguous to split (`CUSTOMERS_DATA_REQUEST`), so map it back
 * through the topics we know.
 */
export function normalizeTopic(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.includes("/")) return trimmed.toLowerCase();
  return BY_ENUM_NAME.get(trimmed.toUpperCase()) ?? trimmed.toLowerCase();
}

export function isKnownTopic(topic: string): topic is WebhookTopic {
  return KNOWN.has(topic);
}

/** Topics that must be processed even when the shop no longer has a session. */
export function isProcessedWithoutInstallation(topic: string): boolean {
  return topic === "app/uninstalled" || (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
}
