import { preparedQuery } from "../db.server";
import { DEFAULT_EMAIL_SETTINGS, type EmailSettings } from "./settings.server";
import { normalizeEmail } from "./suppression.server";
import { decideSend, smartSendingCutoff, type RecipientFacts, type RuleDecision } from "./sending-rules";

/** Statuses that mean "this person may have got this email". */
export const MAILED_STATUSES = ["sending", "sent", "uncertain", "captured"] as const;

export interface ShopSendingContext {
  settings: EmailSettings;
  timezone: string;
  shopName: string;
  /** The merchant removed the app (or the shop is unknown): nothing goes out in its name. */
  uninstalled: boolean;
}

/** A shop's settings and time zone, read once per send (or once per batch). */
export async function loadShopSendingContext(shop: string): Promise<ShopSendingContext> {
  const { rows } = await preparedQuery(
    `SELECT s.timezone, s.name AS shop_name, (s.domain IS NULL OR s.uninstalled_at IS NOT NULL) AS uninstalled,
            e.from_name, e.reply_to, e.accent_color, e.logo_url, e.require_consent, e.quiet_hours_start, e.quiet_hours_end,
            e.smart_sending_hours, e.click_attribution_days, (e.shop IS NOT NULL) AS has_settings
       FROM (SELECT $1::text AS domain) q
       LEFT JOIN shop s ON s.domain = q.domain
       LEFT JOIN shop_email_settings e ON e.shop = q.domain`,
    [shop],
  );
  const row = rows[0];
  const settings: EmailSettings = row.has_settings
    ? {
        fromName: row.from_name,
        replyTo: row.reply_to,
        accentColor: row.accent_color,
        logoUrl: row.logo_url,
        requireConsent: row.require_consent,
        quietHoursStart: row.quiet_hours_start,
        quietHoursEnd: row.quiet_hours_end,
        smartSendingHours: row.smart_sending_hours,
        clickAttributionDays: row.click_attribution_days,
      }
    : { ...DEFAULT_EMAIL_SETTINGS };
  return { settings, timezone: row.timezone ?? "UTC", shopName: row.shop_name ?? shop, uninstalled: row.uninstalled };
}

/**
 * Looks up the recipient facts (consent, suppression, last marketing email) in one
 * round trip and applies the rules. `excludeMessageId` is the message being sent.
 */
export async function evaluateSendingRules(
  context: ShopSendingContext,
  recipient: { shop: string; customerId: string | null; email: string; excludeMessageId: string },
  now: Date,
  options: { merchantTest?: boolean } = {},
): Promise<RuleDecision> {
  const email = normalizeEmail(recipient.email);
  const cutoff = smartSendingCutoff(context.settings.smartSendingHours, now);
  const { rows } = await preparedQuery(
    `SELECT ${recipientFactsColumns({ shop: "$1", customerId: "$2", email: "$3", cutoff: "$4", excludeMessageId: "$5", mailedStatuses: "$6" })}`,
    [recipient.shop, recipient.customerId, email, cutoff?.toISOString() ?? null, recipient.excludeMessageId, MAILED_STATUSES],
  );
  return decideSend(context.settings, recipientFacts(rows[0]), now, context.timezone, options);
}

/**
 * The recipient facts the rules need (consent, suppression, last marketing email),
 * as select-list columns over the given placeholders, so a caller can read them in
 * the same statement as other work (the ledger claim does).
 */
export function recipientFactsColumns(p: { shop: string; customerId: string; email: string; cutoff: string; excludeMessageId: string; mailedStatuses: string }): string {
  // Two lookups, each on its own index (the key; shop and lower(email)), rather than one
  // whose condition the planner cannot narrow when the values are columns or generic parameters.
  return `(CASE WHEN ${p.customerId}::text IS NOT NULL
            THEN (SELECT c.email_marketing_state FROM customer c WHERE c.shop = ${p.shop} AND c.id = ${p.customerId})
            ELSE (SELECT c.email_marketing_state FROM customer c WHERE c.shop = ${p.shop} AND lower(c.email) = ${p.email}
                   ORDER BY c.shopify_updated_at DESC NULLS LAST LIMIT 1) END) AS marketing_state,
          EXISTS (SELECT 1 FROM email_suppression s WHERE s.shop = ${p.shop} AND s.email = ${p.email}) AS suppressed,
          (CASE WHEN ${p.cutoff}::timestamptz IS NULL THEN NULL ELSE
            (SELECT max(COALESCE(m.sent_at, m.sending_at)) FROM email_message m
              WHERE m.shop = ${p.shop} AND m.email = ${p.email} AND m.id <> ${p.excludeMessageId} AND m.status = ANY(${p.mailedStatuses}::text[])
                AND COALESCE(m.sent_at, m.sending_at) > ${p.cutoff}::timestamptz) END) AS last_mailed_at`;
}

export function recipientFacts(row: { marketing_state: string | null; suppressed: boolean; last_mailed_at: Date | null }): RecipientFacts {
  return { marketingState: row.marketing_state ?? null, suppressed: row.suppressed, lastMarketingEmailAt: row.last_mailed_at ?? null };
}
