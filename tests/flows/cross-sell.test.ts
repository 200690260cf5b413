import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, drainJobs, installShop, samplePayload, orderTotal } from "../support/shopify";
import { flowClock } from "../../app/flows/clock";
import { startSendgridFake, type SendgridFake } from "../email/support/sendgrid-fake";

const SHOP = "cross-sell.myshopify.com";
const now = new Date("2026-11-10T15:00:00.000Z"); // daytime in New York
const DAY = 86_400_000;

async function moveClockTo(at: Date) {
  const { pool } = await import("../../app/db.server");
  const shift = at.getTime() - flowClock.now().getTime();
  flowClock.set(at);
  await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = run_at - make_interval(secs => $1::float8 / 1000) WHERE locked_at IS NULL`, [shift]);
  for (let i = 0; i < 3; i++) await drainJobs();
}

const order = (id: number, productIds: number[], customerId: number, createdAt: Date) => ({
  ...samplePayload("orders/create"),
  id,
  email: `buyer${customerId}@example.com`,
  customer: { id: customerId, email: `buyer${customerId}@example.com`, first_name: "Ploy" },
  customer_locale: "th",
  cancelled_at: null,
  created_at: createdAt.toISOString(),
  updated_at: createdAt.toISOString(),
  line_items: productIds.map((productId, index) => ({ id: id * 10 + index, product_id: productId, variant_id: productId * 10, title: `Product ${productId}`, quantity: 1, price: "10.00" })),
});

beforeAll(async () => {
  flowClock.set(now);
  delete process.env.SENDGRID_API_KEY;
  await installShop(SHOP, { timezone: "America/New_York" });
  const { default: prisma } = await import("../../app/db.server");
  for (const id of [1, 2, 3, 4, 5, 6]) {
    await prisma.product.create({ data: { shop: SHOP, id: String(id), title: `Product ${id}`, handle: `product-${id}`, priceMinor: 1000 + id, currency: "USD", imageUrl: `https://cdn.example/${id}.png` } });
  }
  // Precomputed co-purchase lists: 1 -> 2, 3, 4, 5; 2 -> 1, 4, 6
  const lists: Record<string, string[]> = { "1": ["2", "3", "4", "5"], "2": ["1", "4", "6"] };
  for (const [productId, recs] of Object.entries(lists)) {
    await prisma.productRecommendation.createMany({ data: recs.map((rec, rank) => ({ shop: SHOP, productId, rank, recommendedProductId: rec, score: 1 - rank / 10, source: "copurchase" })) });
  }
  for (const customerId of [31, 32]) {
    await deliver({ shop: SHOP, topic: "customers_email_marketing_consent/update", body: { customer_id: customerId, email_address: `buyer${customerId}@example.com`, email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T00:00:00Z" } } });
  }
  await drainJobs();
});

afterAll(() => flowClock.reset());

/** Emails of any status the shop's ledger holds for buyer N (the order fixture's address). */
async function emailsTo(customerId: number) {
  const { default: prisma } = await import("../../app/db.server");
  return prisma.emailMessage.count({ where: { shop: SHOP, email: `buyer${customerId}@example.com` } });
}

describe("cross-sell after delivery", () => {
  it("waits for delivery (with a fallback), then recommends what goes with the order and never what the customer owns", async () => {
    const { saveCrossSell, defaultCrossSellSettings } = await import("../../app/flows/cross-sell.server");
    await saveCrossSell(SHOP, true, defaultCrossSellSettings()); // after delivery, 7 days
    // Bought product 5 a month ago: it must not be recommended.
    await deliver({ shop: SHOP, topic: "orders/create", body: order(9001, [5], 31, new Date(now.getTime() - 30 * DAY)) });
    await deliver({ shop: SHOP, topic: "orders/create", body: order(9002, [1, 2], 31, now) });
    await drainJobs();
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "cross_sell", subjectKey: "9002" } });
    expect(run.nextRunAt?.toISOString()).toBe(new Date(now.getTime() + 21 * DAY).toISOString()); // 14-day delivery fallback + 7

    await deliver({ shop: SHOP, topic: "fulfillments/update", body: { ...samplePayload("fulfillments/update"), id: 77001, order_id: 9002, shipment_status: "delivered", updated_at: new Date(now.getTime() + 3 * DAY).toISOString() } });
    await moveClockTo(new Date(now.getTime() + 3 * DAY + 60_000));
    expect(await prisma.emailMessage.count({ where: { shop: SHOP, flowId: "cross_sell" } })).toBe(0);
    await moveClockTo(new Date(now.getTime() + 10 * DAY + 120_000));
    const [message] = await prisma.emailMessage.findMany({ where: { shop: SHOP, flowId: "cross_sell", status: "captured" } });
    expect(message.subject).toBe("คุณอาจชอบสินค้าเหล่านี้");
    expect(message.html).toContain("Product 4");
    expect(message.html).toContain("Product 3");
    expect(message.html).not.toContain("Product 5");
    expect(message.html).not.toMatch(/>Product 1</);
    const { crossSellProducts } = await import("../../app/flows/cross-sell.server");
    const ids = (await crossSellProducts(SHOP, "9002", "31", null, 4)).map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const owned of ["1", "2", "5"]) expect(ids).not.toContain(owned);
  });

  it("credits an order that follows a click on the email, with its revenue", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const message = await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowId: "cross_sell" } });
    await prisma.emailMessage.update({ where: { id: message.id }, data: { clickedAt: flowClock.now() } });
    await deliver({ shop: SHOP, topic: "orders/create", body: { ...order(9003, [4], 31, new Date(flowClock.now().getTime() + DAY)), ...orderTotal("25.00") } });
    await drainJobs();
    const run = await prisma.flowRun.findUniqueOrThrow({ where: { id: message.flowRunId } });
    expect(run).toMatchObject({ state: "converted", convertedOrderId: "9003", revenueMinor: 2500 });
  });

  it("credits a guest's order by email, and no order placed after the click window", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const message = await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowId: "cross_sell" } });
    const clickedAt = new Date(flowClock.now().getTime() + 2 * DAY);
    const runs = await Promise.all(
      ["late", "guest"].map((tag) =>
        prisma.flowRun.create({ data: { id: `${tag}-${message.flowRunId}`, shop: SHOP, flowKey: "cross_sell", subjectKey: `${tag}-order`, email: "guest@example.com", anchorAt: clickedAt, state: "completed" } }),
      ),
    );
    for (const run of runs) {
      await prisma.emailMessage.create({
        data: { ...message, id: `${run.id}-message`, sendKey: `${run.id}-key`, flowRunId: run.id, customerId: run.id.startsWith("late") ? "31" : null, email: "guest@example.com", clickedAt },
      });
    }
    // 6 days after the customer's click (window 5): not credited.
    await deliver({ shop: SHOP, topic: "orders/create", body: { ...order(9104, [3], 31, new Date(clickedAt.getTime() + 6 * DAY)) } });
    // A guest checkout (no customer) by the clicked email, a day later: credited.
    const guest = { ...order(9105, [3], 0, new Date(clickedAt.getTime() + DAY)), customer: null, email: "guest@example.com", ...orderTotal("12.00") };
    await deliver({ shop: SHOP, topic: "orders/create", body: guest });
    await drainJobs();
    const [late, credited] = await Promise.all(runs.map((run) => prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })));
    expect(late.convertedOrderId).toBeNull();
    expect(credited).toMatchObject({ state: "converted", convertedOrderId: "9105", revenueMinor: 1200 });

    // Leave the shop as the next tests expect it: without these runs, their emails and the runs the two orders started.
    const added = await prisma.flowRun.findMany({ where: { shop: SHOP, subjectKey: { in: ["late-order", "guest-order", "9104", "9105"] } }, select: { id: true } });
    const ids = added.map((run) => run.id);
    await prisma.emailMessage.deleteMany({ where: { flowRunId: { in: ids } } });
    await prisma.flowRun.deleteMany({ where: { id: { in: ids } } });
    await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE payload->>'runId' = ANY($1::text[])`, [ids]);
  });

  it("credits an order after clicks on two of the buyer's cross-sell emails once, to the email clicked last, and a replay of it credits nothing more", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const message = await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowId: "cross_sell" } });
    const base = new Date(flowClock.now().getTime() + 30 * DAY);
    const runs = await Promise.all(
      ["earlier", "later"].map((tag) =>
        prisma.flowRun.create({ data: { id: `${tag}-click-${message.flowRunId}`, shop: SHOP, flowKey: "cross_sell", subjectKey: `${tag}-click-order`, customerId: "33", email: "buyer33@example.com", anchorAt: base, state: "sent" } }),
      ),
    );
    const [earlier, later] = runs;
    for (const [run, clickedAt] of [[earlier, new Date(base.getTime() + DAY)], [later, new Date(base.getTime() + 2 * DAY)]] as const) {
      await prisma.emailMessage.create({ data: { ...message, id: `${run.id}-message`, sendKey: `${run.id}-key`, flowRunId: run.id, customerId: "33", email: "buyer33@example.com", clickedAt } });
    }
    const placed = { ...order(9106, [3], 33, new Date(base.getTime() + 3 * DAY)), ...orderTotal("30.00") };
    await deliver({ shop: SHOP, topic: "orders/create", body: placed });
    await drainJobs();
    const credited = () => prisma.flowRun.findMany({ where: { shop: SHOP, flowKey: "cross_sell", convertedOrderId: "9106" }, select: { id: true, revenueMinor: true } });
    expect(await credited()).toEqual([{ id: later.id, revenueMinor: 3000 }]);

    // The same order announced again (say, found by a reconciliation after its row was gone), with the earlier
    // email now clicked last: it is credited already, so nothing more, and the delivery does not fail on it.
    await prisma.emailMessage.update({ where: { id: `${earlier.id}-message` }, data: { clickedAt: new Date(base.getTime() + 2.5 * DAY) } });
    const { emitStoreEvent } = await import("../../app/store/store-events.server");
    const { normalizeOrder } = await import("../../app/webhooks/normalize");
    await prisma.$transaction((tx) => emitStoreEvent(tx, { kind: "order.created", shop: SHOP, order: normalizeOrder(placed, "USD") }));
    expect(await credited()).toEqual([{ id: later.id, revenueMinor: 3000 }]);

    const added = await prisma.flowRun.findMany({ where: { shop: SHOP, OR: [{ id: { in: runs.map((run) => run.id) } }, { subjectKey: "9106" }] }, select: { id: true } });
    const ids = added.map((run) => run.id);
    await prisma.emailMessage.deleteMany({ where: { flowRunId: { in: ids } } });
    await prisma.flowRun.deleteMany({ where: { id: { in: ids } } });
    await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE payload->>'runId' = ANY($1::text[])`, [ids]);
  });

  it("after purchase: sends when the wait is over", async () => {
    const { saveCrossSell, defaultCrossSellSettings } = await import("../../app/flows/cross-sell.server");
    await saveCrossSell(SHOP, true, { ...defaultCrossSellSettings(), trigger: "purchase", delayDays: 2 });
    flowClock.set(new Date(now.getTime() + 20 * DAY));
    await deliver({ shop: SHOP, topic: "orders/create", body: order(9004, [2], 32, flowClock.now()) });
    await drainJobs();
    await moveClockTo(new Date(now.getTime() + 22 * DAY + 60_000));
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.emailMessage.count({ where: { shop: SHOP, flowId: "cross_sell", email: "buyer32@example.com", status: "captured" } })).toBe(1);
  });

  it("refuses invalid settings with a message on the field", async () => {
    const { crossSellSettingsFromForm, defaultCrossSellSettings } = await import("../../app/flows/cross-sell.server");
    const form = new FormData();
    form.set("trigger", "delivery");
    form.set("delay_days", "-1");
    form.set("product_count", "20");
    const result = crossSellSettingsFromForm(form, defaultCrossSellSettings());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.delay_days).toMatch(/negative/);
      expect(result.errors.product_count).toMatch(/8/);
    }
  });
});

