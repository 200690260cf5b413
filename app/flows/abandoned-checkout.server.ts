import { createHash, randomUUID } from "node:crypto";
import type { Task } from "graphile-worker";
import prisma from "../db.server";
import type { Tx } from "../store/sql.server";
import { addJob, prismaSql, removeJob } from "../jobs/queue.server";
import type { NormalizedCheckout, NormalizedOrder } from "../webhooks/normalize";
import { sendMarketingEmail } from "../email/outbound.server";
import { getEmailSettings } from "../email/settings.server";
import { renderMarketingEmail, type EmailItem } from "../email/templates/marketing-email";
import { DEFAULT_COPY, resolveEmailLocale, type MessageCopy } from "../email/templates/copy";
import { unauthenticated } from "../shopify.server";
import { adminQuery, AdminApiError, type AdminGraphql } from "../shops/admin-graphql";
import { ABANDONED_CHECKOUT, defaultAbandonedCheckoutSettings, flowSettingsSchema, type FlowSettings } from "./settings";
import { flowClock } from "./clock";
import { ensureCustomerConsent } from "../shops/customer-consent.server";

/**
 * Abandoned checkout recovery. A checkout with an email starts (or refreshes) one
 * run; every update resets its single timer (a job keyed on the checkout), so a
 * shopper who keeps editing gets nothing until they stop. Each step re-checks the
 * purchase before sending, sends through the shared email path (consent,
 * suppression, quiet hours, smart sending, idempotency per run and step), and
 * schedules the next. An order that matches ends the run at once.
 */
export const STEP_TASK = "flow.abandoned-checkout.step";
const timerKey = (shop: string, token: string) => `abandoned:${shop}:${token}`;

export async function getFlow(shop: string, key = ABANDONED_CHECKOUT) {
  const row = await prisma.flow.findUnique({ where: { shop_key: { shop, key } } });
  const settings = row ? flowSettingsSchema.safeParse(row.settings) : null;
  return { enabled: row?.enabled ?? false, settings: settings?.success ? settings.data : defaultAbandonedCheckoutSettings() };
}

export async function saveFlow(shop: string, enabled: boolean, settings: FlowSettings, key = ABANDONED_CHECKOUT) {
  await prisma.flow.upsert({
    where: { shop_key: { shop, key } },
    create: { shop, key, enabled, settings: settings as object },
    update: { enabled, settings: settings as object, updatedAt: new Date() },
  });
}

/** checkout.changed, inside the webhook's transaction. */
export async function onCheckoutChanged(tx: Tx, shop: string, checkout: NormalizedCheckout) {
  if (!checkout.email || checkout.completedAt) return;
  const flow = await tx.flow.findUnique({ where: { shop_key: { shop, key: ABANDONED_CHECKOUT } } });
  if (!flow?.enabled) return;
  const settings = flowSettingsSchema.parse(flow.settings);
  const alreadyOrdered = await tx.order.findFirst({
    where: { shop, OR: [{ checkoutToken: checkout.token }, ...(checkout.cartToken ? [{ cartToken: checkout.cartToken }] : [])] },
    select: { id: true },
  });
  if (alreadyOrdered) return;
  const anchorAt = checkout.updatedAt ?? flowClock.now();
  const existing = await tx.flowRun.findUnique({ where: { shop_flowKey_subjectKey: { shop, flowKey: ABANDONED_CHECKOUT, subjectKey: checkout.token } } });
  if (existing && (existing.state !== "waiting" || existing.currentStep > 0)) {
    // Emails already started: later edits do not restart the sequence.
    await tx.flowRun.update({ where: { id: existing.id }, data: { email: checkout.email, locale: checkout.customerLocale ?? existing.locale } });
    return;
  }
  const first = settings.steps.find((step) => step.enabled)!;
  const runAt = new Date(anchorAt.getTime() + first.delayMinutes * 60_000);
  const run = await tx.flowRun.upsert({
    where: { shop_flowKey_subjectKey: { shop, flowKey: ABANDONED_CHECKOUT, subjectKey: checkout.token } },
    create: {
      id: randomUUID(),
      shop,
      flowKey: ABANDONED_CHECKOUT,
      subjectKey: checkout.token,
      checkoutToken: checkout.token,
      cartToken: checkout.cartToken,
      customerId: checkout.customerId,
      email: checkout.email,
      locale: checkout.customerLocale,
      anchorAt,
      nextRunAt: runAt,
    },
    update: { email: checkout.email, customerId: checkout.customerId, locale: checkout.customerLocale, anchorAt, nextRunAt: runAt },
  });
  // One timer per checkout: replacing the keyed job debounces a shopper who keeps editing.
  await addJob(prismaSql(tx), STEP_TASK, { shop, runId: run.id, step: 0 }, { jobKey: timerKey(shop, checkout.token), jobKeyMode: "replace", runAt: flowClock.jobTime(runAt), maxAttempts: 10 });
}

