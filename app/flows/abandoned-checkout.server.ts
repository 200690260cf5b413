import { createHash, randomUUID } from "node:crypto";
import type { Task } from "graphile-worker";
import prisma, { preparedQuery } from "../db.server";
import type { Tx } from "../store/sql.server";
import { addJob, prismaSql, removeJob } from "../jobs/queue.server";
import { createMicroBatcher } from "../jobs/micro-batcher";
import type { NormalizedCart, NormalizedCheckout, NormalizedOrder } from "../webhooks/normalize";
import { flowEmailBatcher } from "../email/send-batcher.server";
import { DEFAULT_EMAIL_SETTINGS } from "../email/settings.server";
import { renderMarketingEmail, type EmailItem } from "../email/templates/marketing-email";
import { DEFAULT_COPY, resolveEmailLocale, type MessageCopy } from "../email/templates/copy";
import { unauthenticated } from "../shopify.server";
import { adminQuery, AdminApiError, type AdminGraphql } from "../shops/admin-graphql";
import { ABANDONED_CHECKOUT, defaultAbandonedCheckoutSettings, flowSettingsSchema, type FlowSettings } from "./settings";
import { flowClock } from "./clock";
import { giveUpRefusedSend, planAfterRefusal } from "./refused-sends.server";
import { ensureCustomerConsent } from "../shops/customer-consent.server";
import { markSkipped } from "../email/ledger.server";
import { RetryableSendError, type MarketingEmailRequest, type SendResult } from "../email/outbound.server";

/**
 * Abandoned checkout recovery. A checkout with an email starts (or refreshes) one
 * run; every update resets its single timer (a job keyed on the checkout), so a
 * shopper who keeps editing gets nothing until they stop. Each step re-checks the
 * purchase before sending, sends through the shared email path (consent,
 * suppression, quiet hours, smart sending, idempotency per run and step), and
 * schedules the next. An order that matches ends the run at once.
 */
export const STEP_TASK = "flow.abandoned-checkout.step";
export const abandonedCheckoutTimerKey = (shop: string, token: string) => `abandoned:${shop}:${token}`;

/** The flow's switch and settings (stored settings that no longer validate fall back to the defaults). */
export async function getFlow(shop: string, key = ABANDONED_CHECKOUT, db: Pick<Tx, "flow"> = prisma) {
  const row = await db.flow.findUnique({ where: { shop_key: { shop, key } } });
  return { enabled: row?.enabled ?? false, settings: parseSettings(row?.settings) };
}

export async function saveFlow(shop: string, enabled: boolean, settings: FlowSettings, key = ABANDONED_CHECKOUT) {
  await prisma.flow.upsert({
    where: { shop_key: { shop, key } },
    create: { shop, key, enabled, settings: settings as object },
    update: { enabled, settings: settings as object, updatedAt: new Date() },
  });
}

/**
 * checkout.changed, inside the webhook's transaction. Two statements: one reads
 * the flow, a matching order and the run; one upserts the run and replaces its
 * keyed timer. This runs for every checkout update, so it stays in plain SQL.
 */
export async function onCheckoutChanged(
  tx: Tx,
  shop: string,
  checkout: Pick<NormalizedCheckout, "token" | "cartToken" | "email" | "customerId" | "customerLocale" | "completedAt" | "updatedAt">,
) {
  if (!checkout.email || checkout.completedAt) return;
  const [facts] = (await tx.$queryRawUnsafe(
    `SELECT f.enabled, f.settings,
            (EXISTS (SELECT 1 FROM "order" o WHERE o.shop = $1 AND o.checkout_token = $3)
             OR ($4::text IS NOT NULL AND EXISTS (SELECT 1 FROM "order" o WHERE o.shop = $1 AND o.cart_token = $4))) AS ordered,
            r.state AS run_state, r.current_step AS run_step
       FROM (SELECT 1) one
       LEFT JOIN flow f ON f.shop = $1 AND f.key = $2
       LEFT JOIN flow_run r ON r.shop = $1 AND r.flow_key = $2 AND r.subject_key = $3`,
    shop,
    ABANDONED_CHECKOUT,
    checkout.token,
    checkout.cartToken,
  )) as Array<{ enabled: boolean | null; settings: unknown; ordered: boolean; run_state: string | null; run_step: number | null }>;
  if (!facts?.enabled || facts.ordered) return;
  const settings = parseSettings(facts.settings);
  if (facts.run_state && (facts.run_state !== "waiting" || (facts.run_step ?? 0) > 0)) {
    // Emails already started: later edits do not restart the sequence.
    await tx.$executeRawUnsafe(
      `UPDATE flow_run SET email = $4, locale = COALESCE($5, locale) WHERE shop = $1 AND flow_key = $2 AND subject_key = $3`,
      shop,
      ABANDONED_CHECKOUT,
      checkout.token,
      checkout.email,
      checkout.customerLocale,
    );
    return;
  }
  // The timer counts from the shopper's last edit, of the checkout or of its cart (onCartChanged):
  // a checkout update older than a cart edit already counted does not pull it back. The stored
  // anchor decides, in the statement that writes it: an edit committed while this one waited on
  // the run's row is counted even though the read above could not see it.
  const edited = checkout.updatedAt ?? flowClock.now();
  const first = settings.steps.find((step) => step.enabled);
  if (!first) return;
  // One timer per checkout: replacing the keyed job debounces a shopper who keeps editing.
  // The job runs at the run's next_run_at on the queue's clock (flowClock.jobTime).
  await tx.$queryRawUnsafe(
    `WITH run AS (
       INSERT INTO flow_run (id, shop, flow_key, subject_key, checkout_token, cart_token, customer_id, email, locale, anchor_at, next_run_at)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9::timestamptz, $9::timestamptz + make_interval(mins => $10::int))
       ON CONFLICT (shop, flow_key, subject_key) DO UPDATE SET
         email = EXCLUDED.email, customer_id = EXCLUDED.customer_id, locale = EXCLUDED.locale,
         anchor_at = GREATEST(flow_run.anchor_at, EXCLUDED.anchor_at),
         next_run_at = GREATEST(flow_run.anchor_at, EXCLUDED.anchor_at) + make_interval(mins => $10::int)
       WHERE flow_run.state = 'waiting' AND flow_run.current_step = 0
       RETURNING id, next_run_at)
     SELECT 1 AS ok FROM run, graphile_worker.add_job($11::text, json_build_object('shop', $2::text, 'runId', run.id, 'step', 0),
       run_at => run.next_run_at + make_interval(secs => $12::float8 / 1000), max_attempts => 10, job_key => $13::text, job_key_mode => 'replace')`,
    randomUUID(),
    shop,
    ABANDONED_CHECKOUT,
    checkout.token,
    checkout.cartToken,
    checkout.customerId,
    checkout.email,
    checkout.customerLocale,
    edited.toISOString(),
    first.delayMinutes,
    STEP_TASK,
    flowClock.jobTime(edited).getTime() - edited.getTime(),
    abandonedCheckoutTimerKey(shop, checkout.token),
  );
}

