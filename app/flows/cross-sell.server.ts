import { randomUUID } from "node:crypto";
import type { Task } from "graphile-worker";
import { z } from "zod";
import prisma from "../db.server";
import type { Tx } from "../store/sql.server";
import { addJob, prismaSql, removeJob } from "../jobs/queue.server";
import type { NormalizedFulfillment, NormalizedOrder } from "../webhooks/normalize";
import { flowEmailBatcher } from "../email/send-batcher.server";
import { DEFAULT_EMAIL_SETTINGS, getEmailSettings } from "../email/settings.server";
import { renderMarketingEmail } from "../email/templates/marketing-email";
import { DEFAULT_COPY, EMAIL_LOCALES, resolveEmailLocale, UI_COPY, type EmailLocale, type MessageCopy } from "../email/templates/copy";
import { ensureCustomerConsent } from "../shops/customer-consent.server";
import { flowClock } from "./clock";
import { giveUpRefusedSend, planAfterRefusal } from "./refused-sends.server";
import { RetryableSendError } from "../email/outbound.server";

/**
 * Cross-sell: "You might also like" after a purchase or after delivery, with the
 * store's own co-purchase recommendations for what was bought, never what the
 * customer already owns. Carriers do not always report delivery, so an order that
 * is never marked delivered still gets its email after a fallback wait.
 */
export const CROSS_SELL = "cross_sell";
export const CROSS_SELL_TASK = "flow.cross-sell.send";
const DELIVERY_FALLBACK_DAYS = 14;
export const crossSellJobKey = (shop: string, orderId: string) => `cross-sell:${shop}:${orderId}`;

const copySchema = z.object({ subject: z.string().trim().min(1, "Subject can't be empty").max(150), previewText: z.string().trim().max(200), heading: z.string().max(150), body: z.string().max(2000) });
export const crossSellSettingsSchema = z.object({
  trigger: z.enum(["purchase", "delivery"], { errorMap: () => ({ message: "Choose after purchase or after delivery" }) }),
  delayDays: z.number({ invalid_type_error: "Enter a number of days" }).min(0, "The wait can't be negative").max(90, "At most 90 days"),
  productCount: z.number().int().min(1, "Show at least 1 product").max(8, "At most 8 products"),
  copy: z.record(z.enum(EMAIL_LOCALES as [EmailLocale, ...EmailLocale[]]), copySchema),
});
export type CrossSellSettings = z.infer<typeof crossSellSettingsSchema>;

export function defaultCrossSellSettings(): CrossSellSettings {
  return { trigger: "delivery", delayDays: 7, productCount: 4, copy: structuredClone(DEFAULT_COPY.cross_sell) };
}

export async function getCrossSell(shop: string, tx: Tx | typeof prisma = prisma) {
  return crossSellFlow(await tx.flow.findUnique({ where: { shop_key: { shop, key: CROSS_SELL } } }));
}

/** The flow's switch and settings from its row (stored settings that no longer validate fall back to the defaults). */
function crossSellFlow(row: { enabled: boolean | null; settings: unknown } | null) {
  const parsed = row?.settings ? crossSellSettingsSchema.safeParse(row.settings) : null;
  return { enabled: row?.enabled ?? false, settings: parsed?.success ? parsed.data : defaultCrossSellSettings() };
}

export async function saveCrossSell(shop: string, enabled: boolean, settings: CrossSellSettings) {
  await prisma.flow.upsert({
    where: { shop_key: { shop, key: CROSS_SELL } },
    create: { shop, key: CROSS_SELL, enabled, settings: settings as object },
    update: { enabled, settings: settings as object, updatedAt: new Date() },
  });
}

export function crossSellSettingsFromForm(form: FormData, current: CrossSellSettings) {
  const candidate = structuredClone(current) as CrossSellSettings;
  candidate.trigger = String(form.get("trigger") ?? current.trigger) as CrossSellSettings["trigger"];
  candidate.delayDays = form.get("delay_days") === "" ? NaN : Number(form.get("delay_days") ?? current.delayDays);
  candidate.productCount = Number(form.get("product_count") ?? current.productCount);
  for (const locale of EMAIL_LOCALES) {
    const copy = (candidate.copy[locale] ??= { ...DEFAULT_COPY.cross_sell[locale] });
    if (form.get(`subject_${locale}`) !== null) copy.subject = String(form.get(`subject_${locale}`));
    if (form.get(`preview_${locale}`) !== null) copy.previewText = String(form.get(`preview_${locale}`));
  }
  const parsed = crossSellSettingsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true as const, settings: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const [field, locale, sub] = issue.path;
    const name = field === "delayDays" ? "delay_days" : field === "productCount" ? "product_count" : field === "copy" ? `${sub === "previewText" ? "preview" : "subject"}_${locale}` : String(field);
    errors[name] ??= issue.message;
  }
  return { ok: false as const, errors };
}

