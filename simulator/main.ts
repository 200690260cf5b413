import { createSimulator } from "./index";

// `npm run simulator`: the dev store on its own (PORT, APP_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET).
const simulator = createSimulator({
  port: Number(process.env.PORT ?? 8788),
  appUrl: process.env.APP_URL ?? "http://127.0.0.1:3000",
  apiKey: process.env.SHOPIFY_API_KEY ?? "pathwise-demo-api-key",
  apiSecret: process.env.SHOPIFY_API_SECRET ?? "pathwise-demo-api-secret",
  clockSpeed: Number(process.env.CLOCK_SPEED ?? 3600),
});
const { origin } = await simulator.start();
console.log(`Simulated store ${simulator.store.shop.domain} at ${origin}: ${simulator.store.products.length} products, ${simulator.store.orders.length} orders`);
process.once("SIGINT", async () => {
  await simulator.stop();
  process.exit(0);
});
