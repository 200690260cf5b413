import { createSimulator } from "./index";

// `npm run simulator`: the dev store on its own.
// PORT, APP_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET; optional SHOP, SEED, ORDER_COUNT, CLOCK_SPEED.
const simulator = createSimulator({
  port: Number(process.env.PORT ?? 8788),
  host: process.env.HOST ?? "127.0.0.1",
  appUrl: process.env.APP_URL ?? "http://127.0.0.1:3000",
  apiKey: process.env.SHOPIFY_API_KEY ?? "pathwise-demo-api-key",
  apiSecret: process.env.SHOPIFY_API_SECRET ?? "pathwise-demo-api-secret",
  shop: process.env.SHOP || undefined,
  seed: process.env.SEED ? Number(process.env.SEED) : undefined,
  orderCount: process.env.ORDER_COUNT ? Number(process.env.ORDER_COUNT) : undefined,
  clockSpeed: Number(process.env.CLOCK_SPEED ?? 3600),
});
const { origin } = await simulator.start();
const { store } = simulator;
console.log(`Simulated store ${store.shop.domain} at ${origin}: ${store.products.length} products, ${store.customers.length} customers, ${store.orders.length} orders`);
console.log(`Admin API: ${origin}/admin/api/2026-10/graphql.json (set SHOPIFY_ADMIN_API_ORIGIN=${origin} in the app); webhooks go to ${process.env.APP_URL ?? "http://127.0.0.1:3000"}/webhooks`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await simulator.stop();
    process.exit(0);
  });
}