/** order.created, inside the webhook's transaction: exit matching runs at once, credit recoveries. */
export async function onOrderCreated(tx: Tx, shop: string, order: NormalizedOrder) {
  const runs = await tx.flowRun.findMany({
    where: {
      shop,
      flowKey: ABANDONED_CHECKOUT,
      endedAt: null,
      OR: [
        ...(order.checkoutToken ? [{ checkoutToken: order.checkoutToken }] : []),
        ...(order.cartToken ? [{ cartToken: order.cartToken }] : []),
        ...(order.customerId ? [{ customerId: order.customerId }] : []),
        ...(order.email ? [{ email: order.email }] : []),
      ],
    },
    include: { steps: true },
  });
  if (!runs.length) return;
  const settings = (await getFlowTx(tx, shop)).settings;
  const emailSettings = await getEmailSettings(shop, tx);
  for (const run of runs) {
    const sameCheckout = Boolean(order.checkoutToken && order.checkoutToken === run.checkoutToken) || Boolean(order.cartToken && order.cartToken === run.cartToken);
    const sinceAnchor = order.createdAt.getTime() - run.anchorAt.getTime();
    // Another order by the same person counts only if it came after they abandoned, within the window.
    const withinWindow = sinceAnchor >= -60_000 && sinceAnchor <= settings.exitWindowDays * 86_400_000;
    if (!sameCheckout && !withinWindow) continue;
    const emailed = run.steps.some((step) => step.status === "sent");
    const clickCutoff = new Date(order.createdAt.getTime() - emailSettings.clickAttributionDays * 86_400_000);
    const clicked = emailed
      ? await tx.emailMessage.count({ where: { shop, flowRunId: run.id, clickedAt: { gte: clickCutoff, lte: order.createdAt } } })
      : 0;
    // Credited when it completes the recovered checkout after an email, or follows a click within the window.
    const converted = (emailed && sameCheckout) || clicked > 0;
    await tx.flowRun.update({
      where: { id: run.id },
      data: converted
        ? { state: "converted", endedAt: flowClock.now(), convertedOrderId: order.id, revenueMinor: order.totalMinor, currency: order.currency, exitReason: "purchased", nextRunAt: null }
        : { state: "exited", endedAt: flowClock.now(), exitReason: emailed ? "purchased_without_email_attribution" : "purchased_before_email", nextRunAt: null },
    });
    if (run.checkoutToken) await removeJob(prismaSql(tx), timerKey(shop, run.checkoutToken));
  }
}

async function getFlowTx(tx: Tx, shop: string) {
  const row = await tx.flow.findUnique({ where: { shop_key: { shop, key: ABANDONED_CHECKOUT } } });
  const parsed = row ? flowSettingsSchema.safeParse(row.settings) : null;
  return { enabled: row?.enabled ?? false, settings: parsed?.success ? parsed.data : defaultAbandonedCheckoutSettings() };
}

async function recordStep(runId: string, shop: string, stepKey: string, status: string, reason: string | null, messageId: string | null) {
  await prisma.flowStepRun.upsert({
    where: { runId_stepKey: { runId, stepKey } },
    create: { runId, shop, stepKey, status, reason, messageId, at: flowClock.now() },
    update: { status, reason, messageId, at: flowClock.now() },
  });
}

