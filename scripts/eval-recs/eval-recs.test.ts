import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEvaluation } from "../eval-recs";
import { buildQueries, seededRandom } from "../../app/recommendations/engine/evaluation";
import { DATASET_FILES, isRetailProductCode, loadOnlineRetail, parseCsvLine } from "./datasets";

/**
 * Tiny data sets in the real files' layouts with planted structure: themed
 * pairs (x-a with x-b) under a best seller that is in most baskets. The engine
 * must find the pairs; popularity can only offer the best sellers.
 */
const dir = mkdtempSync(path.join(tmpdir(), "pathwise-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plantedBaskets(count: number, seed = 3): string[][] {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
  const baskets: string[][] = [];
  for (let i = 0; i < count; i++) {
    const theme = Math.floor(random() * 20);
    const basket = [`${theme}a`, `${theme}b`];
    if (random() < 0.7) basket.push("milk");
    if (random() < 0.4) basket.push("bread");
    baskets.push(basket);
  }
  return baskets;
}

function writeDatasets() {
  const baskets = plantedBaskets(600);
  mkdirSync(path.join(dir, path.dirname(DATASET_FILES.groceries)), { recursive: true });
  writeFileSync(path.join(dir, DATASET_FILES.groceries), baskets.map((b) => b.join(",")).join("\n") + "\n");

  mkdirSync(path.join(dir, path.dirname(DATASET_FILES.tafeng)), { recursive: true });
  const users: Record<string, number[][]> = {};
  const code = (item: string) => (item === "milk" ? 900 : item === "bread" ? 901 : Number.parseInt(item) * 2 + (item.endsWith("b") ? 1 : 0));
  baskets.forEach((basket, i) => (users[String(i % 150)] ??= []).push(basket.map(code)));
  writeFileSync(path.join(dir, DATASET_FILES.tafeng), JSON.stringify(users));

  mkdirSync(path.join(dir, path.dirname(DATASET_FILES.onlineRetail)), { recursive: true });
  const rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID"];
  const stock = (item: string) => (item === "milk" ? "85123A" : item === "bread" ? "71053" : String(20000 + code(item)));
  baskets.forEach((basket, i) => {
    const at = new Date(Date.UTC(2010, 11, 1) + i * 3_600_000).toISOString().slice(0, 16);
    for (const item of basket) rows.push(`${536000 + i},${stock(item)},"THING, ""QUOTED""",2,${at},1.25,17850`);
    rows.push(`${536000 + i},POST,POSTAGE,1,${at},18,17850`);
    if (i % 10 === 0) rows.push(`C${536000 + i},${stock(basket[0])},CANCELLED,-2,${at},1.25,17850`);
  });
  writeFileSync(path.join(dir, DATASET_FILES.onlineRetail), rows.join("\n") + "\n");
}
writeDatasets();

describe("offline evaluation", () => {
  it("runs on tiny data sets and the engine finds the planted pairs that popularity cannot", async () => {
    const lines: string[] = [];
    const reports = await runEvaluation({ datasetsDir: dir, datasets: ["onlineRetail", "groceries", "tafeng"], tune: true, log: (line) => lines.push(line) });
    expect(reports.map((report) => report.dataset)).toEqual(["onlineRetail", "groceries", "tafeng"]);
    for (const report of reports) {
      const row = (name: string) => report.result.rows.find((r) => r.recommender === name)!;
      expect(row("popularity").cart.queries).toBeGreaterThan(20);
      // Cart queries always hold the hidden item's theme partner or the staples: the engine ranks it first almost always.
      expect(row("engine").cart.hitRate).toBeGreaterThan(0.95);
      expect(row("engine").cart.ndcg).toBeGreaterThan(row("co-occurrence").cart.ndcg);
      expect(row("engine (tuned)").cart.hitRate).toBeGreaterThan(0.95);
      // Product queries asked with "milk" cannot know which of 40 themed items was hidden; the rest are hits.
      expect(row("engine").product.hitRate).toBeGreaterThan(row("popularity").product.hitRate * 1.3);
      expect(report.meetsTarget).toBe(true);
      expect(report.tuned).toBeDefined();
    }
    const printed = lines.join("\n");
    expect(printed).toContain("hit-rate@10");
    expect(printed).toMatch(/cart HR@10 +NDCG@10/);
    expect(printed).toContain("temporal");
  });

  it("Online Retail loader drops cancellations, postage and non-product codes, and keeps quoted descriptions whole", () => {
    const split = loadOnlineRetail(dir);
    const all = [...split.train, ...split.test];
    expect(all).toHaveLength(600);
    expect(all.every((basket) => basket.items.every(isRetailProductCode))).toBe(true);
    expect(split.train.every((basket) => basket.atMs <= split.test[0].atMs)).toBe(true);
    expect(parseCsvLine('1,"a, ""b""",3')).toEqual(["1", 'a, "b"', "3"]);
    expect(["POST", "D", "M", "m", "DOT", "BANK CHARGES", "C2", "AMAZONFEE", "gift_0001_40"].some(isRetailProductCode)).toBe(false);
    expect(["85123A", "71053", "DCGS0003"].every(isRetailProductCode)).toBe(true);
  });

  it("hides one item per test basket, the same seeded draw as the first protocol, whether or not product-page queries are asked", () => {
    const test = [["a", "b", "c"], ["d", "e"], ["a", "unseen"], ["b", "c", "d", "e"], ["e", "a", "a", "c"]].map((items) => ({ items, atMs: 0 }));
    const known = new Set(["a", "b", "c", "d", "e"]);
    // The first protocol: distinct known items in first-seen order, hidden = items[floor(mulberry32(42)() * n)], context = the rest.
    const random = seededRandom(42);
    const expected: Array<{ hidden: string; context: string[] }> = [];
    for (const basket of test) {
      const items = [...new Set(basket.items)].filter((item) => known.has(item));
      if (items.length < 2) continue;
      const hidden = items[Math.floor(random() * items.length)];
      expected.push({ hidden, context: items.filter((item) => item !== hidden).sort() });
    }
    const queries = buildQueries({ test }, known);
    const cart = queries.filter((query) => query.kind === "cart");
    expect(cart.map((query) => ({ hidden: query.hidden, context: [...query.context].sort() }))).toEqual(expected);
    const product = queries.filter((query) => query.kind === "product");
    expect(product.map((query) => query.hidden)).toEqual(expected.map((query) => query.hidden));
    for (const [i, query] of product.entries()) expect(expected[i].context).toContain(query.context[0]);
  });
});
