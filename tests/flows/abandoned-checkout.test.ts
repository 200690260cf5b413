import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { createSimulator, type Simulator } from "../../simulator/index";
import { deliver, deliverAndProcess, samplePayload, orderTotal } from "../support/shopify";
import { adminQueryErrors } from "../support/admin-schema";
import { flowClock } from "../../app/flows/clock";
import { startSendgridFake, type SendgridFake } from "../email/support/sendgrid-fake";

const SHOP = "flows-shop.myshopify.com";
let simulator: Simulator;
const daytime = new Date("2026-11-20T15:00:00.000Z"); // 10:00 in New York, outside quiet hours

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
  delete process.env.SENDGRID_API_KEY; // captured locally: the outbox is what we inspect
  const { sessionStorage } = await import("../../app/shopify.server");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: simulator.issueAccessToken() }));
  const { default: prisma } = await import("../../app/db.server");
  await prisma.shop.create({ data: { domain: SHOP, name: "Confetti & Co.", currency: "USD", timezone: "America/New_York", address: "120 Balloon Street, Brooklyn, NY 11201, US" } });
  const { saveFlow } = await import("../../app/flows/abandoned-checkout.server");
  const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
  await saveFlow(SHOP, true, defaultAbandonedCheckoutSettings());
});

afterAll(async () => {
  flowClock.reset();
  await simulator?.stop();
});

beforeEach(() => flowClock.set(daytime));

let customerSeq = 500;
async function subscribedCustomer(locale = "en", state = "subscribed") {
  const id = ++customerSeq;
  const email = `shopper${id}@example.com`;
  await deliver({ shop: SHOP, topic: "customers/create", body: { ...samplePayload("customers/create"), id, email, first_name: "Mina", updated_at: daytime.toISOString() } });
  await deliver({
    shop: SHOP,
    topic: "customers_email_marketing_consent/update",
    body: { customer_id: id, email_address: email, email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T00:00:00Z" } },
  });
  return { id, email, first_name: "Mina" };
}

function checkoutBody(token: string, customer: { id: number; email: string }, locale: string, updatedAt: Date) {
  return {
    ...samplePayload("checkouts/update"),
    token,
    cart_token: `cart-${token}`,
    email: customer.email,
    customer: { id: customer.id, email: customer.email, first_name: "Mina" },
    customer_locale: locale,
    completed_at: null,
    abandoned_checkout_url: `https://${SHOP}/checkouts/cn/${token}/recover?key=abc`,
    created_at: updatedAt.toISOString(),
    updated_at: updatedAt.toISOString(),
  };
}

/** A subscribed shopper's checkout, processed: its run waits for email 1. */
async function waitingRun(locale: string) {
  const customer = await subscribedCustomer();
  const token = randomBytes(8).toString("hex");
  await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, locale, daytime) });
  const { drainJobs } = await import("../support/shopify");
  await drainJobs();
  return { customer, token };
}

/** Moves the flows' clock to `at` and the queue with it, then runs whatever has come due. */
async function runStepsAt(at: Date) {
  const { pool } = await import("../../app/db.server");
  const { drainJobs } = await import("../support/shopify");
  const shiftMs = at.getTime() - flowClock.now().getTime();
  flowClock.set(at);
  await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = run_at - make_interval(secs => $1::float8 / 1000) WHERE locked_at IS NULL`, [shiftMs]);
  for (let i = 0; i < 5; i++) await drainJobs();
}

/** Emails that went out (captured locally: no SendGrid key in tests). */
async function messagesFor(email: string) {
  const { default: prisma } = await import("../../app/db.server");
  return prisma.emailMessage.findMany({ where: { shop: SHOP, email, status: { in: ["captured", "sent"] } }, orderBy: { claimedAt: "asc" } });
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A shopper's click on an email's button, at `at` (recorded as the signed redirect records it). */
async function clickEmail(message: { id: string }, at: Date) {
  const { recordClick } = await import("../../app/email/tracking.server");
  await recordClick({ shop: SHOP, messageId: message.id, linkId: "cta", url: `https://${SHOP}/cart` }, "Mozilla/5.0 (Macintosh) Safari/605", false, at);
}

let orderSeq = 7_500_000;
/** orders/create for a shopper, completing `token`'s checkout (or another one), at `at`. */
function orderBody(customer: { id: number; email: string }, token: string, at: Date, total: string) {
  return {
    ...samplePayload("orders/create"),
    id: ++orderSeq,
    checkout_token: token,
    cart_token: `cart-${token}`,
    email: customer.email,
    customer: { id: customer.id },
    ...orderTotal(total),
    currency: "USD",
    presentment_currency: "USD",
    cancelled_at: null,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  };
}

/** A subscribed shopper's checkout whose two emails (the default flow) have both gone: the run is completed. */
async function completedRun() {
  const customer = await subscribedCustomer();
  const token = randomBytes(8).toString("hex");
  await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
  await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
  await runStepsAt(new Date(daytime.getTime() + DAY + 60_000));
  const { default: prisma } = await import("../../app/db.server");
  const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
  expect(run).toMatchObject({ state: "completed", endedAt: new Date(daytime.getTime() + DAY + 60_000) });
  const messages = await messagesFor(customer.email);
  expect(messages.map((message) => message.stepKey)).toEqual(["email_1", "email_2"]);
  return { customer, token, run, messages };
}

