import { readFileSync } from "node:fs";
import path from "node:path";
import { evaluate, formatResult, seeded, type Basket, type Split } from "../app/recommendations/evaluation";
import { seedStore } from "../simulator/store";

/**
 * npm run eval:recs — offline quality of "customers also bought" on real basket
 * data (shared/datasets) and on the simulator's store. Prints one table per data
 * set: hit-rate@10 and NDCG@10 for popularity, raw co-occurrence and the engine.
 */
const datasets = process.env.PATHWISE_DATASETS_DIR ?? path.resolve(import.meta.dirname, "..", "..", "shared", "datasets");

/** UCI Online Retail (prefix): invoices as baskets, cancellations and non-product codes dropped; last 20% of time held out. */
function onlineRetail(): Split {
  const file = path.join(datasets, "online-retail-uci-2010-12", "online_retail_2010-12-01_2011-01-10.csv");
  const invoices = new Map<string, Basket>();
  const lines = readFileSync(file, "utf8").split("\n").slice(1);
  for (const line of lines) {
    if (!line.trim()) continue;
    // Descriptions may be quoted and contain commas: take fields from both ends.
    const first = line.split(",");
    const invoice = first[0];
    const stockCode = first[1];
    const tail = line.split(",").slice(-4);
    const [quantity, date] = [Number(tail[0]), tail[1]];
    if (invoice.startsWith("C") || quantity <= 0) continue;
    if (!/^\d{5}/.test(stockCode)) continue; // POST, D, M, DOT, BANK CHARGES, C2, AMAZONFEE…: not products
    const basket = invoices.get(invoice) ?? { items: [], at: new Date(`${date}:00Z`) };
    basket.items.push(stockCode);
    invoices.set(invoice, basket);
  }
  const baskets = [...invoices.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  const cut = Math.floor(baskets.length * 0.8);
  return { name: "UCI Online Retail (Dec 2010 – Jan 2011)", protocol: "temporal split (last 20% of invoices), leave-one-out within each test invoice", train: baskets.slice(0, cut), test: baskets.slice(cut) };
}

/** Groceries: no ids or times; seeded random 80/20 split. */
function groceries(): Split {
  const random = seeded(7);
  const rows = readFileSync(path.join(datasets, "groceries", "groceries.csv"), "utf8").split("\n").filter((line) => line.trim());
  const at = new Date("2020-01-01T00:00:00Z");
  const train: Basket[] = [];
  const test: Basket[] = [];
  for (const row of rows) (random() < 0.8 ? train : test).push({ items: row.split(",").map((item) => item.trim()), at });
  return { name: "Groceries (arules, 9,835 baskets)", protocol: "random 80/20 split (seed 7), leave-one-out within each test basket", train, test };
}

/** Ta-Feng: each customer's last basket is the future; earlier baskets train (in their order, one day apart). */
function tafeng(): Split {
  const users = JSON.parse(readFileSync(path.join(datasets, "tafeng-nbr-preprocessed", "tafeng_merged.json"), "utf8")) as Record<string, number[][]>;
  const train: Basket[] = [];
  const test: Basket[] = [];
  const end = Date.UTC(2001, 1, 28);
  for (const baskets of Object.values(users)) {
    baskets.forEach((items, index) => {
      const basket = { items: items.map(String), at: new Date(end - (baskets.length - 1 - index) * 86_400_000) };
      (index === baskets.length - 1 ? test : train).push(basket);
    });
  }
  return { name: "Ta-Feng (13,858 customers)", protocol: "temporal: each customer's last basket held out, leave-one-out within it", train, test };
}

/** The simulator's party-supplies store: last 60 days held out. */
function simulatorStore(): Split {
  const store = seedStore({ seed: 20261124 });
  const baskets = store.orders.map((order) => ({ items: order.lineItems.filter((line) => !line.giftCard).map((line) => String(line.productId)), at: order.createdAt }));
  const cut = Date.now() - 60 * 86_400_000;
  return { name: "Simulator store (party supplies)", protocol: "temporal split (last 60 days held out), leave-one-out", train: baskets.filter((b) => b.at.getTime() < cut), test: baskets.filter((b) => b.at.getTime() >= cut) };
}

const results = [];
for (const load of [onlineRetail, groceries, tafeng, simulatorStore]) {
  const started = Date.now();
  const result = evaluate(load(), { k: 10, maxQueries: 20_000 });
  results.push(result);
  console.log(`${formatResult(result)}\n  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
const real = results.slice(0, 3);
for (const result of real) {
  const engine = result.rows.find((row) => row.recommender === "engine")!;
  const popularity = result.rows.find((row) => row.recommender === "popularity")!;
  const ratio = engine.hitRate / popularity.hitRate;
  console.log(`${ratio >= 1.5 ? "MET " : "MISS"} ${result.dataset}: engine hit-rate@10 is ${ratio.toFixed(2)}x popularity (target 1.5x)`);
}
