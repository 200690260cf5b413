import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import os from "node:os";
import pg from "pg";
import { CoPurchaseModel, ProductCatalog, type Recommendation } from "../app/recommendations/engine";
import { createDatabaseIfMissing, dropDatabase, ensureDatabase, repoRoot, splitDatabaseUrl } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { treeCpuSeconds } from "./cpu";

/**
 * npm run bench:recs — (1) build the co-purchase model from 1,000,000 order lines
 * streamed from a generator and rank the top K of every product: time and peak
 * memory; (2) the app proxy "based on your cart" endpoint under load from a
 * separate process: p50/p99 latency.
 *
 * Env: BENCH_LINES (1,000,000), BENCH_CONCURRENCY (8), BENCH_PROXY_REQUESTS (10,000), BENCH_PROXY_RATE (800/s: the open-loop phase),
 * BENCH_PROFILE_DIR (CPU profile of the app process).
 */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const PRODUCTS = 5_000;
const THEMES = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function* generateOrders(): Generator<{ orderId: string; createdAt: Date; productIds: string[] }> {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  // Zipf-like popularity inside each theme; most of a basket comes from one theme.
  const pick = (theme: number) => theme * (PRODUCTS / THEMES) + Math.floor((PRODUCTS / THEMES) * random() ** 2.2);
  let lines = 0;
  let order = 0;
  const start = Date.now() - 365 * 86_400_000;
  while (lines < LINES) {
    const theme = Math.floor(THEMES * random() ** 1.5);
    const size = Math.min(12, 1 + Math.floor(-Math.log(1 - random()) * 3));
    const productIds: string[] = [];
    for (let i = 0; i < size; i++) productIds.push(String(random() < 0.8 ? pick(theme) : pick(Math.floor(THEMES * random()))));
    lines += size;
    order++;
    yield { orderId: String(order), createdAt: new Date(start + (order / (LINES / 4)) * 365 * 86_400_000), productIds };
  }
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const buildStarted = performance.now();
const model = new CoPurchaseModel({ k: 12 });
let orders = 0;
let lines = 0;
for (const order of generateOrders()) {
  model.addOrder(order);
  orders++;
  lines += order.productIds.length;
}
const buildSeconds = (performance.now() - buildStarted) / 1000;
const rankStarted = performance.now();
const catalog = ProductCatalog.from(
  Array.from({ length: PRODUCTS }, (_, id) => ({ id: String(id), status: "ACTIVE" as const, available: id % 97 !== 0, isGiftCard: false, salesCount: Math.round(model.popularity(String(id))) })),
);
const lists = new Map<string, Recommendation[]>();
for (const product of catalog.values()) lists.set(product.id, model.topK(product.id, catalog, undefined, 12));
const rankSeconds = (performance.now() - rankStarted) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const pairs = model.stats().pairs * 2;
const maxRss = process.resourceUsage().maxRSS * 1024;

console.log("bench:recs — model build");
console.log(`  order lines          ${lines.toLocaleString()} in ${orders.toLocaleString()} orders, ${PRODUCTS.toLocaleString()} products`);
console.log(`  build (streamed)     ${buildSeconds.toFixed(2)} s`);
console.log(`  top-12 for all       ${rankSeconds.toFixed(2)} s`);
console.log(`  total                ${(buildSeconds + rankSeconds).toFixed(2)} s  (target < 30 s)`);
console.log(`  directed pairs held  ${pairs.toLocaleString()}`);
console.log(`  peak RSS             ${(Math.max(peakRss, maxRss) / 1024 / 1024).toFixed(0)} MiB  (target < 1024 MiB)`);

// ---- the app proxy endpoint under load --------------------------------------------
const SHOP = "bench-shop.myshopify.com";
const SECRET = "bench-secret";
const DATABASE = "pathwise_bench_recs";
const server = await ensureDatabase({ database: "postgres" });
const { serverUrl } = splitDatabaseUrl(server.url);
await dropDatabase(serverUrl, DATABASE);
await createDatabaseIfMissing(serverUrl, DATABASE);
const databaseUrl = `${serverUrl}/${DATABASE}`;
await migrateDatabase(databaseUrl);
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const ids = [...lists.keys()];
await db.query(
  `INSERT INTO product (shop, id, title, handle, status, available, price_minor, currency, image_url, variant_id)
   SELECT $1, id, 'Product ' || id, 'product-' || id, 'active', true, 1000 + (id::int % 50) * 100, 'USD', 'https://cdn.example/p/' || id || '.png', id || '1'
   FROM unnest($2::text[]) AS id`,
  [SHOP, ids],
);
const recRows = [...lists.entries()].flatMap(([productId, list]) => list.map((rec, rank) => [productId, rank, rec.productId, rec.score, rec.source]));
for (let i = 0; i < recRows.length; i += 10_000) {
  const chunk = recRows.slice(i, i + 10_000);
  await db.query(
    `INSERT INTO product_recommendation (shop, product_id, rank, recommended_product_id, score, source)
     SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::float8[], $6::text[])`,
    [SHOP, chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2]), chunk.map((r) => r[3]), chunk.map((r) => r[4])],
  );
}
await db.end();