// The checkouts a cart update speaks for: ours (same cart token), with an email, not
// completed or ordered, whose run has not started emailing. Cart webhooks name no one:
// the checkout is how a cart is tied to a known shopper.
const CHECKOUTS_OF_CART = `
SELECT c.token, c.cart_token AS "cartToken", c.email, c.customer_id AS "customerId", c.customer_locale AS "customerLocale",
       c.shopify_updated_at AS "checkoutUpdatedAt", r.anchor_at AS "anchorAt"
  FROM checkout c
  LEFT JOIN flow_run r ON r.shop = c.shop AND r.flow_key = $2 AND r.subject_key = c.token
 WHERE c.shop = $1 AND c.cart_token = $3 AND c.email IS NOT NULL AND c.completed_at IS NULL AND c.order_id IS NULL
   AND (r.id IS NULL OR (r.state = 'waiting' AND r.current_step = 0 AND r.ended_at IS NULL))`;

/**
 * cart.changed, inside the webhook's transaction: a shopper whose checkout we hold, still
 * editing their cart, is still shopping. The update re-arms that checkout's timer as a
 * checkout update does (email 1 waits until they stop), and the emails show the cart's lines
 * (see STEP_CONTEXT_SQL). A cart already turned into an order, or tied to no checkout with
 * an email, changes nothing; so does an update older than what the timer counts from.
 */
export async function onCartChanged(tx: Tx, shop: string, cart: NormalizedCart) {
  const checkouts = (await tx.$queryRawUnsafe(CHECKOUTS_OF_CART, shop, ABANDONED_CHECKOUT, cart.token)) as Array<{
    token: string;
    cartToken: string | null;
    email: string;
    customerId: string | null;
    customerLocale: string | null;
    checkoutUpdatedAt: Date | null;
    anchorAt: Date | null;
  }>;
  const at = cart.updatedAt ?? flowClock.now();
  for (const checkout of checkouts) {
    const counted = Math.max(checkout.checkoutUpdatedAt?.getTime() ?? 0, checkout.anchorAt?.getTime() ?? 0);
    if (at.getTime() <= counted) continue;
    await onCheckoutChanged(tx, shop, {
      token: checkout.token,
      cartToken: checkout.cartToken,
      email: checkout.email,
      customerId: checkout.customerId,
      customerLocale: checkout.customerLocale,
      completedAt: null,
      updatedAt: at,
    });
  }
}

function parseSettings(raw: unknown): FlowSettings {
  const parsed = raw ? flowSettingsSchema.safeParse(raw) : null;
  return parsed?.success ? parsed.data : defaultAbandonedCheckoutSettings();
}