async function startRun(tx: Tx, shop: string, order: { id: string; customerId: string | null; email: string | null; locale: string | null }, dueAt: Date) {
  const run = await tx.flowRun.upsert({
    where: { shop_flowKey_subjectKey: { shop, flowKey: CROSS_SELL, subjectKey: order.id } },
    create: { id: randomUUID(), shop, flowKey: CROSS_SELL, subjectKey: order.id, customerId: order.customerId, email: order.email, locale: order.locale, anchorAt: dueAt, nextRunAt: dueAt },
    update: { anchorAt: dueAt, nextRunAt: dueAt },
  });
  if (run.endedAt) return;
  await addJob(prismaSql(tx), CROSS_SELL_TASK, { shop, runId: run.id }, { jobKey: crossSellJobKey(shop, order.id), jobKeyMode: "replace", runAt: flowClock.jobTime(dueAt), maxAttempts: 10 });
}

// Every order asks both questions (was it bought after a click on a cross-sell email?
// is the flow on?), so one plain statement answers them; three Prisma reads before.
const ORDER_FACTS = `
SELECT f.enabled, f.settings,
  (SELECT m.flow_run_id FROM email_message m
   WHERE m.shop = $1 AND m.flow_id = $2
     AND m.clicked_at <= $3::timestamptz
     AND m.clicked_at >= $3::timestamptz - make_interval(days => COALESCE((SELECT click_attribution_days FROM shop_email_settings WHERE shop = $1), $4::int))
     AND (($5::text IS NOT NULL AND m.customer_id = $5) OR ($5::text IS NULL AND m.email = $6))
   ORDER BY m.clicked_at DESC LIMIT 1) AS "clickedRunId"
FROM (SELECT 1) AS one LEFT JOIN flow f ON f.shop = $1 AND f.key = $2`;

/** order.created: schedule after purchase, or the delivery fallback; also credit earlier cross-sells. */
export async function onOrderForCrossSell(tx: Tx, shop: string, order: NormalizedOrder) {
  const [facts] = (await tx.$queryRawUnsafe(
    ORDER_FACTS,
    shop,
    CROSS_SELL,
    order.createdAt.toISOString(),
    DEFAULT_EMAIL_SETTINGS.clickAttributionDays,
    order.customerId,
    order.email,
  )) as Array<{ enabled: boolean | null; settings: unknown; clickedRunId: string | null }>;
  // An order after a click on a cross-sell email (within the click window) is credited to it:
  // to one run only (the email clicked last), and never twice (the flow's unique index on the
  // credited order would refuse a replayed order and fail its webhook).
  if (facts.clickedRunId) {
    await tx.$executeRawUnsafe(
      `UPDATE flow_run r SET state = 'converted', converted_order_id = $3, revenue_minor = $4, currency = $5
        WHERE r.id = $2 AND r.converted_order_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM flow_run o WHERE o.shop = $1 AND o.flow_key = r.flow_key AND o.converted_order_id = $3)`,
      shop,
      facts.clickedRunId,
      order.id,
      order.totalMinor,
      order.currency,
    );
  }
  const { enabled, settings } = crossSellFlow(facts);
  if (!enabled || !order.email || order.cancelledAt) return;
  const day = 86_400_000;
  const dueAt = settings.trigger === "purchase"
    ? new Date(order.createdAt.getTime() + settings.delayDays * day)
    : new Date(order.createdAt.getTime() + (DELIVERY_FALLBACK_DAYS + settings.delayDays) * day);
  await startRun(tx, shop, { id: order.id, customerId: order.customerId, email: order.email, locale: order.customerLocale }, dueAt);
}

/** fulfillment.delivered: the real delivery replaces the fallback. */
export async function onDeliveredForCrossSell(tx: Tx, shop: string, fulfillment: NormalizedFulfillment) {
  const { enabled, settings } = await getCrossSell(shop, tx);
  if (!enabled || settings.trigger !== "delivery" || !fulfillment.deliveredAt) return;
  const order = await tx.order.findUnique({ where: { shop_id: { shop, id: fulfillment.orderId } } });
  if (!order?.email || order.cancelledAt || order.deletedAt) return;
  const dueAt = new Date(fulfillment.deliveredAt.getTime() + settings.delayDays * 86_400_000);
  await startRun(tx, shop, { id: order.id, customerId: order.customerId, email: order.email, locale: null }, dueAt);
}

