import { registerCustomerDataExporter } from "../compliance/compliance.server";
import { registerTask } from "../jobs/tasks.server";
import { onStoreEvent } from "../store/store-events.server";
import { redactEmailEvents, redactShopEmailEvents } from "./event-ingest.server";
import { normalizeEmail } from "./suppression.server";
import { CONSENT_WRITEBACK_TASK, writeBackConsent } from "./unsubscribe.server";

/** Email infrastructure wiring: background tasks, privacy export and redaction, consent changes. */

registerTask(CONSENT_WRITEBACK_TASK, async (payload) => {
  // Imported when needed: the worker and tests load this wiring before the Shopify app is configured.
  const { unauthenticated } = await import("../shopify.server");
  await writeBackConsent(payload as { shop: string; unsubscribeId: string }, (shop) => unauthenticated.admin(shop));
});

registerCustomerDataExporter("email", async (tx, { shop, customerId, email }) => {
  const who = [...(customerId ? [{ customerId }] : []), ...(email ? [{ email: normalizeEmail(email) }] : [])];
  if (!who.length) return { messages: [], suppression: null, unsubscribes: [] };
  const messages = await tx.emailMessage.findMany({
    where: { shop, OR: who },
    select: {
      id: true, flowId: true, stepKey: true, email: true, subject: true, status: true, skipReason: true, sentAt: true,
      deliveredAt: true, openedAt: true, clickedAt: true, bouncedAt: true, unsubscribedAt: true, createdAt: true,
    },
    orderBy: { createdAt: "asc" },
  });
  const clicks = messages.length
    ? await tx.emailClick.findMany({ where: { shop, messageId: { in: messages.map((m) => m.id) } }, select: { messageId: true, linkId: true, url: true, clickedAt: true } })
    : [];
  const emails = [...new Set([...(email ? [normalizeEmail(email)] : []), ...messages.map((m) => m.email).filter((e): e is string => Boolean(e))])];
  const suppression = emails.length ? await tx.emailSuppression.findMany({ where: { shop, email: { in: emails } } }) : [];
  const unsubscribes = await tx.emailUnsubscribe.findMany({ where: { shop, OR: [...who, ...(emails.length ? [{ email: { in: emails } }] : [])] } });
  return { messages, clicks, suppression, unsubscribes };
});

// customers/redact: the person's address, rendered copies, SendGrid's words about their sends, suppression entry and what their events said
// go; the ledger rows stay, anonymous, so "never twice" for past steps and the flows' figures still hold,
// and so do their events' sg_event_ids, so a replayed SendGrid batch cannot store any of it again.
onStoreEvent("customer.redacted", async (tx, { shop, customerId, email }) => {
  const who = [...(customerId ? [{ customerId }] : []), ...(email ? [{ email: normalizeEmail(email) }] : [])];
  if (!who.length) return;
  const messages = await tx.emailMessage.findMany({ where: { shop, OR: who }, select: { id: true, email: true } });
  const ids = messages.map((m) => m.id);
  const emails = [...new Set([...(email ? [normalizeEmail(email)] : []), ...messages.map((m) => m.email).filter((e): e is string => Boolean(e))])];
  if (ids.length) {
    await tx.emailMessage.updateMany({ where: { shop, id: { in: ids } }, data: { email: null, customerId: null, subject: null, html: null, text: null, error: null } });
    await tx.emailClick.updateMany({ where: { shop, messageId: { in: ids } }, data: { userAgent: null } });
  }
  await redactEmailEvents(tx, { shop, messageIds: ids, emails });
  if (emails.length) await tx.emailSuppression.deleteMany({ where: { shop, email: { in: emails } } });
  await tx.emailUnsubscribe.updateMany({ where: { shop, OR: [...who, ...(emails.length ? [{ email: { in: emails } }] : [])] }, data: { email: null, customerId: null } });
});

// shop/redact deletes every row of the shop after this: its SendGrid events stay only as bare dedupe keys.
onStoreEvent("shop.redacted", async (tx, { shop }) => {
  await redactShopEmailEvents(tx, shop);
});

// A customer who subscribes again in Shopify (newer than our unsubscribe, or the store would have
// refused the change as stale) is no longer held back by the unsubscribe on our list.
onStoreEvent("customer.consent_changed", async (tx, { shop, customerId, state }) => {
  if (state !== "SUBSCRIBED") return;
  await tx.$executeRawUnsafe(
    `DELETE FROM email_suppression s USING customer c
      WHERE s.shop = $1 AND c.shop = $1 AND c.id = $2 AND s.email = lower(c.email) AND s.reason = 'unsubscribe'`,
    shop,
    customerId,
  );
});
