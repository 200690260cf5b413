import prisma from "../db.server";
import { addJob, prismaSql } from "../jobs/queue.server";
import { adminQuery, AdminApiError, type AdminGraphql } from "../shops/admin-graphql";
import { saveConsent } from "../store/store.server";
import type { Tx } from "../store/sql.server";
import { normalizeEmail } from "./suppression.server";
import { verifyUnsubscribeToken, type MessageRef } from "./tracking.server";

/**
 * Unsubscribes: from the footer page's button, the mail client's RFC 8058 one-click
 * POST, or SendGrid's own unsubscribe event. Each one, in one transaction: the
 * address goes on the shop's suppression list, the customer is UNSUBSCRIBED locally,
 * and a job writes the change back to Shopify (retried by the queue until it lands).
 */
export const CONSENT_WRITEBACK_TASK = "email.consent-writeback";

export const CONSENT_WRITEBACK_MUTATION = `#graphql
  mutation PathwiseConsentWriteback($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer { id defaultEmailAddress { marketingState } }
      userErrors { field message code }
    }
  }`;

export type UnsubscribeMethod = "one_click" | "footer" | "sendgrid";

export interface UnsubscribeOutcome {
  shop: string;
  /** False when this address was already unsubscribed (nothing new recorded, no second write-back). */
  changed: boolean;
  unsubscribeId: string | null;
}

export interface UnsubscribePageInfo {
  shop: string;
  shopName: string;
  maskedEmail: string | null;
  alreadyUnsubscribed: boolean;
}

/** What the confirmation page shows for a token; null for a forged or unknown token. */
export async function describeUnsubscribe(token: string): Promise<UnsubscribePageInfo | null> {
  const ref = verifyUnsubscribeToken(token);
  if (!ref) return null;
  const message = await prisma.emailMessage.findFirst({ where: { shop: ref.shop, id: ref.messageId }, select: { email: true } });
  const shop = await prisma.shop.findUnique({ where: { domain: ref.shop }, select: { name: true } });
  const suppressed = message?.email
    ? await prisma.emailSuppression.findUnique({ where: { shop_email: { shop: ref.shop, email: message.email } } })
    : null;
  return {
    shop: ref.shop,
    shopName: shop?.name ?? ref.shop,
    maskedEmail: message?.email ? maskEmail(message.email) : null,
    alreadyUnsubscribed: Boolean(suppressed && suppressed.reason === "unsubscribe"),
  };
}

export function maskEmail(email: string): string {
  const [local, domain] = email.split("@");
  if (!domain) return "***";
  return `${local.slice(0, 1)}${"*".repeat(Math.max(2, Math.min(local.length - 1, 6)))}@${domain}`;
}

/** POST from the page or the mail client: unsubscribes at once. Null for a forged token. */
export async function unsubscribeByToken(token: string, method: UnsubscribeMethod, at = new Date()): Promise<UnsubscribeOutcome | null> {
  const ref = verifyUnsubscribeToken(token);
  if (!ref) return null;
  return unsubscribeMessageRecipient(ref, method, at);
}

export async function unsubscribeMessageRecipient(ref: MessageRef, method: UnsubscribeMethod, at = new Date()): Promise<UnsubscribeOutcome> {
  return prisma.$transaction(async (tx) => {
    const message = await tx.emailMessage.findFirst({ where: { shop: ref.shop, id: ref.messageId }, select: { id: true, email: true, customerId: true } });
    if (!message?.email) return { shop: ref.shop, changed: false, unsubscribeId: null }; // redacted or gone: nothing left to act on
    return unsubscribeAddress(tx, { shop: ref.shop, email: message.email, customerId: message.customerId, messageId: message.id }, method, at);
  });
}