/** The step job: re-check, send, schedule the next step. */
export const abandonedCheckoutStep: Task = async (raw) => {
  const { shop, runId, step: stepIndex } = raw as { shop: string; runId: string; step: number };
  const run = await prisma.flowRun.findUnique({ where: { id: runId } });
  if (!run || run.endedAt || !["waiting", "sent"].includes(run.state)) return;
  const { enabled, settings } = await getFlow(shop);
  const step = settings.steps[stepIndex];
  const end = (state: string, exitReason: string) =>
    prisma.flowRun.update({ where: { id: run.id }, data: { state, exitReason, endedAt: flowClock.now(), nextRunAt: null } });
  if (!enabled) return void (await end("exited", "flow_turned_off"));
  if (!step) return void (await end(run.state === "sent" ? "completed" : "exited", "no_more_steps"));

  const scheduleNext = async () => {
    const nextIndex = settings.steps.findIndex((candidate, index) => index > stepIndex && candidate.enabled);
    if (nextIndex < 0) {
      await prisma.flowRun.update({ where: { id: run.id }, data: { state: run.state === "sent" || (await sentAny(run.id)) ? "completed" : "skipped", endedAt: flowClock.now(), nextRunAt: null } });
      return;
    }
    const runAt = new Date(run.anchorAt.getTime() + settings.steps[nextIndex].delayMinutes * 60_000);
    await prisma.$transaction(async (tx) => {
      await tx.flowRun.update({ where: { id: run.id }, data: { currentStep: nextIndex, nextRunAt: runAt } });
      await addJob(prismaSql(tx), STEP_TASK, { shop, runId, step: nextIndex }, { jobKey: timerKey(shop, run.subjectKey), runAt: flowClock.jobTime(runAt), maxAttempts: 10 });
    });
  };
  if (!step.enabled) return scheduleNext();

  // Bought in the meantime (a webhook may have been missed): exit, don't email.
  const purchase = await prisma.order.findFirst({
    where: {
      shop,
      OR: [
        ...(run.checkoutToken ? [{ checkoutToken: run.checkoutToken }] : []),
        ...(run.cartToken ? [{ cartToken: run.cartToken }] : []),
        ...(run.customerId ? [{ customerId: run.customerId, shopifyCreatedAt: { gte: run.anchorAt } }] : []),
        ...(run.email ? [{ email: run.email, shopifyCreatedAt: { gte: run.anchorAt } }] : []),
      ],
    },
    select: { id: true },
  });
  if (purchase) {
    await recordStep(run.id, shop, step.key, "skipped", "purchased", null);
    return void (await end("exited", "purchased"));
  }
  if (!run.email) return void (await end("exited", "no_email"));

  // Consent is not in customer webhooks (API 2025-01+): read it from the Admin API the first time.
  if (run.customerId) await ensureCustomerConsent(shop, run.customerId);
  const checkout = await prisma.checkout.findUnique({ where: { shop_token: { shop, token: run.subjectKey } } });
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop } });
  const emailSettings = await getEmailSettings(shop);
  const customer = run.customerId ? await prisma.customer.findUnique({ where: { shop_id: { shop, id: run.customerId } } }) : null;
  const locale = resolveEmailLocale(run.locale ?? customer?.locale, shopRow?.primaryLocale);

  let discount: { code: string; percent: number; expiresAt: Date } | null = null;
  if (step.discount?.enabled) {
    discount = await ensureDiscountCode(shop, run.id, run.customerId, step.discount.percent, step.discount.expiresHours);
  }
  const items = await emailItems(shop, checkout?.lineItems as never, checkout?.currency ?? shopRow?.currency ?? "USD");
  const result = await sendMarketingEmail({
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
    render: (ctx) =>
      renderMarketingEmail({
        locale,
        copy: (step.copy[locale] ?? step.copy.en ?? DEFAULT_COPY.abandoned_1.en) as MessageCopy,
        shop: { name: shopRow?.name ?? shop, address: shopRow?.address ?? null, accentColor: emailSettings.accentColor, logoUrl: emailSettings.logoUrl },
        firstName: customer?.firstName ?? null,
        items,
        cta: { url: checkout?.recoveryUrl ?? `https://${shop}/cart` },
        discount,
        linkWrapper: ctx.linkWrapper,
        unsubscribeUrl: ctx.unsubscribeUrl,
        openPixelUrl: ctx.openPixelUrl,
      }),
  }); // RetryableSendError propagates: the queue retries with the same send key

  switch (result.status) {
    case "deferred": {
      // Quiet hours: the same step, at the next allowed minute.
      await recordStep(run.id, shop, step.key, "deferred", result.reason, result.messageId);
      await addJob(prismaSql(prisma), STEP_TASK, { shop, runId, step: stepIndex }, { jobKey: timerKey(shop, run.subjectKey), runAt: flowClock.jobTime(result.until), maxAttempts: 10 });
      await prisma.flowRun.update({ where: { id: run.id }, data: { nextRunAt: result.until } });
      return;
    }
    case "skipped": {
      await recordStep(run.id, shop, step.key, "skipped", result.reason, result.messageId);
      // Without consent or on the suppression list, no later step may send either.
      if (result.reason === "no_consent" || result.reason === "suppressed" || result.reason === "no_email") return void (await end("skipped", result.reason));
      return scheduleNext();
    }
    case "failed":
      await recordStep(run.id, shop, step.key, "failed", result.error, result.messageId);
      return scheduleNext();
    default:
      // sent, captured, already_sent, uncertain: never send this step again.
      await recordStep(run.id, shop, step.key, "sent", result.status === "sent" || result.status === "captured" ? null : result.status, result.messageId);
      await prisma.flowRun.update({ where: { id: run.id }, data: { state: "sent" } });
      run.state = "sent";
      return scheduleNext();
  }
};

