import { ZodError } from "zod";
import prisma, { pool } from "../db.server";
import type { Tx } from "../store/sql.server";
import {
  deleteOrder,
  deleteProduct,
  saveCart,
  saveCheckout,
  saveConsent,
  saveCustomer,
  saveFulfillment,
  saveOrder,
  saveProduct,
} from "../store/store.server";
import { markUninstalled, recordDataRequest, redactCustomer, redactShop } from "../compliance/compliance.server";
import { isProcessedWithoutInstallation } from "./topics";
import {
  normalizeCart,
  normalizeCheckout,
  normalizeConsentUpdate,
  normalizeCustomer,
  normalizeCustomerRedact,
  normalizeDataRequest,
  normalizeFulfillment,
  normalizeOrder,
  normalizeOrderDelete,
  normalizeProduct,
  normalizeProductDelete,
  normalizeScopesUpdate,
  normalizeShopRedact,
  requireSameShop,
} from "./normalize";

interface EventContext {
  id: bigint;
  shop: string;
  topic: string;
  payload: unknown;
  shopCurrency: string;
  /** X-Shopify-Triggered-At of the delivery, when it came with one. */
  triggeredAt: Date | null;
}

type TopicHandler = (tx: Tx, event: EventContext) => Promise<unknown>;

/** Topic -> what it does to the store model. */
const handlers: Record<string, TopicHandler> = {
  "checkouts/create": (tx, e) => saveCheckout(tx, e.shop, normalizeCheckout(e.payload)),
  "checkouts/update": (tx, e) => saveCheckout(tx, e.shop, normalizeCheckout(e.payload)),
  "carts/create": (tx, e) => saveCart(tx, e.shop, normalizeCart(e.payload, e.shopCurrency)),
  "carts/update": (tx, e) => saveCart(tx, e.shop, normalizeCart(e.payload, e.shopCurrency)),
  "orders/create": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload, e.shopCurrency)),
  "orders/paid": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload, e.shopCurrency)),
  "orders/updated": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload, e.shopCurrency)),
  "orders/delete": (tx, e) => deleteOrder(tx, e.shop, normalizeOrderDelete(e.payload).id),
  "fulfillments/create": (tx, e) => saveFulfillment(tx, e.shop, normalizeFulfillment(e.payload)),
  "fulfillments/update": (tx, e) => saveFulfillment(tx, e.shop, normalizeFulfillment(e.payload)),
  "customers/create": (tx, e) => saveCustomer(tx, e.shop, normalizeCustomer(e.payload)),
  "customers/update": (tx, e) => saveCustomer(tx, e.shop, normalizeCustomer(e.payload)),
  "customers_email_marketing_consent/update": (tx, e) => {
    const consent = normalizeConsentUpdate(e.payload);
    // consent_updated_at can be null (Shopify's own sample has it so): the delivery's
    // trigger time orders it then, so a late, older delivery does not win as "now" would.
    return saveConsent(tx, e.shop, consent.customerId, consent.state, consent.consentUpdatedAt ?? e.triggeredAt, consent.email);
  },
  "products/update": (tx, e) => saveProduct(tx, e.shop, normalizeProduct(e.payload, e.shopCurrency)),
  "products/delete": (tx, e) => deleteProduct(tx, e.shop, normalizeProductDelete(e.payload).id),
  "app/uninstalled": (tx, e) => markUninstalled(tx, e.shop),
  "app/scopes_update": async (tx, e) => {
    const { scopes, updatedAt } = normalizeScopesUpdate(e.payload);
    // Applied only when not older than the change we hold: a late delivery (a retry of
    // an earlier change) must not restore old scopes. Without updated_at, the delivery's
    // trigger time orders it.
    const version = updatedAt ?? e.triggeredAt;
    const applied = (await tx.$queryRawUnsafe(
      `UPDATE shop SET scopes = $2, scopes_updated_at = COALESCE($3::timestamptz, scopes_updated_at)
       WHERE domain = $1 AND ($3::timestamptz IS NULL OR scopes_updated_at IS NULL OR scopes_updated_at <= $3::timestamptz)
       RETURNING domain`,
      e.shop,
      scopes,
      version?.toISOString() ?? null,
    )) as unknown[];
    if (!applied.length && (await tx.shop.count({ where: { domain: e.shop } }))) return "stale";
    await tx.session.updateMany({ where: { shop: e.shop }, data: { scope: scopes } });
    return applied.length ? "updated" : "no shop";
  },
  "customers/data_request": (tx, e) => {
    const { shopDomain, ...request } = normalizeDataRequest(e.payload);
    requireSameShop(shopDomain, e.shop);
    return recordDataRequest(tx, { shop: e.shop, ...request });
  },
  "customers/redact": (tx, e) => {
    const { shopDomain, ...request } = normalizeCustomerRedact(e.payload);
    requireSameShop(shopDomain, e.shop);
    return redactCustomer(tx, { shop: e.shop, ...request, keepEventId: e.id });
  },
  "shop/redact": (tx, e) => {
    requireSameShop(normalizeShopRedact(e.payload).shopDomain, e.shop);
    return redactShop(tx, e.shop, e.id);
  },
};