/**
 * A cancelled or deleted order gets no "you might also like" (refused as fraud, out
 * of stock, the shopper changed their mind, a test order). Its waiting run ends now,
 * so the flow's page says why; the send checks the order again in case the run is
 * started later.
 */
export async function endCrossSellForOrder(tx: Tx, shop: string, orderId: string, reason: "order_cancelled" | "order_deleted") {
  const ended = await tx.flowRun.updateMany({
    where: { shop, flowKey: CROSS_SELL, subjectKey: orderId, state: "waiting", endedAt: null },
    data: { state: "exited", exitReason: reason, endedAt: flowClock.now(), nextRunAt: null },
  });
  if (ended.count) await removeJob(prismaSql(tx), crossSellJobKey(shop, orderId));
}

/** Recommendations for the order's products, summed, never something the customer already bought. */
export async function crossSellProducts(shop: string, orderId: string, customerId: string | null, email: string | null, count: number) {
  const { rows } = await (await import("../db.server")).pool.query<{ id: string; title: string; handle: string | null; url: string | null; image_url: string | null; price_minor: number | null; currency: string | null }>(
    `WITH bought AS (
       SELECT DISTINCT l.product_id FROM order_line l JOIN "order" o ON o.shop = l.shop AND o.id = l.order_id
       WHERE l.shop = $1 AND l.product_id IS NOT NULL AND (o.id = $2 OR ($3::text IS NOT NULL AND o.customer_id = $3) OR ($4::text IS NOT NULL AND o.email = $4))
     ),
     candidates AS (
       -- Scores compare only within a source (co-purchase cosines, fallbacks relative to a best seller):
       -- rank by the strongest source, then by the score summed over the order's products.
       SELECT r.recommended_product_id AS id,
              min(CASE r.source WHEN 'pinned' THEN 0 WHEN 'copurchase' THEN 1 WHEN 'collection' THEN 2 WHEN 'product_type' THEN 3 ELSE 4 END) AS source_rank,
              sum(r.score) AS score
       FROM product_recommendation r
       WHERE r.shop = $1 AND r.product_id IN (SELECT product_id FROM order_line WHERE shop = $1 AND order_id = $2)
         AND r.recommended_product_id NOT IN (SELECT product_id FROM bought)
       GROUP BY 1
     )
     SELECT p.id, p.title, p.handle, p.url, p.image_url, p.price_minor, p.currency FROM candidates c JOIN product p ON p.shop = $1 AND p.id = c.id
     WHERE p.deleted_at IS NULL AND p.status = 'active' AND p.available AND NOT p.is_gift_card
     ORDER BY c.source_rank, c.score DESC, p.id LIMIT $5`,
    [shop, orderId, customerId, email, count],
  );
  return rows;
}

