import { CoPurchaseModel, ProductCatalog, type CatalogProduct, type OrderInput } from "../app/recommendations/engine";
import { seededRandom } from "../app/recommendations/engine/evaluation";

/**
 * npm run bench:recs:build — the co-purchase engine alone (no database):
 * 1,000,000 generated order lines streamed into CoPurchaseModel from an async
 * generator (nothing held), then the top K of every product, then incremental
 * orders (addOrder + recompute of the dirty lists) as the orders/create webhook
 * would. Prints wall times, peak RSS and pairs stored. Targets: build + top-K
 * under 30 s, peak RSS under 1 GiB.
 *
 * Env: BENCH_LINES (1,000,000), BENCH_PRODUCTS (5,000), BENCH_SEED (20261124).
 */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 5_000);
const SEED = Number(process.env.BENCH_SEED ?? 20261124);
const THEMES = 100;
const PER_THEME = Math.ceil(PRODUCTS / THEMES);
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);

const random = seededRandom(SEED);
/** Skewed (Zipf-like) pick inside a theme: low ranks sell far more. */
const pickInTheme = (theme: number) => Math.min(PRODUCTS - 1, theme * PER_THEME + Math.floor(PER_THEME * random() ** 2.5));
/** Themes themselves are skewed: a few seasons/categories carry most orders. */
const pickTheme = () => Math.floor(THEMES * random() ** 1.8);
const productId = (index: number) => `gid://shopify/Product/${7_000_000_000 + index}`;

let peakSampledRss = 0;
const sampleRss = () => (peakSampledRss = Math.max(peakSampledRss, process.memoryUsage().rss));

/**
 * Orders over the last 365 days, in time order. Basket sizes are geometric
 * (mean about 4 lines); 80% of a basket's lines come from its theme, the rest
 * anywhere; 0.3% of orders are wholesale baskets of 40–300 lines.
 */
async function* generateOrders(stats: { orders: number; lines: number }): AsyncGenerator<OrderInput> {
  const approxOrders = LINES / 4;
  while (stats.lines < LINES) {
    const wholesale = random() < 0.003;
    const size = Math.min(LINES - stats.lines, wholesale ? 40 + Math.floor(random() * 260) : 1 + Math.floor(-Math.log(1 - random()) * 3));
    const theme = pickTheme();
    const lines = [];
    for (let i = 0; i < size; i++) {
      const index = random() < 0.8 ? pickInTheme(theme) : pickInTheme(pickTheme());
      lines.push({ productId: productId(index), quantity: 1 + Math.floor(random() * 3) });
    }
    stats.lines += size;
    stats.orders++;
    if (stats.orders % 5_000 === 0) sampleRss();
    yield { orderId: String(stats.orders), createdAt: END - 365 * DAY * (1 - Math.min(1, stats.orders / approxOrders)), lines };
  }
}

/** The shop's catalog: themes are collections; some drafts, archived, sold out and one gift card, as in a real shop. */
function catalog(): ProductCatalog {
  const products: CatalogProduct[] = [];
  for (let index = 0; index < PRODUCTS; index++) {
    const theme = Math.floor(index / PER_THEME);
    products.push({
      id: productId(index),
      status: index % 53 === 0 ? "DRAFT" : index % 59 === 0 ? "ARCHIVED" : "ACTIVE",
      available: index % 31 !== 0,
      isGiftCard: index === PRODUCTS - 1,
      productType: `type-${theme % 20}`,
      collections: [`theme-${theme}`, `season-${theme % 4}`],
      salesCount: Math.round(1000 / (1 + (index % PER_THEME))),
    });
  }
  return ProductCatalog.from(products);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const baselineRss = process.memoryUsage().rss;
const generated = { orders: 0, lines: 0 };
const model = new CoPurchaseModel();

const buildStarted = performance.now();
const applied = await model.addOrders(generateOrders(generated));
const buildMs = performance.now() - buildStarted;
sampleRss();

const shopCatalog = catalog();
const rankStarted = performance.now();
let lists = 0;
let recommendations = 0;
const sources: Record<string, number> = {};
for (const [, list] of model.topKAll(shopCatalog)) {
  lists++;
  recommendations += list.length;
  for (const rec of list) sources[rec.source] = (sources[rec.source] ?? 0) + 1;
}
const rankMs = performance.now() - rankStarted;
sampleRss();

// Incremental: 1,000 new orders, each followed by the recompute of the lists it touched.
model.takeDirtyProducts();
const incremental = { orders: 1_000, lines: 0 };
const incrementalStarted = performance.now();
let recomputed = 0;
for (let i = 0; i < incremental.orders; i++) {
  const theme = pickTheme();
  const size = 1 + Math.floor(-Math.log(1 - random()) * 3);
  const order: OrderInput = { createdAt: END + i * 60_000, lines: Array.from({ length: size }, () => ({ productId: productId(pickInTheme(theme)), quantity: 1 })) };
  incremental.lines += size;
  model.addOrder(order);
  for (const id of model.takeDirtyProducts()) {
    model.topK(id, shopCatalog);
    recomputed++;
  }
}
const incrementalMs = performance.now() - incrementalStarted;

const exportStarted = performance.now();
const state = model.exportState();
let exportedPairs = 0;
for (const _pair of state.pairs()) exportedPairs++;
const exportMs = performance.now() - exportStarted;
sampleRss();

const stats = model.stats();
const maxRss = process.resourceUsage().maxRSS * 1024;
const total = buildMs + rankMs;
const ok = (pass: boolean) => (pass ? "OK  " : "OVER");
console.log(`
Co-purchase engine build benchmark (seed ${SEED}, Node ${process.version})
  input          ${generated.lines.toLocaleString("en")} order lines in ${generated.orders.toLocaleString("en")} orders (${applied.toLocaleString("en")} applied), ${PRODUCTS.toLocaleString("en")} products, streamed from an async generator
  model          ${stats.products.toLocaleString("en")} products, ${stats.pairs.toLocaleString("en")} pairs stored, ${stats.largeOrders.toLocaleString("en")} orders over maxBasketSize (popularity only), ~${mib(stats.approxBytes)} in typed arrays
  build          ${seconds(buildMs)}  (${Math.round(generated.lines / (buildMs / 1000)).toLocaleString("en")} lines/s, generation included)
  top-K (K=${model.options.k})    ${seconds(rankMs)}  for ${lists.toLocaleString("en")} products, ${recommendations.toLocaleString("en")} recommendations (${Object.entries(sources).map(([source, n]) => `${source} ${n.toLocaleString("en")}`).join(", ")})
  total          ${seconds(total)}  ${ok(total < 30_000)} target < 30 s
  incremental    ${incremental.orders.toLocaleString("en")} orders (${incremental.lines.toLocaleString("en")} lines) with ${recomputed.toLocaleString("en")} list recomputes: ${((incrementalMs / incremental.orders) * 1000).toFixed(0)} µs per order
  export         ${exportedPairs.toLocaleString("en")} pair rows in ${seconds(exportMs)}
  memory         peak RSS ${mib(maxRss)} (kernel maxRSS), ${mib(peakSampledRss)} sampled, ${mib(baselineRss)} at start  ${ok(maxRss < 1024 ** 3)} target < 1 GiB
`);
