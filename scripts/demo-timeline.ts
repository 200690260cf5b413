import prisma from "../app/db.server";

/** Feature steps the demo runs before the scenario (recommendation backfill, flow setup). */
export async function runDemoFeatures(_context: { shop: string; simulator: unknown; step: (text: string) => void }): Promise<void> {}

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
}) {
  const { shop, appUrl, step } = context;
  step("Timeline: webhooks Pathwise received (in order of arrival)");
  const events = await prisma.webhookEvent.findMany({
    where: { shop },
    orderBy: { id: "asc" },
    select: { topic: true, status: true, receivedAt: true, triggeredAt: true, payload: true },
  });
  for (const event of events) {
    const payload = (event.payload ?? {}) as Record<string, unknown>;
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
      console.log(`  ${String(run.flow_key).padEnd(20)} ${String(run.email ?? "").padEnd(30)} ${String(run.state).padEnd(10)} ${run.exit_reason ?? ""} ${run.revenue_minor ? `revenue ${run.revenue_minor} ${run.currency}` : ""}`);
    }
  }
  if (await tableExists("email_message")) {
    step("Emails (captured locally: no SENDGRID_API_KEY)");
    const messages = (await prisma.$queryRawUnsafe(
      `SELECT email, subject, status, skip_reason, created_at FROM email_message WHERE shop = $1 ORDER BY created_at`,
      shop,
    )) as Array<Record<string, unknown>>;
    for (const message of messages) {
      console.log(`  ${String(message.status).padEnd(10)} ${String(message.email).padEnd(30)} ${message.subject ?? ""} ${message.skip_reason ? `(${message.skip_reason})` : ""}`);
    }
  }

  step("Where to look");
  const token = await context.simulator.createSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET! });
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
  console.log(`  Admin (as Shopify admin would open it; the session token is valid for a minute):`);
  console.log(`    ${appUrl}/app/activity?embedded=1&shop=${shop}&host=${host}&id_token=${token}`);
  console.log(`  Webhook endpoint: ${appUrl}/webhooks`);
}