// Every order asks this and nearly always finds nothing, so it is one plain statement
// (a Prisma findMany with its steps was two, at several times the CPU). The runs an
// order can touch: open ones (it ends them), and ones that sent all their emails
// ('completed') recently enough for the click attribution window to reach the order
// (it may be credited to them). ended_at is at or after a run's last email, so it bounds
// the second kind before the last email is looked at. The runs are found through indexed
// lookups only, one per key (the checkout token is the run's subject key), in a UNION: an
// OR of the keys made the planner scan every run of the shop.
export const RUNS_FOR_ORDER = `
SELECT r.id, r.state, r.checkout_token AS "checkoutToken", r.cart_token AS "cartToken", r.anchor_at AS "anchorAt",
       sent.last_at AS "lastEmailAt", sent.last_at IS NOT NULL AS emailed,
       (SELECT max(m.clicked_at) FROM email_message m
         WHERE m.shop = r.shop AND m.flow_run_id = r.id
           AND m.clicked_at <= $7::timestamptz AND m.clicked_at >= $7::timestamptz - make_interval(days => w.days)) AS "clickedAt",
       w.days AS "attributionDays"
FROM (SELECT COALESCE((SELECT click_attribution_days FROM shop_email_settings WHERE shop = $1), $8::int) AS days) w
JOIN (SELECT id FROM flow_run WHERE shop = $1 AND flow_key = $2 AND subject_key = $3 AND checkout_token = $3
      UNION SELECT id FROM flow_run WHERE shop = $1 AND cart_token = $4 AND flow_key = $2
      UNION SELECT id FROM flow_run WHERE shop = $1 AND customer_id = $5 AND flow_key = $2
      UNION SELECT id FROM flow_run WHERE shop = $1 AND email = $6 AND flow_key = $2) matched ON true
JOIN flow_run r ON r.id = matched.id AND r.shop = $1
  AND (r.ended_at IS NULL OR (r.state = 'completed' AND r.ended_at >= $7::timestamptz - make_interval(days => w.days)))
LEFT JOIN LATERAL (SELECT max(s.at) AS last_at FROM flow_step_run s WHERE s.run_id = r.id AND s.status = 'sent') sent ON true`;

interface RunForOrder {
  id: string;
  state: string;
  checkoutToken: string | null;
  cartToken: string | null;
  anchorAt: Date;
  lastEmailAt: Date | null;
  emailed: boolean;
  /** The latest click on one of the run's emails within the attribution window before the order. */
  clickedAt: Date | null;
  attributionDays: number;
}

const DAY_MS = 86_400_000;

/**
 * order.created, inside the webhook's transaction: exit matching runs at once, credit a recovery.
 * An order is credited when it completes the recovered checkout (its checkout or cart token)
 * after an email, or follows a click on one of the flow's emails within the click attribution
 * window. A run that sent all its emails ('completed') is credited the same way while the
 * order falls within that window after its last email; one that stopped for any other reason
 * (ordered before an email, no consent, cancelled, redacted, uninstalled...) is not.
 *
 * One order is credited to one run of the flow, or its revenue would count once per run: the
 * run whose checkout it completes (checkout token before cart token), else the one whose email
 * was clicked last. Other open runs it matches end without revenue (the shopper bought).
 */
export async function onOrderCreated(tx: Tx, shop: string, order: NormalizedOrder) {
  const runs = (await tx.$queryRawUnsafe(
    RUNS_FOR_ORDER,
    shop,
    ABANDONED_CHECKOUT,
    order.checkoutToken,
    order.cartToken,
    order.customerId,
    order.email,
    order.createdAt.toISOString(),
    DEFAULT_EMAIL_SETTINGS.clickAttributionDays,
  )) as RunForOrder[];
  if (!runs.length) return;
  const settings = (await getFlow(shop, ABANDONED_CHECKOUT, tx)).settings;
  const matched = runs.flatMap((run) => {
    const byCheckout = Boolean(order.checkoutToken && order.checkoutToken === run.checkoutToken);
    const byCart = Boolean(order.cartToken && order.cartToken === run.cartToken);
    const sameCheckout = byCheckout || byCart;
    const clicked = run.clickedAt !== null;
    if (run.state === "completed") {
      // Its emails are done: nothing to stop, only a recovery to credit.
      const inWindow = run.lastEmailAt !== null && order.createdAt.getTime() <= run.lastEmailAt.getTime() + run.attributionDays * DAY_MS;
      return inWindow && (sameCheckout || clicked) ? [{ run, byCheckout, byCart, open: false, creditable: true }] : [];
    }
    const sinceAnchor = order.createdAt.getTime() - run.anchorAt.getTime();
    // Another order by the same person counts only if it came after they abandoned, within the window.
    const withinWindow = sinceAnchor >= -60_000 && sinceAnchor <= settings.exitWindowDays * DAY_MS;
    if (!sameCheckout && !withinWindow) return [];
    // Creditable when it completes the recovered checkout after an email, or follows a click within the window.
    return [{ run, byCheckout, byCart, open: true, creditable: (run.emailed && sameCheckout) || clicked }];
  });
  const [winner] = matched
    .filter((candidate) => candidate.creditable)
    .sort((a, b) =>
      Number(b.byCheckout) - Number(a.byCheckout)
      || Number(b.byCart) - Number(a.byCart)
      || (b.run.clickedAt?.getTime() ?? -Infinity) - (a.run.clickedAt?.getTime() ?? -Infinity)
      || b.run.anchorAt.getTime() - a.run.anchorAt.getTime());
  const credited = winner ? await creditRun(tx, shop, winner.run.id, order) : false;
  for (const { run, open, creditable } of matched) {
    if (!open || (credited && run === winner.run)) continue;
    const exitReason = creditable ? "purchased_credited_elsewhere" : run.emailed ? "purchased_without_email_attribution" : "purchased_before_email";
    // (still open: a concurrent order may have just credited it)
    await tx.flowRun.updateMany({ where: { id: run.id, endedAt: null }, data: { state: "exited", endedAt: flowClock.now(), exitReason, nextRunAt: null } });
  }
  for (const { run, open } of matched) {
    if (open && run.checkoutToken) await removeJob(prismaSql(tx), abandonedCheckoutTimerKey(shop, run.checkoutToken));
  }
}