/** The core, inside the caller's transaction (also used for SendGrid unsubscribe events). */
export async function unsubscribeAddress(
  tx: Tx,
  who: { shop: string; email: string; customerId: string | null; messageId: string | null },
  method: UnsubscribeMethod,
  at: Date,
): Promise<UnsubscribeOutcome> {
  const email = normalizeEmail(who.email);
  const inserted = (await tx.$queryRawUnsafe(
    `INSERT INTO email_suppression (shop, email, reason, source, message_id) VALUES ($1, $2, 'unsubscribe', $3, $4)
     ON CONFLICT (shop, email) DO UPDATE SET reason = 'unsubscribe', source = EXCLUDED.source, message_id = EXCLUDED.message_id
       WHERE email_suppression.reason <> 'unsubscribe'
     RETURNING email`,
    who.shop,
    email,
    method,
    who.messageId,
  )) as unknown[];
  if (who.messageId) {
    await tx.$executeRawUnsafe(
      `UPDATE email_message SET unsubscribed_at = COALESCE(unsubscribed_at, $3::timestamptz), updated_at = now() WHERE shop = $1 AND id = $2`,
      who.shop,
      who.messageId,
      at.toISOString(),
    );
  }
  if (!inserted.length) return { shop: who.shop, changed: false, unsubscribeId: null };

  const customerId = who.customerId ?? (await tx.customer.findFirst({ where: { shop: who.shop, email: { equals: email, mode: "insensitive" } }, select: { id: true } }))?.id ?? null;
  if (customerId) await saveConsent(tx, who.shop, customerId, "UNSUBSCRIBED", at, email);
  const record = await tx.emailUnsubscribe.create({
    data: { shop: who.shop, messageId: who.messageId, customerId, email, method, writebackStatus: customerId ? "pending" : "not_needed", createdAt: at },
  });
  if (customerId) {
    await addJob(prismaSql(tx), CONSENT_WRITEBACK_TASK, { shop: who.shop, unsubscribeId: record.id.toString() }, { maxAttempts: 12 });
  }
  return { shop: who.shop, changed: true, unsubscribeId: record.id.toString() };
}

/** Variables for the write-back mutation. */
export function consentWritebackInput(customerId: string, consentUpdatedAt: Date) {
  return {
    input: {
      customerId: `gid://shopify/Customer/${customerId}`,
      emailMarketingConsent: { marketingState: "UNSUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: consentUpdatedAt.toISOString() },
    },
  };
}

interface WritebackResult {
  customerEmailMarketingConsentUpdate: {
    customer: { id: string } | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  } | null;
}

/**
 * The job: writes one unsubscribe back to Shopify. Throws (so the queue retries
 * with backoff) on network, auth or throttling errors; a userError (customer gone,
 * invalid) is final and recorded.
 */
export async function writeBackConsent(payload: { shop: string; unsubscribeId: string }, admin: (shop: string) => Promise<{ admin: { graphql: AdminGraphql } }>): Promise<"done" | "failed" | "skipped"> {
  const row = await prisma.emailUnsubscribe.findFirst({ where: { shop: payload.shop, id: BigInt(payload.unsubscribeId) } });
  if (!row || !row.customerId || row.writebackStatus === "done") return "skipped";
  const { admin: client } = await admin(payload.shop);
  try {
    const data = await adminQuery<WritebackResult>(client.graphql, CONSENT_WRITEBACK_MUTATION, consentWritebackInput(row.customerId, row.createdAt));
    const errors = data.customerEmailMarketingConsentUpdate?.userErrors ?? [];
    if (errors.length) {
      await prisma.emailUnsubscribe.update({ where: { id: row.id }, data: { writebackStatus: "failed", writebackError: errors.map((e) => e.message).join("; ").slice(0, 500) } });
      return "failed";
    }
  } catch (error) {
    await prisma.emailUnsubscribe.update({ where: { id: row.id }, data: { writebackError: String((error as Error).message).slice(0, 500) } });
    if (error instanceof AdminApiError || error instanceof Error) throw error;
    throw new Error(String(error));
  }
  await prisma.emailUnsubscribe.update({ where: { id: row.id }, data: { writebackStatus: "done", writebackError: null, writtenBackAt: new Date() } });
  return "done";
}