export const crossSellSend: Task = async (raw) => {
  const { shop, runId, refusedSince: refusedSinceRaw } = raw as { shop: string; runId: string; refusedSince?: string };
  const run = await prisma.flowRun.findUnique({ where: { id: runId } });
  if (!run || run.endedAt || run.state !== "waiting") return;
  const [{ enabled, settings }, shopRow] = await Promise.all([getCrossSell(shop), prisma.shop.findUnique({ where: { domain: shop } })]);
  const end = (state: string, exitReason: string | null) => prisma.flowRun.update({ where: { id: run.id }, data: { state, exitReason, endedAt: flowClock.now(), nextRunAt: null } });
  // Uninstall cancels pending jobs; this catches one that was running then, or scheduled by a late delivery
  // (before the Admin API call below, which an uninstalled shop's token can no longer make).
  if (!shopRow || shopRow.uninstalledAt) return void (await end("exited", "shop_uninstalled"));
  if (!enabled) return void (await end("exited", "flow_turned_off"));
  if (!run.email) return void (await end("skipped", "no_email"));
  const order = await prisma.order.findUnique({ where: { shop_id: { shop, id: run.subjectKey } }, select: { cancelledAt: true, deletedAt: true, financialStatus: true } });
  if (order?.deletedAt) return void (await end("exited", "order_deleted"));
  if (order?.cancelledAt) return void (await end("exited", "order_cancelled"));
  // Everything sent back: "more like this" is the wrong note to strike. (A voided payment comes with a cancellation, handled above.)
  if (order?.financialStatus === "refunded") return void (await end("exited", "order_refunded"));
  if (run.customerId) await ensureCustomerConsent(shop, run.customerId);
  const products = await crossSellProducts(shop, run.subjectKey, run.customerId, run.email, settings.productCount);
  if (!products.length) {
    await prisma.flowStepRun.create({ data: { runId: run.id, shop, stepKey: "email", status: "skipped", reason: "no_recommendations" } });
    return void (await end("skipped", "no_recommendations"));
  }
  const [emailSettings, customer] = await Promise.all([
    getEmailSettings(shop),
    run.customerId ? prisma.customer.findUnique({ where: { shop_id: { shop, id: run.customerId } } }) : null,
  ]);
  const locale = resolveEmailLocale(run.locale ?? customer?.locale, shopRow?.primaryLocale);
  const sent = await flowEmailBatcher.send({
    shop,
    sendKey: `${run.id}:email`,
    flowId: CROSS_SELL,
    flowRunId: run.id,
    stepKey: "email",
    customerId: run.customerId,
    email: run.email,
    locale,
    marketing: true,
    now: flowClock.now(),
    render: (ctx) =>
      renderMarketingEmail({
        locale,
        copy: (settings.copy[locale] ?? DEFAULT_COPY.cross_sell[locale]) as MessageCopy,
        shop: { name: shopRow?.name ?? shop, address: shopRow?.address ?? null, accentColor: emailSettings.accentColor, logoUrl: emailSettings.logoUrl },
        firstName: customer?.firstName ?? null,
        items: products.map((product) => ({
          title: product.title,
          imageUrl: product.image_url,
          unitPriceMinor: product.price_minor,
          currency: product.currency ?? shopRow?.currency ?? "USD",
          url: product.url ?? `https://${shop}/products/${product.handle ?? product.id}`,
        })),
        cta: { url: products[0].url ?? `https://${shop}/products/${products[0].handle ?? products[0].id}`, label: UI_COPY[locale].ctaCrossSell },
        linkWrapper: ctx.linkWrapper,
        unsubscribeUrl: ctx.unsubscribeUrl,
        openPixelUrl: ctx.openPixelUrl,
        timeZone: ctx.timeZone,
      }),
  }).catch((error: unknown) => {
    if (error instanceof RetryableSendError) return error;
    throw error;
  });
  const record = (status: string, reason: string | null, messageId: string) =>
    prisma.flowStepRun.upsert({
      where: { runId_stepKey: { runId: run.id, stepKey: "email" } },
      create: { runId: run.id, shop, stepKey: "email", status, reason, messageId },
      update: { status, reason, messageId },
    });
  if (sent instanceof RetryableSendError) {
    // Nothing was accepted and the ledger row is 'claimed' again: the same send key is tried later, using no attempt.
    const plan = planAfterRefusal(refusedSinceRaw ? new Date(refusedSinceRaw) : null, flowClock.now(), sent.retryAfterSeconds);
    if (plan.giveUp) {
      await giveUpRefusedSend(`${shop}: cross-sell email of run ${run.id}`, sent, plan.refusedForMs);
      await record("failed", "send_refused", sent.messageId);
      return void (await end("skipped", "send_refused"));
    }
    await record("deferred", "send_refused", sent.messageId);
    await addJob(prismaSql(prisma), CROSS_SELL_TASK, { shop, runId, refusedSince: plan.refusedSince.toISOString() }, { jobKey: crossSellJobKey(shop, run.subjectKey), runAt: flowClock.jobTime(plan.retryAt), maxAttempts: 10 });
    return;
  }
  const result = sent;
  const recordResult = (status: string, reason: string | null) => record(status, reason, result.messageId);
  if (result.status === "deferred") {
    await recordResult("deferred", result.reason);
    // A refusal before the deferral still counts towards giving up.
    await addJob(prismaSql(prisma), CROSS_SELL_TASK, { shop, runId, ...(refusedSinceRaw ? { refusedSince: refusedSinceRaw } : {}) }, { jobKey: crossSellJobKey(shop, run.subjectKey), runAt: flowClock.jobTime(result.until), maxAttempts: 10 });
    return;
  }
  if (result.status === "skipped") {
    await recordResult("skipped", result.reason);
    return void (await end("skipped", result.reason));
  }
  if (result.status === "failed") {
    await recordResult("failed", result.error);
    return void (await end("skipped", "send_failed"));
  }
  await recordResult("sent", null);
  await prisma.flowRun.update({ where: { id: run.id }, data: { state: "sent", nextRunAt: null } });
};