// Credits the order to the run unless the flow credited it already (a unique index holds
// one run per order and flow; this keeps a replayed order from tripping over it).
const CREDIT_RUN = `
UPDATE flow_run r SET state = 'converted', exit_reason = 'purchased', converted_order_id = $3, revenue_minor = $4, currency = $5,
       ended_at = COALESCE(r.ended_at, $6::timestamptz), next_run_at = NULL
 WHERE r.id = $2 AND r.converted_order_id IS NULL AND (r.ended_at IS NULL OR r.state = 'completed')
   AND NOT EXISTS (SELECT 1 FROM flow_run o WHERE o.shop = $1 AND o.flow_key = r.flow_key AND o.converted_order_id = $3)`;

async function creditRun(tx: Tx, shop: string, runId: string, order: NormalizedOrder): Promise<boolean> {
  return (await tx.$executeRawUnsafe(CREDIT_RUN, shop, runId, order.id, order.totalMinor, order.currency, flowClock.now().toISOString())) > 0;
}

/** Everything a step needs, read in one round trip (this runs once per email). */
interface StepContext {
  id: string;
  state: string;
  subjectKey: string;
  customerId: string | null;
  email: string | null;
  locale: string | null;
  anchorAt: Date;
  endedAt: Date | null;
  discountCode: string | null;
  flowEnabled: boolean | null;
  flowSettings: unknown;
  lineItems: unknown;
  checkoutCurrency: string | null;
  recoveryUrl: string | null;
  shopName: string | null;
  shopAddress: string | null;
  shopCurrency: string | null;
  primaryLocale: string | null;
  accentColor: string | null;
  logoUrl: string | null;
  /** Set when the merchant removed the app: nothing more goes out in the shop's name. */
  shopUninstalledAt: Date | null;
  firstName: string | null;
  customerLocale: string | null;
  marketingState: string | null;
  purchased: boolean;
  sentAny: boolean;
  products: Array<{ id: string; imageUrl: string | null; url: string | null; handle: string | null }>;
}

const STEP_CONTEXT_SQL = `
  SELECT r.id, r.state, r.subject_key AS "subjectKey", r.customer_id AS "customerId", r.email, r.locale,
         r.anchor_at AS "anchorAt", r.ended_at AS "endedAt", r.discount_code AS "discountCode",
         f.enabled AS "flowEnabled", f.settings AS "flowSettings",
         COALESCE(ct.line_items, c.line_items) AS "lineItems", COALESCE(ct.currency, c.currency) AS "checkoutCurrency", c.recovery_url AS "recoveryUrl",
         s.name AS "shopName", s.address AS "shopAddress", s.currency AS "shopCurrency", s.primary_locale AS "primaryLocale",
         s.uninstalled_at AS "shopUninstalledAt",
         e.accent_color AS "accentColor", e.logo_url AS "logoUrl",
         cu.first_name AS "firstName", cu.locale AS "customerLocale", cu.email_marketing_state AS "marketingState",
         -- Bought in the meantime (a webhook may have been missed): the same checkout or cart, or the same person since.
         (EXISTS (SELECT 1 FROM "order" o WHERE o.shop = r.shop AND o.checkout_token = r.checkout_token)
          OR EXISTS (SELECT 1 FROM "order" o WHERE o.shop = r.shop AND o.cart_token = r.cart_token)
          OR EXISTS (SELECT 1 FROM "order" o WHERE o.shop = r.shop AND o.customer_id = r.customer_id AND o.shopify_created_at >= r.anchor_at)
          OR EXISTS (SELECT 1 FROM "order" o WHERE o.shop = r.shop AND o.email = r.email AND o.shopify_created_at >= r.anchor_at)) AS purchased,
         EXISTS (SELECT 1 FROM flow_step_run sr WHERE sr.run_id = r.id AND sr.status = 'sent') AS "sentAny",
         (SELECT COALESCE(json_agg(json_build_object('id', p.id, 'imageUrl', p.image_url, 'url', p.url, 'handle', p.handle)), '[]'::json)
            FROM product p
           WHERE p.shop = r.shop
             AND p.id IN (SELECT line->>'productId' FROM jsonb_array_elements(
                   CASE WHEN jsonb_typeof(COALESCE(ct.line_items, c.line_items)) = 'array' THEN COALESCE(ct.line_items, c.line_items) ELSE '[]'::jsonb END) line)) AS products
    FROM flow_run r
    LEFT JOIN flow f ON f.shop = r.shop AND f.key = r.flow_key
    LEFT JOIN checkout c ON c.shop = r.shop AND c.token = r.subject_key
    -- The checkout's cart, when the shopper changed it after the checkout: its lines are what they want now
    -- (an emptied cart leaves the checkout's lines in the email).
    LEFT JOIN cart ct ON ct.shop = c.shop AND ct.token = c.cart_token AND ct.shopify_updated_at > c.shopify_updated_at
                     AND jsonb_typeof(ct.line_items) = 'array' AND jsonb_array_length(ct.line_items) > 0
    LEFT JOIN shop s ON s.domain = r.shop
    LEFT JOIN shop_email_settings e ON e.shop = r.shop
    LEFT JOIN customer cu ON cu.shop = r.shop AND cu.id = r.customer_id
   WHERE r.id = ANY ($1::text[])`;