async function sentAny(runId: string) {
  return (await prisma.flowStepRun.count({ where: { runId, status: "sent" } })) > 0;
}

/** Product images and links for the checkout's lines, from the catalog we hold. */
export async function emailItems(shop: string, lines: Array<{ productId: string | null; title: string; variantTitle: string | null; quantity: number; unitPriceMinor: number }> | null, currency: string): Promise<EmailItem[]> {
  const list = Array.isArray(lines) ? lines : [];
  const products = await prisma.product.findMany({ where: { shop, id: { in: list.map((line) => line.productId).filter((id): id is string => Boolean(id)) } } });
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
export { DISCOUNT_MUTATION };

/** A unique single-use code for this run, created once through the Admin API (a retry finds it already made). */
async function ensureDiscountCode(shop: string, runId: string, customerId: string | null, percent: number, expiresHours: number) {
  const run = await prisma.flowRun.findUniqueOrThrow({ where: { id: runId } });
  const expiresAt = new Date(run.anchorAt.getTime() + 24 * 3600_000 + expiresHours * 3600_000);
  const code = run.discountCode ?? `BACK-${createHash("sha256").update(runId).digest("hex").slice(0, 8).toUpperCase()}`;
  if (run.discountCode) return { code, percent, expiresAt };
  const { admin } = await unauthenticated.admin(shop);
  try {
    const data = await adminQuery<{ discountCodeBasicCreate: { userErrors: Array<{ code: string | null; message: string }> } }>(admin.graphql as unknown as AdminGraphql, DISCOUNT_MUTATION, {
      discount: {
        title: `Pathwise recovery ${code}`,
        code,
        startsAt: flowClock.now().toISOString(),
        endsAt: expiresAt.toISOString(),
        usageLimit: 1,
        appliesOncePerCustomer: true,
        customerSelection: customerId ? { customers: { add: [`gid://shopify/Customer/${customerId}`] } } : { all: true },
        customerGets: { value: { percentage: percent / 100 }, items: { all: true } },
      },
    });
    const errors = data.discountCodeBasicCreate.userErrors.filter((error) => error.code !== "TAKEN");
    if (errors.length) throw new AdminApiError(errors.map((error) => error.message).join("; "));
  } finally {
    // (errors propagate: the step job is retried by the queue and finds the code if it was made)
  }
  await prisma.flowRun.update({ where: { id: runId }, data: { discountCode: code } });
  return { code, percent, expiresAt };
}
