import { EventWebhook } from "@sendgrid/eventwebhook";
import { z } from "zod";
import prisma from "../db.server";
import type { Tx } from "../store/sql.server";
import { normalizeEmail } from "./suppression.server";
import { unsubscribeAddress } from "./unsubscribe.server";

/**
 * SendGrid Event Webhook: verify the ECDSA signature over timestamp + raw body,
 * then record each event once (sg_event_id) and turn it into message state and
 * suppressions, all in one transaction so a retry of the POST is harmless.
 *
 * A signed batch stays valid if captured and posted again: the signature covers a
 * timestamp, but SendGrid retries a failed post for up to 24 hours and does not say
 * that a retry is signed afresh, so its age is no proof of a replay. The dedupe key is
 * what stops a replay, so it outlives the data: redaction (of a customer or a shop)
 * keeps each event's sg_event_id and drops what it said about the person
 * (redactEmailEvents), and an event about nobody we still know (its message redacted
 * or not ours) is stored the same way and suppresses no one.
 */
export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

export function verifySendgridSignature(rawBody: string, signature: string | null, timestamp: string | null, publicKey = process.env.SENDGRID_WEBHOOK_PUBLIC_KEY): boolean {
  if (!publicKey || !signature || !timestamp) return false;
  try {
    const webhook = new EventWebhook();
    return webhook.verifySignature(webhook.convertPublicKeyToECDSA(publicKey), rawBody, signature, timestamp);
  } catch {
    return false; // malformed key or signature
  }
}

const eventSchema = z
  .object({
    event: z.string().min(1),
    sg_event_id: z.string().min(1),
    email: z.string().optional(),
    timestamp: z.number(),
    sg_message_id: z.string().optional(),
    pathwise_message_id: z.string().optional(),
    pathwise_shop: z.string().optional(),
    reason: z.string().optional(),
    type: z.string().optional(),
    url: z.string().optional(),
    useragent: z.string().optional(),
    sg_machine_open: z.boolean().optional(),
  })
  .passthrough();
export type SendgridEvent = z.infer<typeof eventSchema>;

export const eventBatchSchema = z.array(eventSchema).max(10_000);

/**
 * What a stored event keeps once it says nothing about a person: SendGrid's ids and
 * what happened when. Not the address, IP, user agent, clicked URL or bounce reason
 * (which quotes the address).
 */
const IMPERSONAL_FIELDS = ["event", "sg_event_id", "sg_message_id", "timestamp", "type", "pathwise_message_id"];

function impersonalPayload(event: SendgridEvent): Record<string, unknown> {
  const kept = Object.fromEntries(IMPERSONAL_FIELDS.filter((field) => field in event).map((field) => [field, event[field]]));
  return { ...kept, redacted: true };
}

/** The same, in SQL, for rows already stored. */
const IMPERSONAL_PAYLOAD_SQL = `COALESCE((SELECT jsonb_object_agg(f.key, f.value) FROM jsonb_each(payload) f WHERE f.key = ANY($1::text[])), '{}'::jsonb) || '{"redacted": true}'::jsonb`;

/**
 * customers/redact: the person's events lose their address and payload but keep
 * their sg_event_id (and message, type, time), so a replay of a captured batch is
 * a duplicate and stores nothing again. Matched by their messages or their address
 * (also events that matched no message, whose shop is unknown).
 */
export async function redactEmailEvents(tx: Tx, who: { shop: string; messageIds: string[]; emails: string[] }): Promise<void> {
  if (!who.messageIds.length && !who.emails.length) return;
  await tx.$executeRawUnsafe(
    `UPDATE email_event SET email = NULL, payload = ${IMPERSONAL_PAYLOAD_SQL}
      WHERE (shop = $2 AND message_id = ANY($3::text[])) OR (email = ANY($4::text[]) AND (shop = $2 OR shop IS NULL))`,
    IMPERSONAL_FIELDS,
    who.shop,
    who.messageIds,
    who.emails,
  );
}

/**
 * shop/redact: the shop's events keep only their sg_event_id, type and time, and no
 * longer name the shop, so deleting the shop's rows leaves them (and a replay finds
 * them) while nothing of the shop or its customers remains.
 */
