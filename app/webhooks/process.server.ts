import { ZodError } from "zod";
import prisma from "../db.server";
import type { Tx } from "../store/sql.server";
import {
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
  normalizeProduct,
  normalizeProductDelete,
} from "./normalize";

interface EventContext {
  id: bigint;
  shop: string;
  topic: string;
  payload: unknown;
  shopCurrency: string;
}

type TopicHandler = (tx: Tx, event: EventContext) => Promise<unknown>;

/** Topic -> what it does to the store model. */
const handlers: Record<string, TopicHandler> = {
  "checkouts/create": (tx, e) => saveCheckout(tx, e.shop, normalizeCheckout(e.payload)),
  "checkouts/update": (tx, e) => saveCheckout(tx, e.shop, normalizeCheckout(e.payload)),
  "carts/create": (tx, e) => saveCart(tx, e.shop, normalizeCart(e.payload, e.shopCurrency)),
  "carts/update": (tx, e) => saveCart(tx, e.shop, normalizeCart(e.payload, e.shopCurrency)),
  "orders/create": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload)),
  "orders/paid": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload)),
  "orders/updated": (tx, e) => saveOrder(tx, e.shop, normalizeOrder(e.payload)),
  "fulfillments/create": (tx, e) => saveFulfillment(tx, e.shop, normalizeFulfillment(e.payload)),
  "fulfillments/update": (tx, e) => saveFulfillment(tx, e.shop, normalizeFulfillment(e.payload)),
  "customers/create": (tx, e) => saveCustomer(tx, e.shop, normalizeCustomer(e.payload)),
  "customers/update": (tx, e) => saveCustomer(tx, e.shop, normalizeCustomer(e.payload)),
  "customers_email_marketing_consent/update": (tx, e) => {
    const consent = normalizeConsentUpdate(e.payload);
    return saveConsent(tx, e.shop, consent.customerId, consent.state, consent.consentUpdatedAt, consent.email);
  },
  "products/update": (tx, e) => saveProduct(tx, e.shop, normalizeProduct(e.payload, e.shopCurrency)),
  "products/delete": (tx, e) => deleteProduct(tx, e.shop, normalizeProductDelete(e.payload).id),
  "app/uninstalled": (tx, e) => markUninstalled(tx, e.shop),
  "app/scopes_update": async (tx, e) => {
    const current = (e.payload as { current?: unknown })?.current;
    const scopes = Array.isArray(current) ? current.map(String).join(",") : null;
    if (scopes !== null) {
      await tx.shop.updateMany({ where: { domain: e.shop }, data: { scopes } });
      await tx.session.updateMany({ where: { shop: e.shop }, data: { scope: scopes } });
    }
  },
  "customers/data_request": (tx, e) => recordDataRequest(tx, { shop: e.shop, ...normalizeDataRequest(e.payload) }),
  "customers/redact": (tx, e) => redactCustomer(tx, { shop: e.shop, ...normalizeCustomerRedact(e.payload), keepEventId: e.id }),
  "shop/redact": (tx, e) => redactShop(tx, e.shop, e.id),
};

export type ProcessOutcome = "processed" | "invalid" | "skipped";

/**
 * Applies one recorded delivery. Idempotent: an event already processed is
 * skipped, and the store writers compare versions. A payload that fails
 * validation is marked invalid with the reason (retrying cannot fix it); any
 * other failure throws so the job queue retries it.
 */
export async function processWebhookEvent(id: bigint): Promise<ProcessOutcome> {
  const event = await prisma.webhookEvent.findUnique({ where: { id } });
  if (!event || event.status !== "received") return "skipped";
  const handler = handlers[event.topic];
  if (!handler) {
    await prisma.webhookEvent.update({ where: { id }, data: { status: "unknown_topic", processedAt: new Date() } });
    return "skipped";
  }
  const shop = await prisma.shop.findUnique({ where: { domain: event.shop }, select: { currency: true, uninstalledAt: true } });
  // Ingestion may still have seen a cached session; an uninstalled shop's ordinary topics are not applied.
  if (shop?.uninstalledAt && !isProcessedWithoutInstallation(event.topic) && event.receivedAt >= shop.uninstalledAt) {
    await prisma.webhookEvent.update({ where: { id }, data: { status: "unknown_shop", error: `${event.shop} uninstalled Pathwise`, processedAt: new Date() } });
    return "skipped";
  }
  try {
    await prisma.$transaction(
      async (tx) => {
        // Lock the event row so two workers never apply the same delivery at once.
        const locked = (await tx.$queryRawUnsafe(
          `SELECT status FROM webhook_event WHERE id = $1 FOR UPDATE`,
          id,
        )) as Array<{ status: string }>;
        if (locked[0]?.status !== "received") return;
        await handler(tx, { id, shop: event.shop, topic: event.topic, payload: event.payload, shopCurrency: shop?.currency ?? "USD" });
        await tx.webhookEvent.updateMany({ where: { id }, data: { status: "processed", processedAt: new Date(), error: null } });
      },
      { timeout: 30_000 },
    );
    return "processed";
  } catch (error) {
    if (error instanceof ZodError) {
      const reason = error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
      await prisma.webhookEvent.update({ where: { id }, data: { status: "invalid", error: reason.slice(0, 2000), processedAt: new Date() } });
      return "invalid";
    }
    await prisma.webhookEvent.update({ where: { id }, data: { error: String((error as Error).message ?? error).slice(0, 2000) } });
    throw error;
  }
}
