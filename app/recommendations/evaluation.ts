import { addOrder, createModel, scoreBasket, type ModelOptions } from "./engine-adapter";

/**
 * Offline evaluation of "customers also bought": train on earlier baskets, then
 * for each held-out basket hide one item, ask for 10 recommendations given the
 * rest, and check whether the hidden item is among them (hit-rate@10) and how
 * high (NDCG@10). Three recommenders: popularity, raw co-occurrence counts, and
 * the engine; both basket recommenders fall back to popularity to fill 10.
 */
export interface Basket {
  items: string[];
  at: Date;
}

export interface Split {
  name: string;
  protocol: string;
  train: Basket[];
  test: Basket[];
}

export interface MetricRow {
  recommender: string;
  hitRate: number;
  ndcg: number;
}

export interface EvaluationResult {
  dataset: string;
  protocol: string;
  trainBaskets: number;
  testQueries: number;
  rows: MetricRow[];
}

/** A small seeded PRNG (mulberry32) so splits and hidden items are reproducible. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function evaluate(split: Split, options: { k?: number; maxQueries?: number; seed?: number; engine?: Partial<ModelOptions> } = {}): EvaluationResult {
  const k = options.k ?? 10;
  const random = seeded(options.seed ?? 42);

  // Train all three on the same baskets.
  const model = createModel(options.engine);
  const popularity = new Map<string, number>();
  const cooccurrence = new Map<string, Map<string, number>>();
  for (const basket of split.train) {
    const items = [...new Set(basket.items)];
    addOrder(model, { orderId: "", createdAt: basket.at, productIds: items });
    for (const item of items) popularity.set(item, (popularity.get(item) ?? 0) + 1);
    if (items.length > 1 && items.length <= 200) {
      for (const a of items) {
        let row = cooccurrence.get(a);
        if (!row) cooccurrence.set(a, (row = new Map()));
        for (const b of items) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
      }
    }
  }
  const popular = [...popularity.entries()].sort((a, b) => b[1] - a[1]).map(([item]) => item);

  const fill = (ranked: string[], exclude: Set<string>) => {
    const out = ranked.filter((item) => !exclude.has(item)).slice(0, k);
    for (const item of popular) {
      if (out.length >= k) break;
      if (!exclude.has(item) && !out.includes(item)) out.push(item);
    }
    return out;
  };
  const topOf = (scores: Map<string, number>) => [...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, k * 2).map(([item]) => item);

  // Queries: one hidden item per test basket of 2+ distinct items, seeded.
  const queries: Array<{ context: string[]; hidden: string }> = [];
  for (const basket of split.test) {
    const items = [...new Set(basket.items)].filter((item) => popularity.has(item));
    if (items.length < 2) continue;
    const hiddenIndex = Math.floor(random() * items.length);
    queries.push({ hidden: items[hiddenIndex], context: items.filter((_, i) => i !== hiddenIndex) });
  }
  const sample = options.maxQueries && queries.length > options.maxQueries ? queries.filter((_, i) => i % Math.ceil(queries.length / options.maxQueries!) === 0) : queries;

  const totals = { popularity: [0, 0], cooccurrence: [0, 0], engine: [0, 0] };
  const score = (name: keyof typeof totals, list: string[], hidden: string) => {
    const rank = list.indexOf(hidden);
    if (rank >= 0) {
      totals[name][0] += 1;
      totals[name][1] += 1 / Math.log2(rank + 2);
    }
  };
  for (const query of sample) {
    const exclude = new Set(query.context);
    score("popularity", fill([], exclude), query.hidden);
    const counts = new Map<string, number>();
    for (const item of query.context) for (const [other, count] of cooccurrence.get(item) ?? []) if (!exclude.has(other)) counts.set(other, (counts.get(other) ?? 0) + count);
    score("cooccurrence", fill(topOf(counts), exclude), query.hidden);
    score("engine", fill(topOf(scoreBasket(model, query.context)), exclude), query.hidden);
  }
  const n = Math.max(1, sample.length);
  return {
    dataset: split.name,
    protocol: split.protocol,
    trainBaskets: split.train.length,
    testQueries: sample.length,
    rows: (Object.keys(totals) as Array<keyof typeof totals>).map((name) => ({ recommender: name, hitRate: totals[name][0] / n, ndcg: totals[name][1] / n })),
  };
}

export function formatResult(result: EvaluationResult): string {
  const base = result.rows.find((row) => row.recommender === "popularity")!;
  const lines = [
    `${result.dataset} — ${result.protocol}`,
    `  train baskets ${result.trainBaskets.toLocaleString()}, test queries ${result.testQueries.toLocaleString()}`,
    `  ${"recommender".padEnd(14)} ${"hit-rate@10".padStart(12)} ${"NDCG@10".padStart(9)} ${"HR vs popularity".padStart(17)}`,
    ...result.rows.map(
      (row) => `  ${row.recommender.padEnd(14)} ${row.hitRate.toFixed(4).padStart(12)} ${row.ndcg.toFixed(4).padStart(9)} ${(base.hitRate ? (row.hitRate / base.hitRate).toFixed(2) + "x" : "-").padStart(17)}`,
    ),
  ];
  return lines.join("\n");
}