/**
 * The steps that start together (the worker fetches its jobs in batches) read their
 * contexts in one statement: per step, the round trip and the statement's fixed cost
 * were more than the reading itself.
 */
const stepContextLoader = createMicroBatcher<string, StepContext | null>(
  { lingerMs: 2, maxBatch: 200 },
  async (runIds) => {
    const { rows } = await preparedQuery<StepContext>(STEP_CONTEXT_SQL, [runIds]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return runIds.map((id) => byId.get(id) ?? null);
  },
);

interface StepOutcome {
  /** The step's record (flow_step_run), when the step was decided. */
  record?: { stepKey: string; status: string; reason: string | null; messageId: string | null };
  /** Changes to the run. `end` sets ended_at and clears next_run_at. */
  run?: { state?: string; exitReason?: string; end?: boolean; currentStep?: number; nextRunAt?: Date };
  /**
   * The next timer (same job key: it replaces nothing that is pending, this job is running).
   * refusedSince: the step's email has been refused by SendGrid since then (refused-sends.ts).
   */
  job?: { step: number; runAt: Date; refusedSince?: Date | null };
}

interface FinishedStep {
  shop: string;
  runId: string;
  jobKey: string;
  at: Date;
  outcome: StepOutcome;
}

/**
 * Records the outcomes of the steps that finished together in this process, moves
 * their runs and schedules their next timers: one statement, one transaction, one
 * add_jobs call for the whole batch. Steps finish in clumps (a batch of emails
 * returns together), and per step this statement cost more than everything else
 * the database did for it. A failed batch fails each of its jobs, which retry; a
 * retried step finds its send in the ledger and never emails twice.
 */
const FINISH_STEPS_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                         $8::text[], $9::text[], $10::boolean[], $11::int[], $12::timestamptz[],
                         $13::int[], $14::timestamptz[], $15::text[], $17::timestamptz[])
      AS i(run_id, step_key, shop, status, reason, message_id, at, state, exit_reason, ended, current_step, next_run_at,
           job_step, job_run_at, job_key, job_refused_since)
  ), recorded AS (
    INSERT INTO flow_step_run (run_id, step_key, shop, status, reason, message_id, at)
    SELECT run_id, step_key, shop, status, reason, message_id, at FROM input WHERE step_key IS NOT NULL
    ON CONFLICT (run_id, step_key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, message_id = EXCLUDED.message_id, at = EXCLUDED.at
  ), moved AS (
    UPDATE flow_run r SET state = COALESCE(i.state, r.state), exit_reason = COALESCE(i.exit_reason, r.exit_reason),
           ended_at = CASE WHEN i.ended THEN i.at ELSE r.ended_at END,
           current_step = COALESCE(i.current_step, r.current_step),
           next_run_at = CASE WHEN i.ended THEN NULL ELSE COALESCE(i.next_run_at, r.next_run_at) END
      FROM input i
     WHERE r.id = i.run_id
       -- A run that ended while the step ran (an order credited it, a redaction, an uninstall...)
       -- stays as it ended: the step's record is still kept, but the run does not move and gets
       -- no next timer. The row lock makes this see the ending transaction's outcome.
       AND r.ended_at IS NULL
    RETURNING r.id
  ), timers AS (
    -- The same job key as the running step: add_jobs frees the running job's key and adds the next timer.
    SELECT array_agg(ROW($16::text, json_strip_nulls(json_build_object('shop', i.shop, 'runId', i.run_id, 'step', i.job_step, 'refusedSince', i.job_refused_since)), NULL::text,
                         i.job_run_at, 10::smallint, i.job_key, NULL::smallint, NULL::text[])::graphile_worker.job_spec) AS specs
      FROM input i JOIN moved m ON m.id = i.run_id WHERE i.job_step IS NOT NULL
  )
  SELECT (SELECT count(*) FROM timers, LATERAL graphile_worker.add_jobs(timers.specs) WHERE timers.specs IS NOT NULL)::int AS scheduled`;

async function finishSteps(batch: FinishedStep[]): Promise<true[]> {
  const column = <T>(pick: (item: FinishedStep) => T) => batch.map(pick);
  await preparedQuery(FINISH_STEPS_SQL, [
    column((b) => b.runId),
    column((b) => b.outcome.record?.stepKey ?? null),
    column((b) => b.shop),
    column((b) => b.outcome.record?.status ?? null),
    column((b) => b.outcome.record?.reason ?? null),
    column((b) => b.outcome.record?.messageId ?? null),
    column((b) => b.at.toISOString()),
    column((b) => b.outcome.run?.state ?? null),
    column((b) => b.outcome.run?.exitReason ?? null),
    column((b) => b.outcome.run?.end ?? false),
    column((b) => b.outcome.run?.currentStep ?? null),
    column((b) => b.outcome.run?.nextRunAt?.toISOString() ?? null),
    column((b) => b.outcome.job?.step ?? null),
    column((b) => (b.outcome.job ? flowClock.jobTime(b.outcome.job.runAt).toISOString() : null)),
    column((b) => (b.outcome.job ? b.jobKey : null)),
    STEP_TASK,
    column((b) => b.outcome.job?.refusedSince?.toISOString() ?? null),
  ]);
  return batch.map(() => true as const);
}

// Two steps of one checkout never share a batch: the statement may touch a run once.
const stepFinisher = createMicroBatcher<FinishedStep, true>(
  { lingerMs: Number(process.env.FLOW_STEP_BATCH_LINGER_MS ?? 10), maxBatch: 200, conflictKey: (step) => step.jobKey },
  finishSteps,
);

/** Records a step's outcome, moves the run and schedules its next timer, in one transaction (batched with its neighbours). */
async function finishStep(shop: string, run: { id: string; subjectKey: string }, outcome: StepOutcome): Promise<void> {
  await stepFinisher.submit({ shop, runId: run.id, jobKey: abandonedCheckoutTimerKey(shop, run.subjectKey), at: flowClock.now(), outcome });
}

/** The step job: re-check, send, schedule the next step. */
export const abandonedCheckoutStep: Task = async (raw) => {
  const { shop, runId, step: stepIndex, refusedSince: refusedSinceRaw } = raw as { shop: string; runId: string; step: number; refusedSince?: string };
  const refusedSince = refusedSinceRaw ? new Date(refusedSinceRaw) : null;
  const run = await stepContextLoader.submit(runId);
  if (!run || run.endedAt || !["waiting", "sent"].includes(run.state)) return;
  const enabled = run.flowEnabled ?? false;
  const settings = parseSettings(run.flowSettings);
  const step = settings.steps[stepIndex];
  const end = (state: string, exitReason: string, record?: StepOutcome["record"]) => finishStep(shop, run, { record, run: { state, exitReason, end: true } });
  // Uninstall cancels pending timers; this catches one that was running then, or scheduled by a late delivery.
  if (run.shopUninstalledAt) return end("exited", "shop_uninstalled");
  if (!enabled) return end("exited", "flow_turned_off");
  if (!step) return end(run.state === "sent" ? "completed" : "exited", "no_more_steps");

  /** The step's record, the run's new state and the next enabled step's timer, together. */
  const finish = (record: StepOutcome["record"], state?: string) => {
    const nextIndex = settings.steps.findIndex((candidate, index) => index > stepIndex && candidate.enabled);
    if (nextIndex < 0) {
      const sent = state === "sent" || run.state === "sent" || run.sentAny;
      return finishStep(shop, run, { record, run: { state: sent ? "completed" : "skipped", end: true } });
    }
    const runAt = new Date(run.anchorAt.getTime() + settings.steps[nextIndex].delayMinutes * 60_000);
    return finishStep(shop, run, { record, run: { state, currentStep: nextIndex, nextRunAt: runAt }, job: { step: nextIndex, runAt } });
  };
  if (!step.enabled) return finish(undefined);

  if (run.purchased) return end("exited", "purchased", { stepKey: step.key, status: "skipped", reason: "purchased", messageId: null });
  if (!run.email) return end("exited", "no_email");

  // Consent is not in customer webhooks (API 2025-01+): read it from the Admin API the first time.
  if (run.customerId && !run.marketingState) await ensureCustomerConsent(shop, run.customerId);
  const locale = resolveEmailLocale(run.locale ?? run.customerLocale, run.primaryLocale);

  // The sending path renders only once its rules say send: the code is made for an email that goes,
  // never for one skipped (consent, suppression, smart sending) or deferred (quiet hours), and it
  // runs from the moment the email is sent.
  const discountOptions = step.discount?.enabled ? step.discount : null;
  const currency = run.checkoutCurrency ?? run.shopCurrency ?? "USD";
  const items = emailItems(shop, run.lineItems as never, run.products, currency);
  const result = await sendUnlessCodeTaken({
    shop,
    sendKey: `${run.id}:${step.key}`,
    flowId: ABANDONED_CHECKOUT,
    flowRunId: run.id,
    stepKey: step.key,
    customerId: run.customerId,
    email: run.email,
    locale,
    marketing: true,
    now: flowClock.now(),
    render: async (ctx) =>
      renderMarketingEmail({
        locale,
        copy: (step.copy[locale] ?? step.copy.en ?? DEFAULT_COPY.abandoned_1.en) as MessageCopy,
        shop: { name: run.shopName ?? shop, address: run.shopAddress ?? null, accentColor: run.accentColor ?? DEFAULT_EMAIL_SETTINGS.accentColor, logoUrl: run.logoUrl ?? DEFAULT_EMAIL_SETTINGS.logoUrl },
        firstName: run.firstName ?? null,
        items,
        cta: { url: run.recoveryUrl ?? `https://${shop}/cart` },
        discount: discountOptions ? await ensureDiscountCode(shop, run, discountOptions.percent, discountOptions.expiresHours) : null,
        linkWrapper: ctx.linkWrapper,
        unsubscribeUrl: ctx.unsubscribeUrl,
        openPixelUrl: ctx.openPixelUrl,
        timeZone: ctx.timeZone,
      }),
  });

  if (result instanceof RetryableSendError) {
    // Nothing was accepted and the ledger row is 'claimed' again: the same send key is tried later.
    const plan = planAfterRefusal(refusedSince, flowClock.now(), result.retryAfterSeconds);
    if (plan.giveUp) {
      await giveUpRefusedSend(`${shop}: email ${step.key} of run ${run.id}`, result, plan.refusedForMs);
      return finish({ stepKey: step.key, status: "failed", reason: "send_refused", messageId: result.messageId });
    }
    return finishStep(shop, run, {
      record: { stepKey: step.key, status: "deferred", reason: "send_refused", messageId: result.messageId },
      run: { nextRunAt: plan.retryAt },
      job: { step: stepIndex, runAt: plan.retryAt, refusedSince: plan.refusedSince },
    });
  }

  if (result instanceof DiscountCodeTakenError) {
    // Retrying cannot help (the code is the run's own): this email does not go, and the run and the outbox say why.
    console.warn(`[flows] ${shop}: email ${step.key} of run ${run.id} not sent: ${result.message}`);
    const message = await prisma.emailMessage.findUnique({ where: { shop_sendKey: { shop, sendKey: `${run.id}:${step.key}` } }, select: { id: true, attempts: true } });
    if (message) await markSkipped(message.id, message.attempts, "discount_code_taken");
    return finish({ stepKey: step.key, status: "failed", reason: "discount_code_taken", messageId: message?.id ?? null });
  }

  switch (result.status) {
    case "deferred":
      // Quiet hours: the same step, at the next allowed minute.
      return finishStep(shop, run, {
        record: { stepKey: step.key, status: "deferred", reason: result.reason, messageId: result.messageId },
        run: { nextRunAt: result.until },
        job: { step: stepIndex, runAt: result.until, refusedSince },
      });
    case "skipped": {
      const record = { stepKey: step.key, status: "skipped", reason: result.reason, messageId: result.messageId };
      // Without consent or on the suppression list, no later step may send either.
      if (result.reason === "no_consent" || result.reason === "suppressed" || result.reason === "no_email") return end("skipped", result.reason, record);
      return finish(record);
    }
    case "failed":
      return finish({ stepKey: step.key, status: "failed", reason: result.error, messageId: result.messageId });
    default:
      // sent, captured, already_sent, uncertain: never send this step again.
      return finish({ stepKey: step.key, status: "sent", reason: result.status === "sent" || result.status === "captured" ? null : result.status, messageId: result.messageId }, "sent");
  }
};

