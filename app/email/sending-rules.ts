import { DateTime } from "luxon";

/**
 * The sending rules every flow obeys, as plain functions of the shop's settings
 * and the facts about one recipient. The database lookups live in
 * sending-rules.server.ts; what they decide lives here.
 */

export interface SendingRules {
  requireConsent: boolean;
  /** Minutes after local midnight; both null = no quiet hours. start > end wraps midnight (21:00-08:00). */
  quietHoursStart: number | null;
  quietHoursEnd: number | null;
  /** Skip a person who got any marketing email in the last N hours; 0 = off. */
  smartSendingHours: number;
}

export const DEFAULT_SENDING_RULES: SendingRules = {
  requireConsent: true,
  quietHoursStart: 21 * 60,
  quietHoursEnd: 8 * 60,
  smartSendingHours: 16,
};

export interface RecipientFacts {
  /** Shopify's email marketing state for the customer (SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING...), null when unknown. */
  marketingState: string | null;
  suppressed: boolean;
  /** When this person last got a marketing email from the app (sent or possibly sent), if ever. */
  lastMarketingEmailAt: Date | null;
}

export type RuleDecision =
  | { action: "send" }
  | { action: "skip"; reason: "no_consent" | "suppressed" | "smart_sending" | "shop_uninstalled" }
  | { action: "defer"; reason: "quiet_hours"; until: Date };

/**
 * Consent, then suppression, then quiet hours, then smart sending: a refusal that is final wins over a deferral.
 * A merchant's test to their own address (merchantTest) is held only to suppression: the
 * other rules protect shoppers.
 */
export function decideSend(rules: SendingRules, facts: RecipientFacts, now: Date, timezone: string, options: { merchantTest?: boolean } = {}): RuleDecision {
  if (options.merchantTest) return facts.suppressed ? { action: "skip", reason: "suppressed" } : { action: "send" };
  if (rules.requireConsent && facts.marketingState !== "SUBSCRIBED") return { action: "skip", reason: "no_consent" };
  if (facts.suppressed) return { action: "skip", reason: "suppressed" };
  const until = quietHoursEnd(now, timezone, rules.quietHoursStart, rules.quietHoursEnd);
  if (until) return { action: "defer", reason: "quiet_hours", until };
  if (withinSmartSendingWindow(rules.smartSendingHours, facts.lastMarketingEmailAt, now)) return { action: "skip", reason: "smart_sending" };
  return { action: "send" };
}

export function withinSmartSendingWindow(hours: number, last: Date | null, now: Date): boolean {
  if (hours <= 0 || !last) return false;
  return now.getTime() - last.getTime() < hours * 3_600_000;
}

export function smartSendingCutoff(hours: number, now: Date): Date | null {
  return hours > 0 ? new Date(now.getTime() - hours * 3_600_000) : null;
}

/**
 * When `now` falls in the shop's quiet hours (local wall-clock time in the shop's
 * IANA zone), the first allowed minute after it; otherwise null. Computed on the
 * local calendar so DST days still end quiet hours at the configured wall-clock time.
 */
export function quietHoursEnd(now: Date, timezone: string, start: number | null, end: number | null): Date | null {
  if (start === null || end === null || start === end) return null;
  const zone = DateTime.fromJSDate(now).setZone(timezone).isValid ? timezone : "UTC";
  const local = DateTime.fromJSDate(now, { zone });
  const minute = local.hour * 60 + local.minute;
  const quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return null;
  let candidate = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  if (candidate <= local) candidate = candidate.plus({ days: 1 }).set({ hour: Math.floor(end / 60), minute: end % 60 });
  return candidate.toJSDate();
}

export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function parseMinutes(value: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
}
