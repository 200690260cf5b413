import type pg from "pg";
import { daysSetting } from "../infra/days-setting";

/**
 * Raw webhook deliveries are kept for a bounded time. Each holds a whole order,
 * checkout or customer (names, emails, addresses: 15 KB for an order), and once
 * processed, what matters of it lives in the normalized store model. Keeping them
 * forever would grow without bound and hold personal data for no purpose.
 */
export const PRUNE_WEBHOOK_EVENTS_TASK = "prune-webhook-events";

/** Daily, at 04:00 UTC; `fill` runs a missed day's pruning when a worker comes back within a day. */
export const PRUNE_WEBHOOK_EVENTS_CRON = `0 4 * * * ${PRUNE_WEBHOOK_EVENTS_TASK} ?fill=1d&max=1`;

// A week leaves time to look into a delivery that went wrong, and holds a week of
// personal data, not a month's.
export const DEFAULT_RETENTION_DAYS = 7;
// A pruned event id no longer deduplicates a repeat delivery. Shopify retries a failed
// delivery 8 times over about 4 hours; the record outlives that with days to spare.
const MIN_RETENTION_DAYS = 3;

// Compliance requests are the record that a redaction or export was asked for and
// carried out; they are few and hold almost nothing (redaction scrubs its payload).
const KEPT_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"];

export function webhookRetentionDays(value = process.env.WEBHOOK_EVENT_RETENTION_DAYS): number {
  return daysSetting("WEBHOOK_EVENT_RETENTION_DAYS", value, { default: DEFAULT_RETENTION_DAYS, min: MIN_RETENTION_DAYS, why: "an event id deduplicates Shopify's retries" });
}

// Oldest first along the primary key (ids grow with arrival), a bounded batch per
// statement: short transactions that never hold many row locks or much WAL at once.
// Rows still "received" are kept whatever their age: their processing has not
// finished (a job is retrying, or the operator has to look at it).
const PRUNE_BATCH = `
DELETE FROM webhook_event
WHERE id = ANY(ARRAY(
  SELECT id FROM webhook_event
  WHERE received_at < $1::timestamptz AND status <> 'received' AND topic <> ALL($2::text[])
  ORDER BY id
  LIMIT $3
))`;

/** Deletes finished deliveries received before `olderThan`; returns how many. */
export async function pruneWebhookEvents(pool: pg.Pool, options: { olderThan: Date; batchSize?: number }): Promise<number> {
  const batchSize = options.batchSize ?? 5_000;
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(PRUNE_BATCH, [options.olderThan.toISOString(), KEPT_TOPICS, batchSize]);
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return deleted;
  }
}