/** The send, the taken discount code that stopped it while the email rendered, or SendGrid's refusal. */
async function sendUnlessCodeTaken(request: MarketingEmailRequest): Promise<SendResult | DiscountCodeTakenError | RetryableSendError> {
  try {
    return await flowEmailBatcher.send(request);
  } catch (error) {
    if (error instanceof DiscountCodeTakenError || error instanceof RetryableSendError) return error;
    throw error;
  }
}

/** Product images and links for the checkout's lines, from the catalog we hold. */
export function emailItems(
  shop: string,
  lines: Array<{ productId: string | null; title: string; variantTitle: string | null; quantity: number; unitPriceMinor: number }> | null,
  products: Array<{ id: string; imageUrl: string | null; url: string | null; handle: string | null }>,
  currency: string,
): EmailItem[] {
  const list = Array.isArray(lines) ? lines : [];
  const byId = new Map(products.map((product) => [product.id, product]));
  return list.map((line) => {
    const product = line.productId ? byId.get(line.productId) : undefined;
    return {
      title: line.title,
      variantTitle: line.variantTitle,
      imageUrl: product?.imageUrl ?? null,
      quantity: line.quantity,
      unitPriceMinor: line.unitPriceMinor,
      currency,
      url: product?.url ?? (product?.handle ? `https://${shop}/products/${product.handle}` : null),
    };
  });
}