export type ProcessOutcome = "processed" | "invalid" | "skipped";

// Every delivery goes through these, so they are plain SQL: on these machines a Prisma
// model query took 1.4-2.1 ms of CPU where the same query on pg took 0.3-0.6 ms (see
// bench:webhooks, CPU per processed event). The event, its shop's currency and
// installation state come in one read.
const EVENT_SQL = `
SELECT e.shop, e.topic, e.status, e.payload, e.triggered_at, s.currency, s.uninstalled_at
FROM webhook_event e LEFT JOIN shop s ON s.domain = e.shop
WHERE e.id = $1`;
const MARK_SQL = `UPDATE webhook_event SET status = $2, error = $3, processed_at = now() WHERE id = $1`;

interface EventRow {
  shop: string;
  topic: string;
  status: string;
  /** The body's text: authenticate.webhook parsed it once on receipt, so it parses. */
  payload: string | null;
  triggered_at: Date | null;
  currency: string | null;
  uninstalled_at: Date | null;
}

const mark = (id: bigint, status: string, error: string | null) => pool.query(MARK_SQL, [id.toString(), status, error]);

/**
 * Applies one recorded delivery. Idempotent: an event already processed is
 * skipped, and the store writers compare versions. A payload that fails
 * validation is marked invalid with the reason (retrying cannot fix it); any
 * other failure throws so the job queue retries it.
 */
export async function processWebhookEvent(id: bigint): Promise<ProcessOutcome> {
  const { rows } = await pool.query<EventRow>(EVENT_SQL, [id.toString()]);
  const event = rows[0];
  if (!event || event.status !== "received") return "skipped";
  const handler = handlers[event.topic];
  if (!handler) {
    await mark(id, "unknown_topic", null);
    return "skipped";
  }
  // An uninstalled shop's ordinary topics are not applied, even those received before the
  // uninstall: applying one now would start work (a flow timer) after its cancellation ran.
  // A reinstall imports the store again.
  if (event.uninstalled_at && !isProcessedWithoutInstallation(event.topic)) {
    await mark(id, "unknown_shop", `${event.shop} uninstalled Pathwise`);
    return "skipped";
  }
  try {
    await prisma.$transaction(
      async (tx) => {
        // Lock the event row so two workers never apply the same delivery at once.
        const locked = (await tx.$queryRawUnsafe(`SELECT status FROM webhook_event WHERE id = $1 FOR UPDATE`, id)) as Array<{ status: string }>;
        if (locked[0]?.status !== "received") return;
        await handler(tx, { id, shop: event.shop, topic: event.topic, payload: JSON.parse(event.payload ?? "null"), shopCurrency: event.currency ?? "USD", triggeredAt: event.triggered_at });
        await tx.$executeRawUnsafe(MARK_SQL, id, "processed", null);
      },
      { timeout: 30_000 },
    );
    return "processed";
  } catch (error) {
    if (error instanceof ZodError) {
      const reason = error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
      await mark(id, "invalid", reason.slice(0, 2000));
      return "invalid";
    }
    await pool.query(`UPDATE webhook_event SET error = $2 WHERE id = $1`, [id.toString(), String((error as Error).message ?? error).slice(0, 2000)]);
    throw error;
  }
}

/** How long a delivery that failed inside its batch waits before its own job tries it again. */
export const RETRY_ALONE_AFTER_MS = 3_000;

/**
 * Applies the deliveries one ack statement stored, in the order received. One that
 * throws does not hold up the others: it gets a job of its own (`retryAlone`), which the
 * queue retries with backoff as it would any job, and its error is already on its row.
 * Each is idempotent, so a batch run again (after a crash) skips what was applied.
 */
export async function processWebhookEvents(
  ids: bigint[],
  retryAlone: (id: bigint, error: unknown) => Promise<void>,
): Promise<void> {
  for (const id of ids) {
    try {
      await processWebhookEvent(id);
    } catch (error) {
      await retryAlone(id, error);
    }
  }
}