const tsx = path.join(repoRoot(), "node_modules", ".bin", "tsx");
const env = { ...process.env, DATABASE_URL: databaseUrl, SHOPIFY_API_KEY: "bench-key", SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: "http://127.0.0.1", BENCH_SHOP: SHOP, NODE_ENV: "production", PATHWISE_SECRET: process.env.PATHWISE_SECRET ?? "bench-pathwise-secret-0123456789" } as NodeJS.ProcessEnv;
// BENCH_PROFILE_DIR: the app process writes a V8 CPU profile there (node --cpu-prof) when it stops.
const profileFlags = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
const app: ChildProcess = spawn(tsx, [...profileFlags, path.join(repoRoot(), "bench", "webhook-server.ts")], { env, stdio: ["ignore", "pipe", "inherit"] });
const appUrl = await new Promise<string>((resolve, reject) => {
  app.stdout!.on("data", (chunk: Buffer) => {
    const match = /READY (\S+)/.exec(chunk.toString());
    if (match) resolve(match[1]);
  });
  app.once("exit", (code) => reject(new Error(`app exited with ${code}`)));
});
// Async, so this process keeps draining the app's output while the load runs.
const run = async (total: number, rate = 0) =>
  JSON.parse(
    (await promisify(execFile)(tsx, [path.join(repoRoot(), "bench", "proxy-load.ts"), appUrl, String(total), String(CONCURRENCY), SHOP, SECRET, String(PRODUCTS), String(rate)])).stdout.trim().split("\n").pop()!,
  ) as { sent: number; ok: number; seconds: number; p50: number; p95: number; p99: number; max: number };
await run(1_000); // warm-up
const cpuBefore = treeCpuSeconds(app.pid!);
const result = await run(Number(process.env.BENCH_PROXY_REQUESTS ?? 10_000));
const appCpuSeconds = treeCpuSeconds(app.pid!) - cpuBefore;
console.log(`\nbench:recs — app proxy /apps/pathwise/recommendations (signed, random carts of 1–4 products, ${CONCURRENCY} concurrent)`);
console.log(`  requests             ${result.sent.toLocaleString()} (${result.ok.toLocaleString()} OK) in ${result.seconds.toFixed(1)} s = ${(result.sent / result.seconds).toFixed(0)}/s`);
console.log(`  latency              p50 ${result.p50.toFixed(1)} ms · p95 ${result.p95.toFixed(1)} ms · p99 ${result.p99.toFixed(1)} ms · max ${result.max.toFixed(1)} ms  (target p99 < 20 ms)`);
// CPU the app spent per request: unlike latency, it does not depend on what else the (shared) machine runs.
console.log(`  app CPU              ${((appCpuSeconds * 1000) / result.sent).toFixed(2)} ms per request (${appCpuSeconds.toFixed(1)} s user+system over the run; ${os.loadavg()[0].toFixed(1)} load average on ${os.cpus().length} cores)`);
// The same endpoint at a fixed rate (open loop): what a busy storefront sees, rather than saturation.
const RATE = Number(process.env.BENCH_PROXY_RATE ?? 800);
const paced = await run(RATE * 10, RATE);
console.log(`  at ${RATE}/s (fixed rate, latency from each request's scheduled time, ${paced.ok.toLocaleString()}/${paced.sent.toLocaleString()} OK)`);
console.log(`  latency              p50 ${paced.p50.toFixed(1)} ms · p95 ${paced.p95.toFixed(1)} ms · p99 ${paced.p99.toFixed(1)} ms · max ${paced.max.toFixed(1)} ms  (target p99 < 20 ms)`);
app.kill("SIGTERM");
await new Promise((resolve) => app.once("exit", resolve));
await dropDatabase(serverUrl, DATABASE).catch(() => {});
await server.stop();
