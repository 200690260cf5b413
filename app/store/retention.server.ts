import type pg from "pg";
import { daysSetting } from "../infra/days-setting";

/**
 * Carts, checkouts and orders are kept for a bounded time. Every storefront cart becomes a row
 * (carts/update comes on each change), and a checkout holds the shopper's email and
 * basket: kept forever they grow without bound and hold personal data for no purpose.
 * Once a cart or checkout has not changed for the retention window, what matters of it
 * lives on in orders and flow runs (their figures and attribution read those), so it is
 * deleted, unless a flow run that is still going refers to it.
 */
export const PRUNE_STORE_TASK = "prune-carts-checkouts";

/** Daily at 04:20 UTC (after the webhook deliveries' pruning); `fill` catches up a missed day. */
export const PRUNE_STORE_CRON = `20 4 * * * ${PRUNE_STORE_TASK} ?fill=1d&max=1`;

export const DEFAULT_CART_CHECKOUT_RETENTION_DAYS = 90;
// A flow step may wait up to 30 days; a shorter window would only ever spare rows
// through the open-run check, so anything below it is more likely a typo than a choice.
const MIN_RETENTION_DAYS = 30;

export function cartCheckoutRetentionDays(value = process.env.CART_CHECKOUT_RETENTION_DAYS): number {
  return daysSetting("CART_CHECKOUT_RETENTION_DAYS", value, { default: DEFAULT_CART_CHECKOUT_RETENTION_DAYS, min: MIN_RETENTION_DAYS, why: "a flow step may wait 30 days" });
}

// One statement each: after the first day only a day's worth of rows expire, and a
// batched delete would scan the table again for every batch (there is no index on
// the version column, and one would cost every cart update on the webhook path).
// A row without any time is kept: its age is unknown.
const PRUNE_CARTS = `
DELETE FROM cart
WHERE COALESCE(shopify_updated_at, shopify_created_at) < $1::timestamptz`;

const PRUNE_CHECKOUTS = `
DELETE FROM checkout c
WHERE COALESCE(c.shopify_updated_at, c.shopify_created_at) < $1::timestamptz
  AND NOT EXISTS (
    SELECT 1 FROM flow_run r
    WHERE r.shop = c.shop AND r.subject_key = c.token AND r.ended_at IS NULL
  )`;

/** Deletes carts and checkouts unchanged since `olderThan` (checkouts of unfinished flow runs stay); returns how many. */
export async function pruneCartsAndCheckouts(pool: pg.Pool, options: { olderThan: Date }): Promise<{ carts: number; checkouts: number }> {
  const olderThan = options.olderThan.toISOString();
  const carts = await pool.query(PRUNE_CARTS, [olderThan]);
  const checkouts = await pool.query(PRUNE_CHECKOUTS, [olderThan]);
  return { carts: carts.rowCount ?? 0, checkouts: checkouts.rowCount ?? 0 };
}

/**
 * Orders are kept for ORDER_RETENTION_DAYS (default two years) after they were placed.
 * An order holds the shopper's email and basket (protected customer data: keep only
 * what a feature needs); the recommendations learn from the last 12 months, flows
 * look at recent orders, and a flow's figures keep what they credited on the run
 * itself. Its lines and fulfillments go with it. An order a flow run that is still
 * going is about (a cross-sell waiting on it) stays.
 */
export const PRUNE_ORDERS_TASK = "prune-orders";

/** Daily at 04:30 UTC, after carts and checkouts. */
export const PRUNE_ORDERS_CRON = `30 4 * * * ${PRUNE_ORDERS_TASK} ?fill=1d&max=1`;

export const DEFAULT_ORDER_RETENTION_DAYS = 730;
// The recommendation model learns from 12 months of orders and the backfill imports
// as much: a window shorter than that (with a month's margin) would unlearn what it imports.
const MIN_ORDER_RETENTION_DAYS = 400;

export function orderRetentionDays(value = process.env.ORDER_RETENTION_DAYS): number {
  return daysSetting("ORDER_RETENTION_DAYS", value, { default: DEFAULT_ORDER_RETENTION_DAYS, min: MIN_ORDER_RETENTION_DAYS, why: "recommendations learn from the last 12 months of orders" });
}

// Lines go by their foreign key (ON DELETE CASCADE); fulfillments name their order without one.
const PRUNE_ORDERS = `
WITH pruned AS (
  DELETE FROM "order" o
  WHERE o.shopify_created_at < $1::timestamptz
    AND NOT EXISTS (
      SELECT 1 FROM flow_run r
      WHERE r.shop = o.shop AND r.subject_key = o.id AND r.ended_at IS NULL
    )
  RETURNING o.shop, o.id
),
fulfillments AS (
  DELETE FROM fulfillment f USING pruned p WHERE f.shop = p.shop AND f.order_id = p.id
  RETURNING 1
)
SELECT (SELECT count(*) FROM pruned)::int AS orders, (SELECT count(*) FROM fulfillments)::int AS fulfillments`;

/** Deletes orders placed before `olderThan` with their lines and fulfillments (orders of unfinished flow runs stay). */
export async function pruneOrders(pool: pg.Pool, options: { olderThan: Date }): Promise<{ orders: number; fulfillments: number }> {
  const { rows } = await pool.query<{ orders: number; fulfillments: number }>(PRUNE_ORDERS, [options.olderThan.toISOString()]);
  return rows[0];
}