describe("the cross-sell page in the admin", () => {
  it("saves valid settings and refuses invalid ones on the field", async () => {
    const { loadCrossSellPage, saveCrossSellForm } = await import("../../app/flows/cross-sell-admin.server");
    const page = await loadCrossSellPage(SHOP);
    expect(page.figures.sent).toBeGreaterThan(0);
    expect(page.figures.converted).toBe(1);
    const bad = new FormData();
    bad.set("delay_days", "");
    expect((await saveCrossSellForm(SHOP, bad)).errors.delay_days).toBeTruthy();
    const good = new FormData();
    good.set("enabled", "on");
    good.set("trigger", "purchase");
    good.set("delay_days", "3");
    good.set("product_count", "4");
    expect((await saveCrossSellForm(SHOP, good)).ok).toBe(true);
    const { getCrossSell } = await import("../../app/flows/cross-sell.server");
    expect((await getCrossSell(SHOP)).settings).toMatchObject({ trigger: "purchase", delayDays: 3 });
  });
});

describe("cross-sell recommendations", () => {
  it("rank co-purchases above fallbacks whatever their scores (scores compare only within a source)", async () => {
    const { default: prisma } = await import("../../app/db.server");
    for (const id of [7, 8]) await prisma.product.create({ data: { shop: SHOP, id: String(id), title: `Product ${id}`, handle: `product-${id}`, priceMinor: 1000 + id, currency: "USD" } });
    await prisma.productRecommendation.createMany({
      data: [
        { shop: SHOP, productId: "7", rank: 0, recommendedProductId: "8", score: 0.2, source: "copurchase" },
        { shop: SHOP, productId: "7", rank: 1, recommendedProductId: "6", score: 1, source: "bestseller" },
      ],
    });
    await deliver({ shop: SHOP, topic: "orders/create", body: order(9100, [7], 77, now) });
    await drainJobs();
    const { crossSellProducts } = await import("../../app/flows/cross-sell.server");
    expect((await crossSellProducts(SHOP, "9100", "77", null, 2)).map((p) => p.id)).toEqual(["8", "6"]);
  });
});