const DISCOUNT_MUTATION = `#graphql
  mutation PathwiseRecoveryDiscount($discount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $discount) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

/** The discount that holds a code, whoever made it: how a TAKEN code is told apart from one of ours. */
const DISCOUNT_BY_CODE_QUERY = `#graphql
  query PathwiseRecoveryDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic { title endsAt }
      }
    }
  }`;

/** Moves the end of the run's own discount (a retry long after the code was made). */
const DISCOUNT_EXTEND_MUTATION = `#graphql
  mutation PathwiseRecoveryDiscountExtend($id: ID!, $discount: DiscountCodeBasicInput!) {
    discountCodeBasicUpdate(id: $id, basicCodeDiscount: $discount) {
      codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { endsAt } } }
      userErrors { field message code }
    }
  }`;
export { DISCOUNT_MUTATION, DISCOUNT_BY_CODE_QUERY, DISCOUNT_EXTEND_MUTATION };

// Readable in an email and when typed at checkout: no 0/O, 1/I/L.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH = 12;

/**
 * The run's discount code: "BACK-" and 12 characters of a 31-letter alphabet (about 59
 * bits, so codes of different runs do not meet in any shop's lifetime), in groups of four.
 * Derived from the run id, so an attempt after a crash asks for the same code again and
 * finds it made (TAKEN, by us) rather than creating a second one.
 */
export function recoveryDiscountCode(runId: string): string {
  let value = BigInt(`0x${createHash("sha256").update(`pathwise-recovery:${runId}`).digest("hex")}`);
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) {
    code += CODE_ALPHABET[Number(value % BigInt(CODE_ALPHABET.length))];
    value /= BigInt(CODE_ALPHABET.length);
  }
  return `BACK-${code.match(/.{4}/g)!.join("-")}`;
}

/** The title the run's discount carries in the Shopify admin: it names the run, so a code found TAKEN can be checked as ours. */
export function recoveryDiscountTitle(runId: string, code: string): string {
  return `Pathwise recovery ${code} (run ${runId})`;
}

/** The run's code is held by a discount that is not the run's: emailing it would hand out someone else's discount. */
export class DiscountCodeTakenError extends Error {
  constructor(readonly code: string) {
    super(`discount code ${code} belongs to another discount`);
    this.name = "DiscountCodeTakenError";
  }
}

interface HeldDiscount {
  id: string;
  title: string | null;
  endsAt: string | null;
}

/** The discount that holds `code` in the shop, if any. */
async function discountByCode(graphql: AdminGraphql, code: string): Promise<HeldDiscount | null> {
  const data = await adminQuery<{ codeDiscountNodeByCode: { id: string; codeDiscount: { __typename: string; title?: string; endsAt?: string | null } } | null }>(graphql, DISCOUNT_BY_CODE_QUERY, { code });
  const node = data.codeDiscountNodeByCode;
  return node?.codeDiscount ? { id: node.id, title: node.codeDiscount.title ?? null, endsAt: node.codeDiscount.endsAt ?? null } : null;
}

/**
 * The expiry the email states for a code made by an earlier attempt: its own, unless the
 * attempt was so long ago (a retry after a long outage) that it ends sooner than half its
 * hours from now; then it is moved to its full hours from now, so the email never offers a
 * code that has expired or is about to.
 */
async function heldExpiry(graphql: AdminGraphql, held: HeldDiscount, now: Date, expiresHours: number): Promise<Date | null> {
  if (!held.endsAt) return null;
  const endsAt = new Date(held.endsAt);
  if (endsAt.getTime() >= now.getTime() + (expiresHours * 3600_000) / 2) return endsAt;
  const extended = new Date(now.getTime() + expiresHours * 3600_000);
  const data = await adminQuery<{ discountCodeBasicUpdate: { codeDiscountNode: { codeDiscount: { endsAt?: string | null } } | null; userErrors: Array<{ message: string }> } }>(
    graphql,
    DISCOUNT_EXTEND_MUTATION,
    { id: held.id, discount: { endsAt: extended.toISOString() } },
  );
  const { userErrors, codeDiscountNode } = data.discountCodeBasicUpdate;
  if (userErrors.length) throw new AdminApiError(userErrors.map((error) => error.message).join("; "));
  const stated = codeDiscountNode?.codeDiscount.endsAt;
  return stated ? new Date(stated) : extended;
}

/**
 * The run's unique single-use code, created once through the Admin API when its email is
 * being sent: valid from now for `expiresHours` (a retry finds it made and states the
 * expiry it was made with, moved later first if little is left of it: heldExpiry).
 */
async function ensureDiscountCode(shop: string, run: { id: string; customerId: string | null; discountCode: string | null }, percent: number, expiresHours: number) {
  const { admin } = await unauthenticated.admin(shop);
  const graphql = admin.graphql as unknown as AdminGraphql;
  const code = run.discountCode ?? recoveryDiscountCode(run.id);
  const startsAt = flowClock.now();
  const expiresAt = new Date(startsAt.getTime() + expiresHours * 3600_000);
  const expiryOf = async (held: HeldDiscount) => (await heldExpiry(graphql, held, startsAt, expiresHours)) ?? expiresAt;
  if (run.discountCode) {
    // Saved by an earlier attempt whose email did not go out (the sending failed and is retried).
    const held = await discountByCode(graphql, code);
    if (held) return { code, percent, hours: expiresHours, expiresAt: await expiryOf(held) };
  }
  const title = recoveryDiscountTitle(run.id, code);
  // (errors propagate: the step job is retried by the queue and finds the code if it was made)
  const data = await adminQuery<{ discountCodeBasicCreate: { userErrors: Array<{ code: string | null; message: string }> } }>(graphql, DISCOUNT_MUTATION, {
    discount: {
      title,
      code,
      startsAt: startsAt.toISOString(),
      endsAt: expiresAt.toISOString(),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: run.customerId ? { customers: { add: [`gid://shopify/Customer/${run.customerId}`] } } : { all: true },
      customerGets: { value: { percentage: percent / 100 }, items: { all: true } },
    },
  });
  const { userErrors } = data.discountCodeBasicCreate;
  const errors = userErrors.filter((error) => error.code !== "TAKEN");
  if (errors.length) throw new AdminApiError(errors.map((error) => error.message).join("; "));
  let made = { code, percent, hours: expiresHours, expiresAt };
  if (userErrors.length) {
    // TAKEN: made by an earlier attempt of this run (its answer lost in a crash), or by someone else.
    const held = await discountByCode(graphql, code);
    if (!held || held.title !== title) throw new DiscountCodeTakenError(code);
    made = { code, percent, hours: expiresHours, expiresAt: await expiryOf(held) };
  }
  if (!run.discountCode) await prisma.flowRun.update({ where: { id: run.id }, data: { discountCode: code } });
  return made;
}
