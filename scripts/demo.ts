import { stopOnSignals } from "../app/infra/shutdown.server";
import { createDatabaseIfMissing, dropDatabase, ensureDatabase, splitDatabaseUrl } from "../app/infra/postgres.server";
import { sharedDir } from "../simulator/shared-dir";

/**
 * npm run demo — the whole product against the local dev-store simulator:
 * database, migrations, app + worker, simulator, installation through token
 * exchange, a scripted scenario of shoppers on an accelerated clock, then a
 * readable timeline of what the app received and did, and the URLs to look at.
 *
 * DEMO_EXIT=1 exits after the timeline (CI); otherwise it keeps serving until Ctrl-C.
 */
const APP_PORT = Number(process.env.DEMO_APP_PORT ?? 8787);
const SIM_PORT = Number(process.env.DEMO_SIMULATOR_PORT ?? 8788);
const SHOP = "pathwise-party.myshopify.com";
const DATABASE = "pathwise_demo";

// The simulated store and Shopify's schema come from the shared data: without it, stop
// here and say where it was looked for, not minutes later in the middle of the scenario.
sharedDir();

const server = await ensureDatabase({ database: "postgres" });
const { serverUrl } = splitDatabaseUrl(server.url);
await dropDatabase(serverUrl, DATABASE);
await createDatabaseIfMissing(serverUrl, DATABASE);
process.env.DATABASE_URL = `${serverUrl}/${DATABASE}`;

const appUrl = `http://127.0.0.1:${APP_PORT}`;
const simulatorOrigin = `http://127.0.0.1:${SIM_PORT}`;
Object.assign(process.env, {
  NODE_ENV: "development",
  SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "pathwise-demo-api-key",
  SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "pathwise-demo-api-secret",
  SHOPIFY_APP_URL: appUrl,
  SHOPIFY_ADMIN_API_ORIGIN: simulatorOrigin,
  SCOPES: "read_orders,read_customers,write_customers,read_products,write_products,read_discounts,write_discounts,read_fulfillments,read_checkouts",
  PATHWISE_SECRET: process.env.PATHWISE_SECRET ?? "pathwise-demo-secret-not-for-production",
  RUN_WORKER_IN_PROCESS: "1",
  WORKER_CONCURRENCY: "8",
});

const step = (text: string) => console.log(`\n▸ ${text}`);

step(`Database: ${process.env.DATABASE_URL}`);
const { startApp } = await import("../server/index");
const { createSimulator } = await import("../simulator/index");
const simulator = createSimulator({
  port: SIM_PORT,
  appUrl,
  apiKey: process.env.SHOPIFY_API_KEY!,
  apiSecret: process.env.SHOPIFY_API_SECRET!,
  shop: SHOP,
  // Real-time clock plus explicit jumps (clock.advance), which the app's flows follow,
  // from 10:00 in the shop's time zone: outside its quiet hours whenever the demo runs.
  clockSpeed: 1,
  clockStartsAtLocalHour: 10,
});
await simulator.start();
const { flowClock } = await import("../app/flows/clock");
flowClock.advance(simulator.clock.now().getTime() - Date.now());
step(`Simulator: ${simulatorOrigin} — ${simulator.store.products.length} products, ${simulator.store.customers.length} customers, ${simulator.store.orders.length} historical orders`);

const app = await startApp({ port: APP_PORT, worker: true });
step(`App: ${app.url} (worker running in process)`);

const installStatus = await simulator.installApp();
const { default: prisma } = await import("../app/db.server");
const shopRow = await prisma.shop.findUnique({ where: { domain: SHOP } });
step(`Installed into ${SHOP} through token exchange (HTTP ${installStatus}); shop: ${shopRow?.name} · ${shopRow?.currency} · ${shopRow?.timezone}`);

const { runDemoFeatures, printTimeline } = await import("./demo-timeline");
await runDemoFeatures({ shop: SHOP, simulator, step, waitForQueue: () => waitForQueue(prisma) });

step("Running the shopper scenario on the accelerated clock…");
await simulator.runScenario();
const failed = simulator.webhookDeliveries.filter((delivery) => delivery.status !== 200);
console.log(`  ${simulator.webhookDeliveries.length} webhooks delivered, ${failed.length} not acknowledged${failed.length ? `: ${failed.map((d) => `${d.topic} ${d.status} ${d.responseText.slice(0, 80)}`).join("; ")}` : ""}`);
await waitForQueue(prisma);
const cartIds = simulator.store.products.filter((product) => ["chocolate-party-cake", "gold-number-balloons"].includes(product.handle)).map((product) => product.id).join(",");
await printTimeline({ shop: SHOP, simulator, appUrl, step, appProxyUrl: () => simulator.appProxyUrl("/recommendations", { product_ids: cartIds }) });

if (process.env.DEMO_EXIT === "1" || process.env.CI) {
  await simulator.stop();
  await app.stop();
  await server.stop();
  process.exit(0);
}
console.log("\nThe app and the simulator keep running: press Ctrl-C to stop.");
// Ctrl-C, or a SIGTERM from whatever runs the demo: either way the embedded PostgreSQL stops with it.
stopOnSignals(async () => {
  await simulator.stop();
  await app.stop();
  await server.stop();
});

async function waitForQueue(db: typeof prisma, timeoutMs = 120_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const [{ n }] = (await db.$queryRawUnsafe(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE run_at <= now() AND attempts < max_attempts`,
    )) as Array<{ n: number }>;
    if (n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