describe("cancelled and deleted orders", () => {
  const cancelledAfterPurchase = async (orderId: number, customerId: number) => {
    const { saveCrossSell, defaultCrossSellSettings } = await import("../../app/flows/cross-sell.server");
    await saveCrossSell(SHOP, true, { ...defaultCrossSellSettings(), trigger: "purchase", delayDays: 2 });
    await deliver({ shop: SHOP, topic: "customers_email_marketing_consent/update", body: { customer_id: customerId, email_address: `buyer${customerId}@example.com`, email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T00:00:00Z" } } });
    const placed = order(orderId, [1], customerId, flowClock.now());
    await deliver({ shop: SHOP, topic: "orders/create", body: placed });
    await drainJobs();
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "cross_sell", subjectKey: String(orderId) } });
    expect(run.state).toBe("waiting");
    return { placed, run };
  };

  it("a cancellation ends the waiting run at once, with its reason, and no email goes", async () => {
    flowClock.set(new Date(now.getTime() + 40 * DAY));
    const { placed, run } = await cancelledAfterPurchase(9201, 41);
    const cancelledAt = new Date(flowClock.now().getTime() + 3_600_000).toISOString();
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...placed, cancelled_at: cancelledAt, cancel_reason: "customer", updated_at: cancelledAt } });
    await drainJobs();
    const { default: prisma, pool } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", nextRunAt: null });
    const { rows } = await pool.query(`SELECT 1 FROM graphile_worker._private_jobs WHERE key = $1`, [`cross-sell:${SHOP}:9201`]);
    expect(rows).toHaveLength(0);
    await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    expect(await emailsTo(41)).toBe(0);
  });

  it("an order found cancelled when the email is due gets none either", async () => {
    flowClock.set(new Date(now.getTime() + 50 * DAY));
    const { run } = await cancelledAfterPurchase(9202, 42);
    // Cancelled in the store model by a path that announces nothing (an import): the send itself must look.
    const { default: prisma } = await import("../../app/db.server");
    await prisma.order.update({ where: { shop_id: { shop: SHOP, id: "9202" } }, data: { cancelledAt: flowClock.now() } });
    await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled" });
    expect(await emailsTo(42)).toBe(0);
  });

  it("a deleted order (a test order, say) ends the waiting run too", async () => {
    flowClock.set(new Date(now.getTime() + 60 * DAY));
    const { run } = await cancelledAfterPurchase(9203, 43);
    await deliver({ shop: SHOP, topic: "orders/delete", body: { id: 9203 } });
    await drainJobs();
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_deleted" });
    await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    expect(await emailsTo(43)).toBe(0);
  });

  it("a send that outlived the uninstall (running when pending jobs were cancelled) ends the run without sending", async () => {
    flowClock.set(new Date(now.getTime() + 100 * DAY));
    const { run } = await cancelledAfterPurchase(9206, 46);
    const { default: prisma } = await import("../../app/db.server");
    await prisma.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: flowClock.now() } });
    try {
      await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    } finally {
      await prisma.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: null } });
    }
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "shop_uninstalled" });
    expect(await emailsTo(46)).toBe(0);
  });

  it("customers/redact naming the order (orders_to_redact) ends its waiting run and blanks the address", async () => {
    flowClock.set(new Date(now.getTime() + 110 * DAY));
    const { run } = await cancelledAfterPurchase(9207, 47);
    await deliver({ shop: SHOP, topic: "customers/redact", body: { ...samplePayload("customers/redact"), shop_domain: SHOP, customer: { id: 777_001, email: null }, orders_to_redact: [9207] } });
    await drainJobs();
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "customer_redacted", email: null });
    await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    expect(await emailsTo(47)).toBe(0);
  });

  it("a credited order that is then cancelled withdraws the conversion and its revenue from the figures", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { flowFigures } = await import("../../app/flows/cross-sell-admin.server");
    const credited = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "cross_sell", convertedOrderId: "9003" } });
    const before = await flowFigures(SHOP, "cross_sell");
    expect(before.revenue).toEqual([{ currency: "USD", amountMinor: 2500 }]);
    const placed = { ...order(9003, [4], 31, new Date(now.getTime() + DAY)), ...orderTotal("25.00") };
    const cancelledAt = new Date(now.getTime() + 70 * DAY).toISOString();
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...placed, cancelled_at: cancelledAt, updated_at: cancelledAt } });
    await drainJobs();
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: credited.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", convertedOrderId: "9003", revenueMinor: null });
    const after = await flowFigures(SHOP, "cross_sell");
    expect(after.converted).toBe(before.converted - 1);
    expect(after.revenue).toEqual([]);
  });

  it("an order first seen already cancelled (its cancellation came first) credits nothing", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "cross_sell", subjectKey: "9004" } });
    await prisma.emailMessage.updateMany({ where: { flowRunId: run.id }, data: { clickedAt: flowClock.now() } });
    const cancelledAt = new Date(flowClock.now().getTime() + DAY).toISOString();
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...order(9300, [3], 32, new Date(flowClock.now().getTime() + DAY)), cancelled_at: cancelledAt, updated_at: cancelledAt } });
    await drainJobs();
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", convertedOrderId: "9300", revenueMinor: null });
  });

  it("an order fully refunded by the time the email is due gets none (a partial refund still does)", async () => {
    flowClock.set(new Date(now.getTime() + 80 * DAY));
    const { placed, run } = await cancelledAfterPurchase(9204, 44);
    const refundedAt = new Date(flowClock.now().getTime() + 3_600_000).toISOString();
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...placed, financial_status: "refunded", updated_at: refundedAt } });
    const partly = await cancelledAfterPurchase(9205, 45);
    await deliver({ shop: SHOP, topic: "orders/updated", body: { ...partly.placed, financial_status: "partially_refunded", updated_at: refundedAt } });
    await drainJobs();
    await moveClockTo(new Date(flowClock.now().getTime() + 3 * DAY));
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_refunded" });
    expect(await emailsTo(44)).toBe(0);
    expect(await prisma.emailMessage.count({ where: { shop: SHOP, email: "buyer45@example.com", status: "captured" } })).toBe(1);
  });
});

