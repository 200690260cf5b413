import prisma from "../app/db.server";
import { emailStatusLabel, flowName, reasonLabel, runStateLabel } from "../app/flows/labels";
import { formatMoney } from "../app/money";

/**
 * Feature steps the demo runs before the scenario: the recommendation backfill
 * (started by the install) is awaited, the abandoned checkout flow is switched on,
 * and the flows' clock and the job queue follow the simulator's clock jumps.
 */
export async function runDemoFeatures(context: {
  shop: string;
  simulator: { clock: { onAdvance: ((ms: number) => Promise<void> | void) | null }; store: { products: Array<{ id: number; title: string; handle: string }> } };
  step: (text: string) => void;
  waitForQueue: () => Promise<void>;
}): Promise<void> {
  const { shop, simulator, step } = context;
  const started = Date.now();
  let status = await prisma.recommendationStatus.findUnique({ where: { shop } });
  while ((!status || !["ready", "failed"].includes(status.state)) && Date.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = await prisma.recommendationStatus.findUnique({ where: { shop } });
  }
  step(`Recommendations learned from Shopify (bulk operations): ${status?.state} — ${status?.ordersCovered} orders, ${status?.productsCovered}/${status?.catalogSize} products with co-purchase lists, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const sample = simulator.store.products.find((product) => product.handle === "birthday-candles-24");
  if (sample) {
    const recs = await prisma.productRecommendation.findMany({ where: { shop, productId: String(sample.id) }, orderBy: { rank: "asc" }, take: 5 });
    const titles = new Map(simulator.store.products.map((product) => [String(product.id), product.title]));
    console.log(`  Customers who bought "${sample.title}" also bought: ${recs.map((rec) => `${titles.get(rec.recommendedProductId)} (${rec.score.toFixed(3)}, ${rec.source})`).join("; ")}`);
  }

  const { saveFlow } = await import("../app/flows/abandoned-checkout.server");
  const { defaultAbandonedCheckoutSettings } = await import("../app/flows/settings");
  await saveFlow(shop, true, defaultAbandonedCheckoutSettings());
  step("Abandoned checkout recovery switched on (email 1 after 1 hour, email 2 with a 10% code after 24 hours)");

  // Time jumps in the scenario move the flows' clock and the queue's schedule alike.
  const { flowClock } = await import("../app/flows/clock");
  const { pool } = await import("../app/db.server");
  simulator.clock.onAdvance = async (ms) => {
    await context.waitForQueue();
    flowClock.advance(ms);
    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = run_at - make_interval(secs => $1::float8 / 1000) WHERE locked_at IS NULL`, [ms]);
    await context.waitForQueue();
  };
}

async function tableExists(name: string): Promise<boolean> {
  const [row] = (await prisma.$queryRawUnsafe(`SELECT to_regclass($1)::text AS t`, name)) as Array<{ t: string | null }>;
  return Boolean(row?.t);
}

/** A readable account of what the app received and did, then where to look. */
export async function printTimeline(context: {
  shop: string;
  appUrl: string;
  simulator: { createSessionToken: (options: { shop: string; apiKey: string; apiSecret: string }) => string | Promise<string> };
  step: (text: string) => void;
  appProxyUrl?: () => string;
}) {
  const { shop, appUrl, step } = context;
  step("Timeline: webhooks Pathwise received (in order of arrival)");
  const events = await prisma.webhookEvent.findMany({
    where: { shop },
    orderBy: { id: "asc" },
    select: { topic: true, status: true, receivedAt: true, triggeredAt: true, payload: true },
  });
  for (const event of events) {
    const payload = (event.payload ? JSON.parse(event.payload) : {}) as Record<string, unknown>;
    const subject = event.topic.startsWith("orders/")
      ? payload.name
      : event.topic.startsWith("customers")
        ? `customer ${payload.id ?? payload.customer_id}`
        : event.topic.startsWith("products/")
          ? `product ${payload.handle ?? payload.id}`
          : (payload.token ?? payload.name ?? payload.id ?? "");
    console.log(
      `  ${(event.triggeredAt ?? event.receivedAt).toISOString().replace("T", " ").slice(0, 19)}  ${event.topic.padEnd(42)} ${String(subject).slice(0, 28).padEnd(28)} ${event.status}`,
    );
  }

  step("Store model after processing");
  const counts = {
    customers: await prisma.customer.count({ where: { shop } }),
    checkouts: await prisma.checkout.count({ where: { shop } }),
    "open checkouts": await prisma.checkout.count({ where: { shop, orderId: null } }),
    carts: await prisma.cart.count({ where: { shop } }),
    orders: await prisma.order.count({ where: { shop } }),
    fulfillments: await prisma.fulfillment.count({ where: { shop } }),
    delivered: await prisma.fulfillment.count({ where: { shop, deliveredAt: { not: null } } }),
    products: await prisma.product.count({ where: { shop } }),
  };
  console.log("  " + Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(" · "));

  if (await tableExists("flow_run")) {
    step("Flows: what Pathwise did for each shopper");
    const runs = (await prisma.$queryRawUnsafe(
      `SELECT flow_key, subject_key, email, state, exit_reason, revenue_minor, currency FROM flow_run WHERE shop = $1 ORDER BY started_at`,
      shop,
    )) as Array<Record<string, unknown>>;
    for (const run of runs) {
      const outcome = [runStateLabel(String(run.state)), run.exit_reason ? reasonLabel(String(run.exit_reason)) : null].filter(Boolean).join(": ");
      const revenue = run.revenue_minor ? ` · revenue ${formatMoney(Number(run.revenue_minor), String(run.currency))}` : "";
      console.log(`  ${flowName(String(run.flow_key)).padEnd(30)} ${String(run.email ?? "").padEnd(30)} ${outcome}${revenue}`);
    }
  }
  if (await tableExists("email_message")) {
    step("Emails (captured locally: no SENDGRID_API_KEY)");
    const messages = (await prisma.$queryRawUnsafe(
      `SELECT email, subject, status, skip_reason, created_at FROM email_message WHERE shop = $1 ORDER BY created_at`,
      shop,
    )) as Array<Record<string, unknown>>;
    for (const message of messages) {
      const status = message.skip_reason ? `${emailStatusLabel(String(message.status))}: ${reasonLabel(String(message.skip_reason))}` : emailStatusLabel(String(message.status));
      console.log(`  ${String(message.email).padEnd(30)} ${message.subject ?? "(not sent)"} · ${status}`);
    }
  }

  const metafields = await prisma.recommendationSync.count({ where: { shop, syncedHash: { not: null } } });
  step(`Storefront: ${metafields} product metafields ($app:pathwise.also_bought) written for the "Customers also bought" theme block`);

  step("Where to look");
  const token = await context.simulator.createSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET! });
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
  console.log(`  Admin pages, as Shopify admin opens them (each link carries a session token valid for a minute; rerun the demo for fresh ones):`);
  for (const page of ["/app/flows/abandoned-checkout", "/app/recommendations", "/app/outbox", "/app/activity", "/app/settings/email", "/app/privacy"]) {
    console.log(`    ${page.padEnd(30)} ${appUrl}${page}?embedded=1&shop=${shop}&host=${host}&id_token=${token}`);
  }
  console.log(`  Storefront proxy (signed as Shopify would): ${context.appProxyUrl?.() ?? ""}`);
  console.log(`  Webhook endpoint: ${appUrl}/webhooks`);
  console.log(`  Health (database, job queue): ${appUrl}/healthz`);
}