describe("abandoned checkout recovery", () => {
  it("sends exactly one email 1 with the recovery URL, in the shopper's language", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "ko-KR", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(1);
    expect(messages[0].status).toBe("captured");
    expect(messages[0].subject).toBe("장바구니에 담아 두신 상품이 있어요");
    const { verifyClickToken } = await import("../../app/email/tracking.server");
    const tokens = [...(messages[0].html ?? "").matchAll(/\/t\/c\/([A-Za-z0-9._-]+)/g)].map((match) => verifyClickToken(match[1]));
    expect(tokens.map((target) => target?.url)).toContain(`https://${SHOP}/checkouts/cn/${token}/recover?key=abc`);
    expect(messages[0].html).toContain("120 Balloon Street");
    expect(messages[0].text).toContain("수량"); // "Qty" in Korean
    // Running the queue again sends nothing more.
    await runStepsAt(new Date(daytime.getTime() + 2 * HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(1);
  });

  it("keeps one timer per checkout through ten updates, firing after the last", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    const { pool } = await import("../../app/db.server");
    for (let i = 0; i < 10; i++) {
      await deliver({ shop: SHOP, topic: "checkouts/update", body: checkoutBody(token, customer, "en", new Date(daytime.getTime() + i * 60_000)) });
    }
    const { drainJobs } = await import("../support/shopify");
    await drainJobs(); // process the webhooks only (the timer is in the future)
    const after = await pool.query(`SELECT run_at, revision FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`]);
    expect(after.rows).toHaveLength(1);
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(run.nextRunAt?.toISOString()).toBe(new Date(daytime.getTime() + 9 * 60_000 + HOUR).toISOString());
    await runStepsAt(new Date(daytime.getTime() + 9 * 60_000 + HOUR - 120_000));
    expect(await messagesFor(customer.email)).toHaveLength(0);
    await runStepsAt(new Date(daytime.getTime() + 9 * 60_000 + HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(1);
  });

  it("sends nothing when the shopper orders before the timer", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await deliver({ shop: SHOP, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 7_100_000 + customerSeq, checkout_token: token, cart_token: `cart-${token}`, email: customer.email, customer: { id: customer.id }, cancelled_at: null, created_at: new Date(daytime.getTime() + 20 * 60_000).toISOString() } });
    await runStepsAt(new Date(daytime.getTime() + 30 * HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(0);
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(run).toMatchObject({ state: "exited", exitReason: "purchased_before_email" });
  });

  it("customers/redact ends a waiting run, removes its timer, blanks its address and sends nothing; the export lists the run first", async () => {
    const { customer, token } = await waitingRun("th");
    const { drainJobs } = await import("../support/shopify");
    const { default: prisma, pool } = await import("../../app/db.server");
    const { exportCustomerData } = await import("../../app/compliance/compliance.server");
    const who = { shop: SHOP, customerId: String(customer.id), email: customer.email, orderIds: [] };
    const exported = await prisma.$transaction((tx) => exportCustomerData(tx, who));
    expect(exported.flows).toEqual([expect.objectContaining({ flowKey: "abandoned_checkout", state: "waiting", email: customer.email, locale: "th" })]);

    await deliver({
      shop: SHOP,
      topic: "customers/redact",
      body: { ...samplePayload("customers/redact"), shop_domain: SHOP, customer: { id: customer.id, email: customer.email }, orders_to_redact: [] },
    });
    await drainJobs();
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(run).toMatchObject({ state: "exited", exitReason: "customer_redacted", email: null, customerId: null, locale: null, nextRunAt: null });
    expect((await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`])).rowCount).toBe(0);
    await runStepsAt(new Date(daytime.getTime() + 30 * HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(0);
  });

  it("a timer that outlived the uninstall (running when it was cancelled) ends the run without sending", async () => {
    const { customer, token } = await waitingRun("en");
    const { default: prisma } = await import("../../app/db.server");
    await prisma.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: daytime } });
    try {
      await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    } finally {
      await prisma.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: null } });
    }
    expect(await messagesFor(customer.email)).toHaveLength(0);
    expect(await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } })).toMatchObject({ state: "exited", exitReason: "shop_uninstalled" });
  });

  it("an order between steps stops email 2 and credits the recovery with its revenue", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    expect(await messagesFor(customer.email)).toHaveLength(1);
    await deliver({ shop: SHOP, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 7_200_000 + customerSeq, checkout_token: token, email: customer.email, customer: { id: customer.id }, ...orderTotal("59.90"), currency: "USD", presentment_currency: "USD", cancelled_at: null, created_at: new Date(daytime.getTime() + 5 * HOUR).toISOString() } });
    await runStepsAt(new Date(daytime.getTime() + 30 * HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(1);
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(run).toMatchObject({ state: "converted", revenueMinor: 5990, currency: "USD" });
  });

  it("an order credited while email 2 is being sent stays credited: the step finishing after it moves the run no more", async () => {
    const { flowFigures } = await import("../../app/flows/cross-sell-admin.server");
    const { runDueJobs } = await import("../support/shopify");
    const { default: prisma, pool } = await import("../../app/db.server");
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    const before = await flowFigures(SHOP, "abandoned_checkout");

    // Email 2's job has read its run (not purchased) and waits on Shopify for its discount code...
    const held = simulator.holdNext("discountCodeBasicCreate");
    const email2At = new Date(daytime.getTime() + DAY + 60_000);
    const stepping = runStepsAt(email2At);
    await held.arrived;
    // ...while the shopper's order completing the checkout is processed and credits the run.
    const order = orderBody(customer, token, new Date(email2At.getTime() + 1_000), "59.90");
    await deliver({ shop: SHOP, topic: "orders/create", body: order });
    await runDueJobs();
    expect(await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } })).toMatchObject({ state: "converted", convertedOrderId: String(order.id) });
    held.release();
    await stepping;

    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token }, include: { steps: true } });
    expect(run).toMatchObject({ state: "converted", exitReason: "purchased", convertedOrderId: String(order.id), revenueMinor: 5990, nextRunAt: null });
    // The email had gone by then: its step is recorded all the same.
    expect(run.steps.find((step) => step.stepKey === "email_2")).toMatchObject({ status: "sent" });
    expect((await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`])).rowCount).toBe(0);
    const usd = (figures: typeof before) => figures.revenue.find((row) => row.currency === "USD")?.amountMinor ?? 0;
    const credited = await flowFigures(SHOP, "abandoned_checkout");
    expect(credited.converted).toBe(before.converted + 1);
    expect(usd(credited)).toBe(usd(before) + 5990);

    // Cancelling the order later still withdraws the credit.
    const cancelledAt = new Date(email2At.getTime() + 2 * HOUR).toISOString();
    await deliver({
      shop: SHOP,
      topic: "orders/updated",
      body: { ...order, ...samplePayload("orders/updated"), id: order.id, checkout_token: token, email: customer.email, ...orderTotal("59.90"), currency: "USD", created_at: order.created_at, cancelled_at: cancelledAt, updated_at: cancelledAt },
    });
    const { drainJobs } = await import("../support/shopify");
    await drainJobs();
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", revenueMinor: null });
    const withdrawn = await flowFigures(SHOP, "abandoned_checkout");
    expect(withdrawn.converted).toBe(before.converted);
    expect(usd(withdrawn)).toBe(usd(before));
  });

  it("credits an order that completes the checkout after the last email, within the window: the flow's figures and run list count it", async () => {
    const { flowFigures } = await import("../../app/flows/cross-sell-admin.server");
    const { loadFlowPage } = await import("../../app/flows/admin.server");
    const { customer, token, run } = await completedRun();
    const before = await flowFigures(SHOP, "abandoned_checkout");
    const orderAt = new Date(daytime.getTime() + 30 * HOUR);
    const order = orderBody(customer, token, orderAt, "42.00");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: order });

    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      state: "converted", convertedOrderId: String(order.id), revenueMinor: 4200, currency: "USD", exitReason: "purchased",
      endedAt: run.endedAt, // it ended when its emails were done
    });
    const after = await flowFigures(SHOP, "abandoned_checkout");
    expect(after.converted).toBe(before.converted + 1);
    const usd = (figures: typeof before) => figures.revenue.find((row) => row.currency === "USD")?.amountMinor ?? 0;
    expect(usd(after)).toBe(usd(before) + 4200);
    const page = await loadFlowPage(SHOP, 0, "en");
    expect(page.runs.find((listed) => listed.id === run.id)).toMatchObject({ state: "converted", revenueMinor: 4200, currency: "USD" });
  });

  it("credits an order that follows a click on the last email, even for another checkout", async () => {
    const { customer, run, messages } = await completedRun();
    await clickEmail(messages[1], new Date(daytime.getTime() + 3 * DAY));
    // Four days after the click and five after email 2: inside both windows (5 days by default).
    const order = orderBody(customer, randomBytes(8).toString("hex"), new Date(daytime.getTime() + 6 * DAY), "18.50");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: order });
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "converted", convertedOrderId: String(order.id), revenueMinor: 1850 });
  });

  it("credits no finished run after its window, nor one that stopped for another reason", async () => {
    const { default: prisma } = await import("../../app/db.server");
    // Completed, but the order completing its checkout comes 5 days and an hour after email 2 (window: 5 days).
    const late = await completedRun();
    const lateOrder = orderBody(late.customer, late.token, new Date(late.run.endedAt!.getTime() + 5 * DAY + HOUR), "30.00");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: lateOrder });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: late.run.id } })).toMatchObject({ state: "completed", convertedOrderId: null, revenueMinor: null });

    // A click on email 1, then the run stopped for want of consent before email 2: an order after the click credits nothing.
    flowClock.set(daytime); // a second story, from the start (as each test begins)
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    const [email1] = await messagesFor(customer.email);
    await clickEmail(email1, new Date(daytime.getTime() + 2 * HOUR));
    await deliver({
      shop: SHOP,
      topic: "customers_email_marketing_consent/update",
      body: { customer_id: customer.id, email_address: customer.email, email_marketing_consent: { state: "unsubscribed", opt_in_level: "single_opt_in", consent_updated_at: new Date(daytime.getTime() + 3 * HOUR).toISOString() } },
    });
    await runStepsAt(new Date(daytime.getTime() + DAY + 60_000));
    const stopped = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(stopped).toMatchObject({ state: "skipped", exitReason: "no_consent" });
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: orderBody(customer, token, new Date(daytime.getTime() + DAY + HOUR), "30.00") });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: stopped.id } })).toMatchObject({ state: "skipped", convertedOrderId: null, revenueMinor: null });
  });

  /** Two checkouts of one shopper, each with email 1 sent: b starts 21.5 hours after a (smart sending lets both through). */
  async function twoOpenRuns() {
    const customer = await subscribedCustomer();
    const [a, b] = [randomBytes(8).toString("hex"), randomBytes(8).toString("hex")];
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(a, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    const bAt = new Date(daytime.getTime() + 21.5 * HOUR);
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(b, customer, "en", bAt) });
    await runStepsAt(new Date(bAt.getTime() + HOUR + 60_000));
    const { default: prisma } = await import("../../app/db.server");
    const runA = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: a } });
    const runB = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: b } });
    const messages = await messagesFor(customer.email);
    const emailOf = (run: { id: string }) => messages.find((message) => message.flowRunId === run.id)!;
    expect([runA.state, runB.state, messages.length]).toEqual(["sent", "sent", 2]);
    return { customer, a, b, bAt, runA, runB, emailA: emailOf(runA), emailB: emailOf(runB) };
  }

  it("credits one order to one run, the one whose checkout it completes: the shopper's other run ends without revenue, and a cancellation withdraws only the credit", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { flowFigures } = await import("../../app/flows/cross-sell-admin.server");
    const { customer, a, b, bAt, runA, runB, emailA, emailB } = await twoOpenRuns();
    // Both emails clicked, a's the later: still, the order completes b's checkout.
    await clickEmail(emailB, new Date(bAt.getTime() + HOUR + 120_000));
    await clickEmail(emailA, new Date(bAt.getTime() + HOUR + 180_000));
    const before = await flowFigures(SHOP, "abandoned_checkout");
    const order = orderBody(customer, b, new Date(bAt.getTime() + 1.5 * HOUR), "50.00");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: order });

    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runB.id } })).toMatchObject({ state: "converted", convertedOrderId: String(order.id), revenueMinor: 5000 });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runA.id } })).toMatchObject({ state: "exited", exitReason: "purchased_credited_elsewhere", convertedOrderId: null, revenueMinor: null, nextRunAt: null });
    const credited = await flowFigures(SHOP, "abandoned_checkout");
    const usd = (figures: typeof before) => figures.revenue.find((row) => row.currency === "USD")?.amountMinor ?? 0;
    expect([credited.converted, usd(credited)]).toEqual([before.converted + 1, usd(before) + 5000]);
    // a stopped too: its email 2 never goes.
    expect((await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = ANY($1::text[])`, [[a, b].map((token) => `abandoned:${SHOP}:${token}`)])).rowCount).toBe(0);
    await runStepsAt(new Date(daytime.getTime() + 2 * DAY));
    expect(await messagesFor(customer.email)).toHaveLength(2);

    const cancelledAt = new Date(bAt.getTime() + 5 * HOUR).toISOString();
    await deliverAndProcess({ shop: SHOP, topic: "orders/updated", body: { ...order, cancelled_at: cancelledAt, updated_at: cancelledAt } });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runB.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", revenueMinor: null });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runA.id } })).toMatchObject({ state: "exited", exitReason: "purchased_credited_elsewhere", revenueMinor: null });
    const withdrawn = await flowFigures(SHOP, "abandoned_checkout");
    expect([withdrawn.converted, usd(withdrawn)]).toEqual([before.converted, usd(before)]);
  });

  it("credits an order that completes neither checkout to the run whose email was clicked last", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { customer, bAt, runA, runB, emailA, emailB } = await twoOpenRuns();
    await clickEmail(emailA, new Date(bAt.getTime() + HOUR + 180_000));
    await clickEmail(emailB, new Date(bAt.getTime() + HOUR + 120_000));
    const order = orderBody(customer, randomBytes(8).toString("hex"), new Date(bAt.getTime() + 1.5 * HOUR), "20.00");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: order });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runA.id } })).toMatchObject({ state: "converted", convertedOrderId: String(order.id), revenueMinor: 2000 });
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: runB.id } })).toMatchObject({ state: "exited", exitReason: "purchased_credited_elsewhere", convertedOrderId: null, revenueMinor: null });
  });

  it("an order finds its runs through indexes, not by reading every run of the shop", async () => {
    const { pool } = await import("../../app/db.server");
    const { RUNS_FOR_ORDER } = await import("../../app/flows/abandoned-checkout.server");
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      // 20,000 runs in the shop, as a busy store holds after some months.
      await client.query(
        `INSERT INTO flow_run (id, shop, flow_key, subject_key, checkout_token, cart_token, customer_id, email, state, anchor_at, ended_at)
         SELECT 'bulk-' || n, $1, 'abandoned_checkout', 'bulk-checkout-' || n, 'bulk-checkout-' || n, 'bulk-cart-' || n, (900000 + n / 3)::text,
                'bulk' || (n / 3) || '@example.com', CASE WHEN n % 4 = 0 THEN 'waiting' ELSE 'completed' END, $2::timestamptz - make_interval(mins => n),
                CASE WHEN n % 4 = 0 THEN NULL ELSE $2::timestamptz END
           FROM generate_series(1, 20000) n`,
        [SHOP, daytime.toISOString()],
      );
      await client.query("ANALYZE flow_run");
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${RUNS_FOR_ORDER}`, [
        SHOP, "abandoned_checkout", "bulk-checkout-777", "bulk-cart-777", "900259", "bulk259@example.com", daytime.toISOString(), 5,
      ]);
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node["Node Type"] === "Seq Scan") scans.push(String(node["Relation Name"]));
        for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
      };
      walk(rows[0]["QUERY PLAN"][0].Plan);
      expect(scans.filter((relation) => relation === "flow_run")).toEqual([]);
      // And it finds them: the checkout's run, the cart's and the shopper's others.
      const found = await client.query(RUNS_FOR_ORDER, [SHOP, "abandoned_checkout", "bulk-checkout-777", "bulk-cart-1000", "900259", "bulk259@example.com", daytime.toISOString(), 5]);
      expect(found.rows.map((row) => row.id).sort()).toEqual(["bulk-1000", "bulk-777", "bulk-778", "bulk-779"]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("the database holds one credited run per order and flow", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const run = (flowKey: string, tag: string) =>
      prisma.flowRun.create({ data: { id: `${tag}-${randomBytes(4).toString("hex")}`, shop: SHOP, flowKey, subjectKey: `${tag}-${randomBytes(4).toString("hex")}`, anchorAt: daytime, state: "sent" } });
    const [first, second, crossSell] = await Promise.all([run("abandoned_checkout", "first"), run("abandoned_checkout", "second"), run("cross_sell", "cross-sell")]);
    const credit = (id: string) => prisma.flowRun.update({ where: { id }, data: { state: "converted", convertedOrderId: "order-x", revenueMinor: 100, currency: "USD" } });
    try {
      await credit(first.id);
      await expect(credit(second.id)).rejects.toThrow(/Unique constraint/);
      // Another flow may credit the same order (each flow counts what it brought back).
      await credit(crossSell.id);
    } finally {
      await prisma.flowRun.deleteMany({ where: { id: { in: [first.id, second.id, crossSell.id] } } });
    }
  });

  it("the migration that adds it keeps, of an order credited several times already, the credit it would get now", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { readFile } = await import("node:fs/promises");
    const sql = await readFile(new URL("../../prisma/migrations/20261203000000_flow_run_one_credit_per_order/migration.sql", import.meta.url), "utf8");
    const tag = randomBytes(4).toString("hex");
    // As the old code left it: one order credited to three runs of one shopper, and another to two.
    await pool.query(`DROP INDEX "flow_run_shop_flow_key_converted_order_id_key"`);
    await prisma.order.create({ data: { shop: SHOP, id: `dup-${tag}`, checkoutToken: `checkout-b-${tag}`, cartToken: `cart-b-${tag}`, totalMinor: 5000, currency: "USD", shopifyCreatedAt: daytime } });
    const run = (name: string, fields: Record<string, unknown>) =>
      prisma.flowRun.create({ data: { id: `${name}-${tag}`, shop: SHOP, flowKey: "abandoned_checkout", subjectKey: `${name}-${tag}`, anchorAt: daytime, state: "converted", exitReason: "purchased", revenueMinor: 5000, currency: "USD", endedAt: daytime, ...fields } });
    await run("a", { convertedOrderId: `dup-${tag}`, checkoutToken: `checkout-a-${tag}` });
    await run("b", { convertedOrderId: `dup-${tag}`, checkoutToken: `checkout-b-${tag}` });
    await run("c", { convertedOrderId: `dup-${tag}`, checkoutToken: `checkout-c-${tag}` });
    await run("d", { convertedOrderId: `unknown-${tag}`, anchorAt: new Date(daytime.getTime() - HOUR) });
    await run("e", { convertedOrderId: `unknown-${tag}` });
    // Runs without a checkout or cart token (they compare as NULL, not as a mismatch).
    await run("f", { convertedOrderId: `dup-${tag}`, anchorAt: new Date(daytime.getTime() + HOUR) });
    await prisma.order.create({ data: { shop: SHOP, id: `cart-${tag}`, checkoutToken: `checkout-z-${tag}`, cartToken: `cart-h-${tag}`, totalMinor: 3000, currency: "USD", shopifyCreatedAt: daytime } });
    await run("h", { convertedOrderId: `cart-${tag}`, checkoutToken: `checkout-h-${tag}`, cartToken: `cart-h-${tag}`, revenueMinor: 3000 });
    await run("i", { convertedOrderId: `cart-${tag}`, checkoutToken: `checkout-i-${tag}`, anchorAt: new Date(daytime.getTime() + HOUR), revenueMinor: 3000 });
    await pool.query(sql);

    const runs = await prisma.flowRun.findMany({ where: { id: { endsWith: `-${tag}` } }, orderBy: { id: "asc" } });
    expect(runs.map((r) => [r.id.split("-")[0], r.state, r.exitReason, r.convertedOrderId, r.revenueMinor])).toEqual([
      ["a", "exited", "purchased_credited_elsewhere", null, null],
      ["b", "converted", "purchased", `dup-${tag}`, 5000], // it completed b's checkout
      ["c", "exited", "purchased_credited_elsewhere", null, null],
      ["d", "exited", "purchased_credited_elsewhere", null, null],
      ["e", "converted", "purchased", `unknown-${tag}`, 5000], // no checkout, no clicks: the later abandonment
      ["f", "exited", "purchased_credited_elsewhere", null, null], // no tokens: not the order's checkout
      ["h", "converted", "purchased", `cart-${tag}`, 3000], // the order's cart
      ["i", "exited", "purchased_credited_elsewhere", null, null], // no cart token, though it started later
    ]);
    await expect(pool.query(`UPDATE flow_run SET converted_order_id = $1 WHERE id = $2`, [`dup-${tag}`, `a-${tag}`])).rejects.toThrow(/duplicate key/);
    await prisma.flowRun.deleteMany({ where: { id: { endsWith: `-${tag}` } } });
  });

  it("email 2 carries a unique single-use discount code created through the Admin API", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "th", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));
    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(2);
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    const { DISCOUNT_MUTATION, DISCOUNT_BY_CODE_QUERY, recoveryDiscountCode, recoveryDiscountTitle } = await import("../../app/flows/abandoned-checkout.server");
    // 12 characters of a readable alphabet (no 0/O, 1/I/L), the same for the run every time it is asked.
    expect(run.discountCode).toMatch(/^BACK-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(run.discountCode).toBe(recoveryDiscountCode(run.id));
    expect(messages[1].html).toContain(run.discountCode!);
    expect(messages[1].subject).toBe("ของขวัญเล็ก ๆ ให้คุณสั่งซื้อให้เสร็จ");
    // The code's expiry in the shop's zone, named (New York, not the server's): 48 hours after email 2 went out (24 h and a minute after the checkout), 10:01 EST.
    expect(messages[1].text).toContain("หมดอายุ 23 พ.ย. 2569 10:01 GMT-5");
    const discount = simulator.store.discounts.find((d) => d.code === run.discountCode)!;
    expect(discount).toMatchObject({ usageLimit: 1, percentage: 0.1, title: recoveryDiscountTitle(run.id, run.discountCode!) });
    expect(discount.customerIds).toEqual([`gid://shopify/Customer/${customer.id}`]);
    expect(adminQueryErrors(DISCOUNT_MUTATION)).toEqual([]);
    expect(adminQueryErrors(DISCOUNT_BY_CODE_QUERY)).toEqual([]);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("email 2 long after email 1 and held by quiet hours still goes: its code is made when it is sent, valid for its hours from then", async () => {
    const { saveFlow } = await import("../../app/flows/abandoned-checkout.server");
    const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    const settings = defaultAbandonedCheckoutSettings();
    settings.steps[1].delayMinutes = 84 * 60; // due 2026-11-24 03:00 UTC, 22:00 in New York: quiet hours
    await saveFlow(SHOP, true, settings);
    try {
      const customer = await subscribedCustomer();
      const token = randomBytes(8).toString("hex");
      await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
      await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
      const { default: prisma } = await import("../../app/db.server");
      const customerGid = `gid://shopify/Customer/${customer.id}`;
      const codesFor = () => simulator.store.discounts.filter((d) => d.customerIds.includes(customerGid));

      await runStepsAt(new Date(daytime.getTime() + 84 * HOUR + 60_000));
      const deferred = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token }, include: { steps: true } });
      expect(deferred.steps.find((step) => step.stepKey === "email_2")).toMatchObject({ status: "deferred", reason: "quiet_hours" });
      expect(deferred.discountCode).toBeNull();
      expect(codesFor()).toEqual([]); // nothing made for an email that has not gone

      const sendAt = new Date("2026-11-24T13:00:30.000Z"); // 08:00 in New York, quiet hours over
      await runStepsAt(sendAt);
      const messages = await messagesFor(customer.email);
      expect(messages).toHaveLength(2);
      const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
      const [code] = codesFor();
      expect(codesFor()).toHaveLength(1);
      expect(code).toMatchObject({ code: run.discountCode, startsAt: sendAt.toISOString(), endsAt: new Date(sendAt.getTime() + 48 * HOUR).toISOString() });
      // The email states the expiry of the code it carries (Nov 26, 13:00 UTC: 08:00 in New York).
      expect(messages[1].text).toContain(`${run.discountCode}\n10% · Expires Nov 26, 2026, `);
    } finally {
      await saveFlow(SHOP, true, defaultAbandonedCheckoutSettings());
    }
  });

  it("makes no discount code for an email that is not sent (the shopper unsubscribed after email 1)", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    await deliver({
      shop: SHOP,
      topic: "customers_email_marketing_consent/update",
      body: { customer_id: customer.id, email_address: customer.email, email_marketing_consent: { state: "unsubscribed", opt_in_level: "single_opt_in", consent_updated_at: new Date(daytime.getTime() + 2 * HOUR).toISOString() } },
    });
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token }, include: { steps: true } });
    expect(run.steps.find((step) => step.stepKey === "email_2")).toMatchObject({ status: "skipped", reason: "no_consent" });
    expect(await messagesFor(customer.email)).toHaveLength(1);
    expect(run.discountCode).toBeNull();
    expect(simulator.store.discounts.filter((d) => d.customerIds.includes(`gid://shopify/Customer/${customer.id}`))).toEqual([]);
  });

  /** A discount already in the simulated store under the code the run will ask for. */
  function seedDiscount(code: string, title: string, customerId: number, endsAt: string | null = null) {
    simulator.store.discounts.push({
      id: simulator.store.nextId(), code, title, percentage: 0.1, amount: null, usageLimit: 1, usageCount: 0, appliesOncePerCustomer: true,
      startsAt: daytime.toISOString(), endsAt, customerIds: [`gid://shopify/Customer/${customerId}`], createdBy: "app",
    });
  }

  /** A run whose email 1 went out, and the discount code email 2 will ask for. */
  async function runAfterEmail1() {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    const { default: prisma } = await import("../../app/db.server");
    const { recoveryDiscountCode } = await import("../../app/flows/abandoned-checkout.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    return { customer, token, run, code: recoveryDiscountCode(run.id) };
  }

  it("an email retried after its code was made states that code's own expiry, and makes no other", async () => {
    const { customer, run, code } = await runAfterEmail1();
    const { default: prisma } = await import("../../app/db.server");
    const { recoveryDiscountTitle } = await import("../../app/flows/abandoned-checkout.server");
    // An earlier attempt made and saved the code (its expiry since moved by the merchant to Nov 27), then its
    // sending failed and the job is retried.
    const madeEndsAt = "2026-11-27T18:00:00.000Z";
    seedDiscount(code, recoveryDiscountTitle(run.id, code), customer.id, madeEndsAt);
    await prisma.flowRun.update({ where: { id: run.id }, data: { discountCode: code } });
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));

    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(2);
    expect(messages[1].text).toContain(`${code}\n10% · Expires Nov 27, 2026, `);
    expect(simulator.store.discounts.filter((d) => d.code === code)).toHaveLength(1);
  });

  it("an email retried long after its code was made (an outage) moves the code's end to its full hours from now and states that", async () => {
    const { customer, run, code } = await runAfterEmail1();
    const { default: prisma } = await import("../../app/db.server");
    const { recoveryDiscountTitle, DISCOUNT_EXTEND_MUTATION } = await import("../../app/flows/abandoned-checkout.server");
    // The first attempt made the code days ago; it ended this morning, before the retry that now sends the email.
    seedDiscount(code, recoveryDiscountTitle(run.id, code), customer.id, "2026-11-21T10:00:00.000Z");
    await prisma.flowRun.update({ where: { id: run.id }, data: { discountCode: code } });
    const sendAt = new Date(daytime.getTime() + 24 * HOUR + 60_000); // Nov 21, 15:01 UTC
    await runStepsAt(sendAt);

    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(2);
    const extended = new Date(sendAt.getTime() + 48 * HOUR).toISOString();
    expect(simulator.store.discounts.filter((d) => d.code === code)).toEqual([expect.objectContaining({ endsAt: extended })]);
    // Nov 23, 15:01 UTC: 10:01 in New York.
    expect(messages[1].text).toContain(`${code}\n10% · Expires Nov 23, 2026, 10:01`);
    expect(adminQueryErrors(DISCOUNT_EXTEND_MUTATION)).toEqual([]);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("an email retried while its code still has more than half its hours states the code's expiry unchanged", async () => {
    const { customer, run, code } = await runAfterEmail1();
    const { default: prisma } = await import("../../app/db.server");
    const { recoveryDiscountTitle } = await import("../../app/flows/abandoned-checkout.server");
    const endsAt = "2026-11-22T20:00:00.000Z"; // 29 hours after the retry: more than half of 48
    seedDiscount(code, recoveryDiscountTitle(run.id, code), customer.id, endsAt);
    await prisma.flowRun.update({ where: { id: run.id }, data: { discountCode: code } });
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));
    const messages = await messagesFor(customer.email);
    expect(messages[1].text).toContain(`${code}\n10% · Expires Nov 22, 2026, 3:00`);
    expect(simulator.store.discounts.find((d) => d.code === code)!.endsAt).toBe(endsAt);
  });

  it("never emails a discount code that another discount holds: email 2 stays unsent and the run says why", async () => {
    const { customer, token, run, code } = await runAfterEmail1();
    const { default: prisma, pool } = await import("../../app/db.server");
    // Another discount (another customer's) already holds the code: Shopify answers TAKEN.
    seedDiscount(code, "Pathwise recovery for someone else", 424242);
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));

    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(1);
    expect(messages.some((message) => message.html?.includes(code))).toBe(false);
    const after = await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
    expect(after.discountCode).toBeNull();
    expect(after.steps.find((step) => step.stepKey === "email_2")).toMatchObject({ status: "failed", reason: "discount_code_taken" });
    expect(after.state).toBe("completed"); // email 1 went; nothing left to send
    // The outbox says so too (the email was claimed: the code is made only once the rules say send).
    expect(await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowRunId: run.id, stepKey: "email_2" } })).toMatchObject({ status: "skipped", skipReason: "discount_code_taken" });
    // Failed clearly, once: no job left retrying it, and no second discount made.
    expect((await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`])).rowCount).toBe(0);
    expect(simulator.store.discounts.filter((d) => d.code === code)).toHaveLength(1);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("uses the code an earlier attempt of the same run made (its answer lost in a crash) instead of failing or making another", async () => {
    const { customer, run, code } = await runAfterEmail1();
    const { default: prisma } = await import("../../app/db.server");
    const { recoveryDiscountTitle } = await import("../../app/flows/abandoned-checkout.server");
    seedDiscount(code, recoveryDiscountTitle(run.id, code), customer.id);
    await runStepsAt(new Date(daytime.getTime() + 24 * HOUR + 60_000));

    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(2);
    expect(messages[1].html).toContain(code);
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ discountCode: code });
    expect(simulator.store.discounts.filter((d) => d.code === code)).toHaveLength(1);
    expect(simulator.invalidQueries).toEqual([]);
  });

  it("sends nothing to an unsubscribed shopper and records why", async () => {
    const customer = await subscribedCustomer("en", "unsubscribed");
    const token = randomBytes(8).toString("hex");
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", daytime) });
    await runStepsAt(new Date(daytime.getTime() + 30 * HOUR));
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token }, include: { steps: true } });
    expect(run.state).toBe("skipped");
    expect(run.steps[0]).toMatchObject({ status: "skipped", reason: "no_consent" });
    expect((await messagesFor(customer.email)).filter((m) => m.status === "captured" || m.status === "sent")).toHaveLength(0);
  });

  it("defers a step that falls in quiet hours to the next allowed minute in the shop's time zone", async () => {
    const customer = await subscribedCustomer();
    const token = randomBytes(8).toString("hex");
    const evening = new Date("2026-11-20T03:00:00.000Z"); // 22:00 in New York
    await deliver({ shop: SHOP, topic: "checkouts/create", body: checkoutBody(token, customer, "en", evening) });
    flowClock.set(evening);
    await runStepsAt(new Date(evening.getTime() + HOUR + 60_000));
    const { default: prisma } = await import("../../app/db.server");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token }, include: { steps: true } });
    expect(run.steps[0]).toMatchObject({ status: "deferred", reason: "quiet_hours" });
    expect(run.nextRunAt?.toISOString()).toBe("2026-11-20T13:00:00.000Z"); // 08:00 New York
    expect(await messagesFor(customer.email).then((m) => m.filter((x) => x.status === "captured"))).toHaveLength(0);
    await runStepsAt(new Date("2026-11-20T13:00:30.000Z"));
    expect((await messagesFor(customer.email)).filter((m) => m.status === "captured")).toHaveLength(1);
  });
});

describe("cart updates from a shopper whose checkout we hold", () => {
  function cartBody(token: string, updatedAt: Date, lines: Array<{ productId: number; title: string; quantity: number; price: string }>) {
    return {
      ...samplePayload("carts/update"),
      id: token,
      token,
      line_items: lines.map((line, index) => ({ id: 9_000 + index, key: `${line.productId}:${index}`, product_id: line.productId, variant_id: line.productId * 10, title: line.title, quantity: line.quantity, price: line.price })),
      created_at: daytime.toISOString(),
      updated_at: updatedAt.toISOString(),
    };
  }

  it("re-arm the checkout's timer like a checkout update, and email 1 shows the cart's current lines", async () => {
    const { customer, token } = await waitingRun("en");
    const { default: prisma, pool } = await import("../../app/db.server");
    const timer = async () => (await pool.query(`SELECT run_at FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`])).rows;
    expect(await timer()).toHaveLength(1);

    // Still shopping 50 minutes later: the cart (the checkout's cart token) changes.
    const editedAt = new Date(daytime.getTime() + 50 * 60_000);
    await deliverAndProcess({ shop: SHOP, topic: "carts/update", body: cartBody(`cart-${token}`, editedAt, [{ productId: 4_401, title: "Confetti cannon", quantity: 3, price: "12.50" }]) });
    expect(await timer()).toHaveLength(1); // the same single timer, moved
    expect(await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } })).toMatchObject({
      state: "waiting", anchorAt: editedAt, nextRunAt: new Date(editedAt.getTime() + HOUR),
    });
    // A late delivery of an older cart update does not pull it back, nor does a checkout update older than the cart edit.
    await deliverAndProcess({ shop: SHOP, topic: "carts/update", body: cartBody(`cart-${token}`, new Date(daytime.getTime() + 10 * 60_000), [{ productId: 4_402, title: "Party hat", quantity: 1, price: "3.00" }]) });
    await deliverAndProcess({ shop: SHOP, topic: "checkouts/update", body: checkoutBody(token, customer, "en", new Date(daytime.getTime() + 40 * 60_000)) });
    expect((await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } })).nextRunAt).toEqual(new Date(editedAt.getTime() + HOUR));

    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000)); // when email 1 was first due
    expect(await messagesFor(customer.email)).toHaveLength(0);
    await runStepsAt(new Date(editedAt.getTime() + HOUR + 60_000));
    const messages = await messagesFor(customer.email);
    expect(messages).toHaveLength(1);
    expect(messages[0].text).toContain("Confetti cannon");
    expect(messages[0].text).toContain("$12.50");
    expect(messages[0].text).not.toContain("IPod Nano"); // the checkout's lines, before the edit
  });

  it("a checkout update that waited on the run while a later cart edit committed does not pull the timer back", async () => {
    const { customer, token } = await waitingRun("en");
    const { default: prisma, pool } = await import("../../app/db.server");
    const { onCartChanged, onCheckoutChanged } = await import("../../app/flows/abandoned-checkout.server");
    const cartEditedAt = new Date(daytime.getTime() + 50 * 60_000);
    const checkoutEditedAt = new Date(daytime.getTime() + 40 * 60_000);
    // The cart edit (15:50) has written the run in its transaction, not yet committed...
    let commitCart!: () => void;
    const cartCommitted = new Promise<void>((resolve) => (commitCart = resolve));
    let cartWritten!: () => void;
    const written = new Promise<void>((resolve) => (cartWritten = resolve));
    const cartDone = prisma.$transaction(async (tx) => {
      await onCartChanged(tx, SHOP, { token: `cart-${token}`, updatedAt: cartEditedAt } as never);
      cartWritten();
      await cartCommitted;
    });
    await written;
    // ...when an older checkout update (15:40) reads the run (anchor 15:00) and waits on its row.
    const checkout = prisma.$transaction((tx) =>
      onCheckoutChanged(tx, SHOP, { token, cartToken: `cart-${token}`, email: customer.email, customerId: String(customer.id), customerLocale: "en", completedAt: null, updatedAt: checkoutEditedAt }),
    );
    let waiting = false;
    for (let i = 0; i < 200 && !waiting; i++) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      waiting = rows[0].n > 0;
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(waiting).toBe(true);
    commitCart();
    await cartDone;
    await checkout;

    expect(await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } })).toMatchObject({
      anchorAt: cartEditedAt, nextRunAt: new Date(cartEditedAt.getTime() + HOUR),
    });
    // The timer the checkout update left fires an hour after the cart edit, not after the checkout update.
    await runStepsAt(new Date(checkoutEditedAt.getTime() + HOUR + 60_000));
    expect(await messagesFor(customer.email)).toHaveLength(0);
    await runStepsAt(new Date(cartEditedAt.getTime() + HOUR + 60_000));
    expect(await messagesFor(customer.email)).toHaveLength(1);
  });

  it("change nothing for a cart already turned into an order, or one tied to no checkout with an email", async () => {
    const { default: prisma, pool } = await import("../../app/db.server");
    const { customer, token } = await waitingRun("en");
    await deliverAndProcess({ shop: SHOP, topic: "orders/create", body: orderBody(customer, token, new Date(daytime.getTime() + 20 * 60_000), "10.00") });
    const ended = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    expect(ended).toMatchObject({ state: "exited", exitReason: "purchased_before_email" });
    // The cart keeps changing after the order (Shopify sends updates for it): no timer, no run restarted, no email.
    await deliverAndProcess({ shop: SHOP, topic: "carts/update", body: cartBody(`cart-${token}`, new Date(daytime.getTime() + 30 * 60_000), [{ productId: 4_401, title: "Confetti cannon", quantity: 1, price: "12.50" }]) });
    expect((await pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`])).rowCount).toBe(0);
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: ended.id } })).toEqual(ended);

    // A cart no checkout of ours names (no email to tie it to anyone): nothing starts.
    const stranger = `cart-${randomBytes(8).toString("hex")}`;
    const runsBefore = await prisma.flowRun.count({ where: { shop: SHOP } });
    await deliverAndProcess({ shop: SHOP, topic: "carts/update", body: cartBody(stranger, new Date(daytime.getTime() + 30 * 60_000), [{ productId: 4_401, title: "Confetti cannon", quantity: 1, price: "12.50" }]) });
    expect(await prisma.flowRun.count({ where: { shop: SHOP } })).toBe(runsBefore);
    await runStepsAt(new Date(daytime.getTime() + 2 * HOUR));
    expect(await messagesFor(customer.email)).toHaveLength(0);
  });
});