export async function redactShopEmailEvents(tx: Tx, shop: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE email_event SET shop = NULL, message_id = NULL, email = NULL, payload = ${IMPERSONAL_PAYLOAD_SQL} WHERE shop = $2`,
    IMPERSONAL_FIELDS,
    shop,
  );
}

export interface IngestSummary {
  received: number;
  stored: number;
  duplicates: number;
  unmatched: number;
}

/** Events that prove SendGrid accepted the message (an "uncertain" send really went out). */
const ACCEPTED = new Set(["processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe", "group_unsubscribe"]);

export async function ingestSendgridEvents(events: SendgridEvent[]): Promise<IngestSummary> {
  const summary: IngestSummary = { received: events.length, stored: 0, duplicates: 0, unmatched: 0 };
  await prisma.$transaction(
    async (tx) => {
      for (const event of events) {
        const message = await findMessage(tx, event);
        if (!message) summary.unmatched++;
        // Only an event about a message that still names its recipient may name them: one whose
        // message was redacted, or that matches no message of ours, is kept without personal data.
        const personal = message !== null && message.email !== null;
        const occurredAt = new Date(event.timestamp * 1000);
        const stored = (await tx.$queryRawUnsafe(
          `INSERT INTO email_event (sg_event_id, shop, message_id, type, email, payload, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz) ON CONFLICT (sg_event_id) DO NOTHING RETURNING id`,
          event.sg_event_id,
          message?.shop ?? null,
          message?.id ?? null,
          event.event,
          personal && event.email ? normalizeEmail(event.email) : null,
          JSON.stringify(personal ? event : impersonalPayload(event)),
          occurredAt.toISOString(),
        )) as unknown[];
        if (!stored.length) {
          summary.duplicates++;
          continue;
        }
        summary.stored++;
        if (message) await applyEvent(tx, message, event, occurredAt);
      }
    },
    { timeout: 60_000 },
  );
  return summary;
}

async function findMessage(tx: Tx, event: SendgridEvent): Promise<{ id: string; shop: string; email: string | null; customerId: string | null } | null> {
  const select = { id: true, shop: true, email: true, customerId: true } as const;
  if (event.pathwise_message_id) {
    const row = await tx.emailMessage.findFirst({
      where: { id: event.pathwise_message_id, ...(event.pathwise_shop ? { shop: event.pathwise_shop } : {}) },
      select,
    });
    if (row) return row;
  }
  // sg_message_id is "<X-Message-Id of the request>.<filter suffix>"; a batched request shares it, so match the recipient too.
  const providerId = event.sg_message_id?.split(".")[0];
  if (!providerId) return null;
  return tx.emailMessage.findFirst({
    where: { providerMessageId: providerId, ...(event.email ? { email: normalizeEmail(event.email) } : {}) },
    select,
  });
}

async function applyEvent(tx: Tx, message: { id: string; shop: string; email: string | null; customerId: string | null }, event: SendgridEvent, at: Date) {
  const iso = at.toISOString();
  const update = (sql: string, ...params: unknown[]) =>
    tx.$executeRawUnsafe(`UPDATE email_message SET ${sql}, updated_at = now() WHERE shop = $1 AND id = $2`, message.shop, message.id, ...params);

  if (ACCEPTED.has(event.event)) {
    // The message reached SendGrid: a send recorded as uncertain did go out.
    await tx.$executeRawUnsafe(
      `UPDATE email_message SET status = 'sent', sent_at = COALESCE(sent_at, $3::timestamptz),
              provider_message_id = COALESCE(provider_message_id, $4), updated_at = now()
       WHERE shop = $1 AND id = $2 AND status IN ('uncertain', 'sending')`,
      message.shop,
      message.id,
      iso,
      event.sg_message_id?.split(".")[0] ?? null,
    );
  }
  // A redacted message (its address blanked by customers/redact) puts no address back on any list.
  const email = message.email === null ? null : event.email ? normalizeEmail(event.email) : message.email;
  const suppress = (reason: string) =>
    email
      ? tx.$executeRawUnsafe(
          `INSERT INTO email_suppression (shop, email, reason, source, message_id) VALUES ($1, $2, $3, 'sendgrid', $4) ON CONFLICT (shop, email) DO NOTHING`,
          message.shop,
          email,
          reason,
          message.id,
        )
      : Promise.resolve(0);

  switch (event.event) {
    case "delivered":
      await update(`delivered_at = COALESCE(delivered_at, $3::timestamptz)`, iso);
      break;
    case "open":
      // Apple Mail Privacy Protection and similar proxies open everything: SendGrid flags them.
      await update(
        `opened_at = COALESCE(opened_at, $3::timestamptz), open_count = open_count + 1,
         open_unreliable = CASE WHEN $4 THEN (opened_at IS NULL OR open_unreliable) ELSE false END`,
        iso,
        event.sg_machine_open === true,
      );
      break;
    case "click":
      await update(`clicked_at = COALESCE(clicked_at, $3::timestamptz), click_count = click_count + 1`, iso);
      break;
    case "bounce":
      await update(`bounced_at = COALESCE(bounced_at, $3::timestamptz)`, iso);
      // "blocked" is a temporary refusal by the receiving server, not a bad address.
      if (event.type !== "blocked") await suppress("bounce");
      break;
    case "dropped":
      await update(`error = COALESCE(error || '; ', '') || $3`, `dropped: ${event.reason ?? "unknown"}`.slice(0, 300));
      if (/bounce|invalid|spam|unsubscrib/i.test(event.reason ?? "")) await suppress("dropped");
      break;
    case "spamreport":
      await suppress("spamreport");
      break;
    case "unsubscribe":
    case "group_unsubscribe":
      if (email) await unsubscribeAddress(tx, { shop: message.shop, email, customerId: message.customerId, messageId: message.id }, "sendgrid", at);
      break;
    default:
      break;
  }
}