describe("SendGrid refusing the account (a revoked key) for longer than the queue's attempts", () => {
  const HOUR = 3_600_000;
  /** A purchase-triggered run for buyer N whose email comes due at `dueAt`, against a SendGrid fake; the key starts revoked. */
  async function refusedRun(orderId: number, customerId: number, start: Date) {
    const { saveCrossSell, defaultCrossSellSettings } = await import("../../app/flows/cross-sell.server");
    await saveCrossSell(SHOP, true, { ...defaultCrossSellSettings(), trigger: "purchase", delayDays: 1 });
    flowClock.set(start);
    await deliver({ shop: SHOP, topic: "orders/create", body: order(orderId, [1], customerId, start) });
    await drainJobs();
    const { default: prisma, pool } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "cross_sell", subjectKey: String(orderId) } });
    const job = async () => (await pool.query(`SELECT attempts, payload FROM graphile_worker._private_jobs WHERE key = $1`, [`cross-sell:${SHOP}:${orderId}`])).rows;
    const step = async () => (await prisma.flowStepRun.findMany({ where: { runId: run.id } }))[0];
    return { run, job, step, dueAt: new Date(start.getTime() + DAY) };
  }

  async function withSendgrid(body: (sendgrid: SendgridFake, refuse: (refusing: boolean) => void) => Promise<void>) {
    const sendgrid = await startSendgridFake();
    process.env.SENDGRID_API_ORIGIN = sendgrid.url;
    const refuse = (refusing: boolean) => (process.env.SENDGRID_API_KEY = refusing ? "SG.revoked-key" : sendgrid.apiKey);
    try {
      refuse(true);
      await body(sendgrid, refuse);
    } finally {
      delete process.env.SENDGRID_API_KEY;
      delete process.env.SENDGRID_API_ORIGIN;
      await sendgrid.close();
    }
  }

  it("keeps the email waiting past the queue's 3½ hours, using no attempt, and sends it once when the key works again", async () => {
    await withSendgrid(async (sendgrid, refuse) => {
      const { run, job, step, dueAt } = await refusedRun(9101, 31, new Date(now.getTime() + 40 * DAY));
      for (let hour = 0; hour <= 6; hour++) await moveClockTo(new Date(dueAt.getTime() + hour * HOUR + 60_000));
      expect(await step()).toMatchObject({ status: "deferred", reason: "send_refused" });
      expect(await job()).toEqual([{ attempts: 0, payload: expect.objectContaining({ runId: run.id, refusedSince: expect.any(String) }) }]);
      expect(sendgrid.messages).toHaveLength(0);

      refuse(false);
      await moveClockTo(new Date(dueAt.getTime() + 8 * HOUR));
      await moveClockTo(new Date(dueAt.getTime() + 10 * HOUR));
      expect(sendgrid.messages.map((message) => message.to)).toEqual(["buyer31@example.com"]);
      expect(await step()).toMatchObject({ status: "sent" });
      const { default: prisma } = await import("../../app/db.server");
      expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "sent" });
    });
  });

  it("gives up after 72 hours of refusals: the email is recorded as not sent and never goes later", async () => {
    await withSendgrid(async (sendgrid, refuse) => {
      const { run, job, step, dueAt } = await refusedRun(9102, 32, new Date(now.getTime() + 50 * DAY));
      for (let hour = 0; hour <= 74; hour++) await moveClockTo(new Date(dueAt.getTime() + hour * HOUR + 60_000));
      expect(await step()).toMatchObject({ status: "failed", reason: "send_refused" });
      const { default: prisma } = await import("../../app/db.server");
      expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "skipped", exitReason: "send_refused", endedAt: expect.any(Date) });
      expect(await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowRunId: run.id } })).toMatchObject({ status: "skipped", skipReason: "send_refused" });
      expect(await job()).toEqual([]);
      refuse(false);
      await moveClockTo(new Date(dueAt.getTime() + 80 * HOUR));
      expect(sendgrid.messages).toHaveLength(0);
    });
  }, 120_000);
});
