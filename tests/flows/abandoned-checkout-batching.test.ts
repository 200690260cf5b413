import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Logger, runOnce } from "graphile-worker";
import { Session } from "@shopify/shopify-api";
import { createSimulator, type Simulator } from "../../simulator/index";
import { deliver, samplePayload } from "../support/shopify";
import { startSendgridFake, type SendgridFake } from "../email/support/sendgrid-fake";
import { flowClock } from "../../app/flows/clock";

/**
 * Checkouts abandoned together come due together: their first emails reach SendGrid
 * as one mail/send with a personalization per shopper, and each shopper's links
 * still lead to their own checkout.
 */
const SHOP = "batching-shop.myshopify.com";
const abandonedAt = new Date("2026-11-20T15:00:00.000Z");
let simulator: Simulator;
let sendgrid: SendgridFake;

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
  sendgrid = await startSendgridFake();
  process.env.SENDGRID_API_KEY = sendgrid.apiKey;
  process.env.SENDGRID_API_ORIGIN = sendgrid.url;
  const { sessionStorage } = await import("../../app/shopify.server");
  await sessionStorage.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: simulator.issueAccessToken() }));
  const { default: prisma } = await import("../../app/db.server");
  await prisma.shop.create({ data: { domain: SHOP, name: "Confetti & Co.", currency: "USD", timezone: "UTC", address: "120 Balloon Street, Brooklyn, NY 11201, US" } });
  const { saveFlow } = await import("../../app/flows/abandoned-checkout.server");
  const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
  await saveFlow(SHOP, true, defaultAbandonedCheckoutSettings());
});

afterAll(async () => {
  flowClock.reset();
  await sendgrid?.close();
  await simulator?.stop();
});

describe("abandoned checkout emails that come due together", () => {
  it("go to SendGrid as one request with a personalization each, every link pointing to the shopper's own checkout", async () => {
    flowClock.set(abandonedAt);
    const shoppers = [1, 2, 3, 4, 5].map((n) => ({ id: 9000 + n, email: `batch${n}@example.com`, token: `batch-checkout-${n}` }));
    for (const shopper of shoppers) {
      await deliver({ shop: SHOP, topic: "customers/create", body: { ...samplePayload("customers/create"), id: shopper.id, email: shopper.email, first_name: null, updated_at: abandonedAt.toISOString() } });
      await deliver({
        shop: SHOP,
        topic: "customers_email_marketing_consent/update",
        body: { customer_id: shopper.id, email_address: shopper.email, email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T00:00:00Z" } },
      });
      await deliver({
        shop: SHOP,
        topic: "checkouts/update",
        body: {
          ...samplePayload("checkouts/update"),
          token: shopper.token,
          cart_token: `cart-${shopper.token}`,
          email: shopper.email,
          customer: { id: shopper.id, email: shopper.email, first_name: null },
          customer_locale: "en",
          completed_at: null,
          abandoned_checkout_url: `https://${SHOP}/checkouts/cn/${shopper.token}/recover?key=k${shopper.id}`,
          created_at: abandonedAt.toISOString(),
          updated_at: abandonedAt.toISOString(),
        },
      });
    }
    const { pool } = await import("../../app/db.server");
    const { taskList } = await import("../../app/jobs/tasks.server");
    const run = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList: taskList(), concurrency: 10, logger: new Logger(() => () => {}) });
    await run(); // the webhooks
    // An hour later, every timer is due at once.
    flowClock.set(new Date(abandonedAt.getTime() + 3_600_000 + 60_000));
    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE payload->>'runId' IS NOT NULL`);
    sendgrid.reset();
    await run();

    expect(sendgrid.messages.map((message) => message.to).sort()).toEqual(shoppers.map((shopper) => shopper.email).sort());
    expect(sendgrid.accepted).toBeLessThan(shoppers.length);
    const { verifyClickToken, verifyUnsubscribeToken } = await import("../../app/email/tracking.server");
    for (const shopper of shoppers) {
      const message = sendgrid.messages.find((candidate) => candidate.to === shopper.email)!;
      const tokens = [...message.html.matchAll(/\/t\/c\/([A-Za-z0-9._~-]+)/g)].map((match) => match[1]);
      const targets = tokens.map((token) => verifyClickToken(token)).filter((target) => target !== null);
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.every((target) => target.messageId === message.customArgs.pathwise_message_id)).toBe(true);
      expect(targets.find((target) => target.linkId === "cta")?.url).toBe(`https://${SHOP}/checkouts/cn/${shopper.token}/recover?key=k${shopper.id}`);
      expect(message.text).toContain("/t/c/");
      // Each shopper's own one-click unsubscribe, for their own message.
      const unsubscribeToken = /\/u\/([^?>]+)\?one-click=1>$/.exec(message.headers["List-Unsubscribe"])?.[1];
      expect(verifyUnsubscribeToken(unsubscribeToken!)?.messageId).toBe(message.customArgs.pathwise_message_id);
    }
    const { rows } = await pool.query(`SELECT status, count(*)::int AS n FROM email_message WHERE shop = $1 GROUP BY status`, [SHOP]);
    expect(rows).toEqual([{ status: "sent", n: shoppers.length }]);

    // The steps finished together (one statement for the batch): each run has its own
    // record, has moved to the next step, and has exactly one timer, for email 2, a day after abandoning.
    const { rows: runs } = await pool.query(
      `SELECT r.subject_key, r.state, r.current_step, r.next_run_at, sr.status AS step_status,
              (SELECT json_agg(json_build_object('step', j.payload->>'step', 'inSeconds', extract(epoch FROM j.run_at - now()))) FROM graphile_worker._private_jobs j
                WHERE j.key = 'abandoned:' || r.shop || ':' || r.subject_key) AS timers
         FROM flow_run r JOIN flow_step_run sr ON sr.run_id = r.id AND sr.step_key = 'email_1'
        WHERE r.shop = $1 ORDER BY r.subject_key`,
      [SHOP],
    );
    expect(runs).toHaveLength(shoppers.length);
    for (const run of runs) {
      expect(run).toMatchObject({ state: "sent", current_step: 1, step_status: "sent" });
      expect(run.next_run_at.toISOString()).toBe("2026-11-21T15:00:00.000Z");
      // The flow clock is ahead of the job clock: the timer is due in (email 2's time − the flow's now).
      const dueInSeconds = (new Date("2026-11-21T15:00:00.000Z").getTime() - flowClock.now().getTime()) / 1000;
      expect(run.timers).toHaveLength(1);
      expect(run.timers[0].step).toBe("1");
      expect(Math.abs(run.timers[0].inSeconds - dueInSeconds)).toBeLessThan(60);
    }
  });
});