describe("SendGrid refusing the account (a revoked key) for longer than the queue's attempts", () => {
  /** SendGrid answering with a key of ours (right or wrong) for the duration of `body`. */
  async function withSendgrid(body: (sendgrid: SendgridFake, refuse: (refusing: boolean) => void) => Promise<void>) {
    const sendgrid = await startSendgridFake();
    process.env.SENDGRID_API_ORIGIN = sendgrid.url;
    const refuse = (refusing: boolean) => (process.env.SENDGRID_API_KEY = refusing ? "SG.revoked-key" : sendgrid.apiKey);
    try {
      await body(sendgrid, refuse);
    } finally {
      delete process.env.SENDGRID_API_KEY;
      delete process.env.SENDGRID_API_ORIGIN;
      await sendgrid.close();
    }
  }

  /** Runs the run's step at its next timer, as many times as `until` says; returns the times it ran. */
  async function retryUntil(runId: string, token: string, until: (tries: number) => Promise<boolean>) {
    const { default: prisma, pool } = await import("../../app/db.server");
    const times: Date[] = [];
    for (let tries = 0; tries < 200 && !(await until(tries)); tries++) {
      const { nextRunAt } = await prisma.flowRun.findUniqueOrThrow({ where: { id: runId } });
      const job = await pool.query(`SELECT attempts FROM graphile_worker.jobs WHERE key = $1`, [`abandoned:${SHOP}:${token}`]);
      expect(job.rows).toEqual([{ attempts: 0 }]); // re-scheduled, not failed: no attempt used
      times.push(nextRunAt!);
      await runStepsAt(nextRunAt!);
    }
    return times;
  }

  /** A waiting run whose email 1 came due while SendGrid refused the key. */
  async function refusedAtEmail1(refuse: (refusing: boolean) => void) {
    const { default: prisma } = await import("../../app/db.server");
    const { customer, token } = await waitingRun("en");
    const run = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, subjectKey: token } });
    refuse(true);
    await runStepsAt(new Date(daytime.getTime() + HOUR + 60_000));
    return { customer, token, run };
  }

  it("keeps a step waiting past the queue's 3½ hours, an hour apart at most, and sends it once when the key works again", async () => {
    await withSendgrid(async (sendgrid, refuse) => {
      const { default: prisma } = await import("../../app/db.server");
      const { customer, token, run } = await refusedAtEmail1(refuse);
      const waiting = await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
      expect(waiting.steps).toMatchObject([{ stepKey: "email_1", status: "deferred", reason: "send_refused" }]);
      expect(waiting.nextRunAt).toEqual(new Date(daytime.getTime() + HOUR + 2 * 60_000));
      // Six hours of refusals (the queue's own retries gave up after about 3½).
      const times = await retryUntil(run.id, token, async () => flowClock.now().getTime() >= daytime.getTime() + 7 * HOUR);
      const gaps = times.slice(1).map((at, i) => at.getTime() - times[i].getTime());
      expect(Math.max(...gaps)).toBe(HOUR);
      expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1])).toBe(true); // backing off
      expect(sendgrid.messages).toHaveLength(0);
      expect(await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowRunId: run.id, stepKey: "email_1" } })).toMatchObject({ status: "claimed" });

      refuse(false);
      const { nextRunAt } = await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } });
      await runStepsAt(nextRunAt!);
      expect(sendgrid.messages.filter((message) => message.to === customer.email)).toHaveLength(1);
      const sent = await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
      expect(sent).toMatchObject({ state: "sent", currentStep: 1, nextRunAt: new Date(daytime.getTime() + DAY) });
      expect(sent.steps).toMatchObject([{ stepKey: "email_1", status: "sent" }]);
      await runStepsAt(new Date(nextRunAt!.getTime() + HOUR));
      expect(sendgrid.messages.filter((message) => message.to === customer.email)).toHaveLength(1);
    });
  });

  it("gives a step up after 72 hours of refusals: the email is recorded failed and never sent, and the run goes on", async () => {
    await withSendgrid(async (sendgrid, refuse) => {
      const { default: prisma } = await import("../../app/db.server");
      const { customer, token, run } = await refusedAtEmail1(refuse);
      const stepOf = async (key: string) => (await prisma.flowStepRun.findMany({ where: { runId: run.id, stepKey: key } }))[0];
      await retryUntil(run.id, token, async () => (await stepOf("email_1"))?.status === "failed");
      expect(await stepOf("email_1")).toMatchObject({ status: "failed", reason: "send_refused" });
      const givenUpAt = flowClock.now().getTime();
      expect(givenUpAt).toBeGreaterThanOrEqual(daytime.getTime() + HOUR + 72 * HOUR);
      expect(givenUpAt).toBeLessThan(daytime.getTime() + HOUR + 74 * HOUR);
      expect(await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, flowRunId: run.id, stepKey: "email_1" } })).toMatchObject({ status: "skipped", skipReason: "send_refused" });

      // The key works again: the run goes on with email 2 (due already), and email 1 never goes.
      refuse(false);
      expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "waiting", currentStep: 1, endedAt: null });
      await runStepsAt(new Date(givenUpAt + 60_000));
      expect(sendgrid.messages.filter((message) => message.to === customer.email)).toHaveLength(1);
      expect(await prisma.emailMessage.findMany({ where: { shop: SHOP, flowRunId: run.id, status: { in: ["sent", "captured"] } }, select: { stepKey: true } })).toEqual([{ stepKey: "email_2" }]);
    });
  });
});

describe("flow settings", () => {
  it("refuses a delay of 0 and a discount of 150% with a message on the field", async () => {
    const { settingsFromForm, defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    const form = new FormData();
    form.set("step_1_delay_hours", "0");
    form.set("step_2_enabled", "on");
    form.set("step_2_delay_hours", "24");
    form.set("step_2_discount_enabled", "on");
    form.set("step_2_discount_percent", "150");
    form.set("step_2_discount_expires_hours", "48");
    form.set("step_3_delay_hours", "72");
    const result = settingsFromForm(form, defaultAbandonedCheckoutSettings());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.step_1_delay_hours).toMatch(/at least 1 minute/);
    expect(result.errors.step_2_discount_percent).toMatch(/between 1% and 100%/);
  });

  it("refuses an enabled email timed at or before the enabled one it follows, on that email's delay", async () => {
    const { settingsFromForm, defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    const form = (delays: [string, string, string], enabled: { two: boolean; three: boolean }) => {
      const data = new FormData();
      data.set("step_1_delay_hours", delays[0]);
      if (enabled.two) data.set("step_2_enabled", "on");
      data.set("step_2_delay_hours", delays[1]);
      data.set("step_2_discount_enabled", "on");
      data.set("step_2_discount_percent", "10");
      data.set("step_2_discount_expires_hours", "48");
      if (enabled.three) data.set("step_3_enabled", "on");
      data.set("step_3_delay_hours", delays[2]);
      return settingsFromForm(data, defaultAbandonedCheckoutSettings());
    };
    const errorsOf = (result: ReturnType<typeof form>) => (result.ok ? {} : result.errors);

    // Email 2 half an hour after the shopper left, email 1 after an hour: email 2 could never follow email 1.
    expect(errorsOf(form(["1", "0.5", "72"], { two: true, three: false }))).toEqual({ step_2_delay_hours: "Email 2 must be sent after email 1: set more than 1 hour" });
    // The same time is refused too (both would be due at once; smart sending would drop the second).
    expect(errorsOf(form(["24", "24", "72"], { two: true, three: false }))).toEqual({ step_2_delay_hours: "Email 2 must be sent after email 1: set more than 24 hours" });
    expect(errorsOf(form(["1", "24", "24"], { two: true, three: true }))).toEqual({ step_3_delay_hours: "Email 3 must be sent after email 2: set more than 24 hours" });
    // A disabled email is not in the sequence: email 3 then follows email 1.
    expect(errorsOf(form(["2", "24", "1.5"], { two: false, three: true }))).toEqual({ step_3_delay_hours: "Email 3 must be sent after email 1: set more than 2 hours" });
    expect(form(["1", "24", "0.5"], { two: true, three: false }).ok).toBe(true);
    expect(form(["1", "0.5", "2"], { two: false, three: true }).ok).toBe(true);
    // A delay's own error (0 is not a delay) is the one its field shows.
    expect(errorsOf(form(["1", "0", "72"], { two: true, three: false })).step_2_delay_hours).toMatch(/at least 1 minute/);
  });
});

describe("the flow's page in the admin", () => {
  const adminRequest = (path: string, init?: RequestInit) => {
    const url = new URL(`${process.env.SHOPIFY_APP_URL}${path}`);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", SHOP);
    url.searchParams.set("host", Buffer.from("admin.shopify.com/store/flows-shop").toString("base64url"));
    url.searchParams.set("id_token", simulator.createSessionToken());
    return new Request(url, { ...init, headers: { "user-agent": "Mozilla/5.0 Chrome/130", authorization: `Bearer ${simulator.createSessionToken()}` } });
  };

  it("shows figures, runs and a rendered preview; refuses bad settings on the field; sends a test", async () => {
    const { loader, action } = await import("../../app/routes/app.flows.abandoned-checkout");
    const page = (await loader({ request: adminRequest("/app/flows/abandoned-checkout?step=1&lang=ko"), params: {}, context: {} } as never)) as Awaited<ReturnType<typeof loader>>;
    expect(page.figures.started).toBeGreaterThan(0);
    expect(page.figures.converted).toBeGreaterThan(0);
    expect(page.figures.revenue[0]).toMatchObject({ currency: "USD" });
    expect(page.preview.subject).toBe("주문을 마무리할 작은 선물");
    expect(page.preview.html).toContain("BACK-PREVIEW");
    expect(page.runs.some((run) => run.state === "converted")).toBe(true);
    // Run times are shown in the shop's zone, not the server's or the browser's.
    expect(page.timezone).toBe("America/New_York");

    const bad = new FormData();
    bad.set("enabled", "on");
    bad.set("step_1_delay_hours", "0");
    bad.set("step_2_delay_hours", "24");
    bad.set("step_2_enabled", "on");
    bad.set("step_2_discount_enabled", "on");
    bad.set("step_2_discount_percent", "150");
    bad.set("step_2_discount_expires_hours", "48");
    bad.set("step_3_delay_hours", "72");
    const refused = (await action({ request: adminRequest("/app/flows/abandoned-checkout", { method: "POST", body: bad }), params: {}, context: {} } as never)) as { ok: boolean; errors: Record<string, string> };
    expect(refused.ok).toBe(false);
    expect(refused.errors.step_2_discount_percent).toMatch(/100%/);
    const early = new FormData();
    for (const [name, value] of bad) early.set(name, value);
    early.set("step_1_delay_hours", "1");
    early.set("step_2_delay_hours", "0.5");
    early.set("step_2_discount_percent", "10");
    const refusedEarly = (await action({ request: adminRequest("/app/flows/abandoned-checkout", { method: "POST", body: early }), params: {}, context: {} } as never)) as { ok: boolean; errors: Record<string, string> };
    expect(refusedEarly).toMatchObject({ ok: false, errors: { step_2_delay_hours: "Email 2 must be sent after email 1: set more than 1 hour" } });

    const { default: prisma } = await import("../../app/db.server");
    await prisma.shop.update({ where: { domain: SHOP }, data: { email: "owner@confetti.example" } });
    const test = new FormData();
    test.set("intent", "test");
    test.set("step", "0");
    test.set("lang", "en");
    const sent = (await action({ request: adminRequest("/app/flows/abandoned-checkout", { method: "POST", body: test }), params: {}, context: {} } as never)) as { ok: boolean; message: string };
    expect(sent.message).toContain("owner@confetti.example");
    // The merchant's own address, at their request: shoppers' rules (consent, quiet hours, smart sending) do not apply.
    expect(sent).toMatchObject({ ok: true });
    expect(sent.message).toMatch(/^Test email to owner@confetti\.example: /);
    const copy = await prisma.emailMessage.findFirstOrThrow({ where: { shop: SHOP, email: "owner@confetti.example" }, orderBy: { claimedAt: "desc" } });
    expect(copy).toMatchObject({ status: "captured", subject: expect.stringMatching(/^\[Test\] /) });
    // The plain-text part is the email's, as a shopper's client without HTML shows it, not the subject again.
    expect(copy.text).toContain("Unsubscribe");
    expect(copy.text).toMatch(/still planning the party, there\?/i);
    expect(copy.text).toMatch(/return to your cart/i);

    // An address that bounced is still refused, in words.
    const { suppress } = await import("../../app/email/suppression.server");
    await suppress(SHOP, "owner@confetti.example", "bounce", "test");
    const refusedTest = (await action({ request: adminRequest("/app/flows/abandoned-checkout", { method: "POST", body: test }), params: {}, context: {} } as never)) as { ok: boolean; message: string };
    expect(refusedTest.ok).toBe(false);
    expect(refusedTest.message).toMatch(/^Test email to owner@confetti\.example: not sent/);
  });
});

describe("a recovered order that is cancelled later", () => {
  it("withdraws the recovery: the run exits with the reason, and its revenue leaves the figures", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { flowFigures } = await import("../../app/flows/cross-sell-admin.server");
    const recovered = await prisma.flowRun.findFirstOrThrow({ where: { shop: SHOP, flowKey: "abandoned_checkout", state: "converted" } });
    const before = await flowFigures(SHOP, "abandoned_checkout");
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: recovered.convertedOrderId! } } });
    const cancelledAt = new Date(order.shopifyCreatedAt.getTime() + 2 * HOUR).toISOString();
    await deliver({
      shop: SHOP,
      topic: "orders/updated",
      body: { ...samplePayload("orders/updated"), id: Number(order.id), checkout_token: order.checkoutToken, email: order.email, ...orderTotal("59.90"), currency: "USD", created_at: order.shopifyCreatedAt.toISOString(), cancelled_at: cancelledAt, updated_at: cancelledAt },
    });
    const { drainJobs } = await import("../support/shopify");
    await drainJobs();
    expect(await prisma.flowRun.findUniqueOrThrow({ where: { id: recovered.id } })).toMatchObject({ state: "exited", exitReason: "order_cancelled", convertedOrderId: order.id, revenueMinor: null });
    const after = await flowFigures(SHOP, "abandoned_checkout");
    expect(after.converted).toBe(before.converted - 1);
    const usd = (figures: typeof before) => figures.revenue.find((row) => row.currency === "USD")?.amountMinor ?? 0;
    expect(usd(after)).toBe(usd(before) - (recovered.revenueMinor ?? 0));
  });
});
