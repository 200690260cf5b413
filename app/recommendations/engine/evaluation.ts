import { ProductCatalog } from "./catalog";
import { CoPurchaseModel } from "./model";
import { PairRows } from "./pair-rows";
import { ndcgAtRank } from "./scoring";
import type { CoPurchaseOptions } from "./types";

/**
 * Offline evaluation of "customers also bought" (pure: baskets in, metrics out).
 *
 * Protocol: train on the train baskets; for each test basket, keep the items
 * known from training (nobody can recommend an unseen product) and, if at
 * least two remain, hide `hiddenPerBasket` of them (default 1; seeded choice),
 * one query each:
 *   cart      — query with all the other items of the basket (cart widget);
 *   product   — query with one other item of the basket, seeded (product page).
 * A query is a hit when the hidden item is in the top 10; NDCG@10 with the one
 * relevant item is 1/log2(rank+2). Every recommender fills short lists with
 * training popularity, so all answer 10 items.
 */
export interface EvalBasket {
  items: readonly string[];
  /** Epoch ms; baskets without real time share one value (then decay has no effect). */
  atMs: number;
}

export interface EvalSplit {
  name: string;
  /** How train/test were cut, in words (printed). */
  protocol: string;
  train: readonly EvalBasket[];
  test: readonly EvalBasket[];
  /** Whether basket times are real (time decay and its tuning only make sense then). */
  timed: boolean;
}

export type QueryKind = "cart" | "product";

export interface MetricCell {
  hitRate: number;
  ndcg: number;
  queries: number;
}

export interface RecommenderResult {
  recommender: string;
  cart: MetricCell;
  product: MetricCell;
}

export interface EvaluationOptions {
  k?: number;
  seed?: number;
  hiddenPerBasket?: number;
  /** Deterministic uniform subsample of queries when there are more. */
  maxQueries?: number;
  engine?: Partial<CoPurchaseOptions>;
  /** Extra engine configurations to report next to the default one, by label. */
  engineVariants?: Record<string, Partial<CoPurchaseOptions>>;
}

export interface SplitResult {
  dataset: string;
  protocol: string;
  trainBaskets: number;
  testBaskets: number;
  rows: RecommenderResult[];
  seconds: number;
}

interface Query {
  context: string[];
  hidden: string;
  kind: QueryKind;
}

/** mulberry32: small seeded PRNG so hidden items and splits are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COOCCURRENCE_MAX_BASKET = 200;

/** Raw co-occurrence counts (the baseline): every pair of an order adds 1, no decay, no normalisation. */
class CooccurrenceCounts {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly rows = new PairRows();

  add(items: readonly string[]): void {
    const indexes = items.map((id) => this.intern(id));
    for (let i = 0; i < indexes.length; i++) {
      for (let j = i + 1; j < indexes.length; j++) {
        this.rows.add(indexes[i], indexes[j], 1);
        this.rows.add(indexes[j], indexes[i], 1);
      }
    }
  }

  private totals = new Float64Array(0);

  ranked(context: readonly string[], exclude: ReadonlySet<string>, limit: number): string[] {
    if (this.totals.length < this.ids.length) this.totals = new Float64Array(this.ids.length);
    const totals = this.totals;
    const touched: number[] = [];
    for (const id of context) {
      const a = this.index.get(id);
      if (a === undefined) continue;
      const { keys, weights } = this.rows.slots(a);
      for (let slot = 0; slot < keys.length; slot++) {
        if (keys[slot] === 0) continue;
        const b = keys[slot] - 1;
        if (totals[b] === 0) touched.push(b);
        totals[b] += weights[slot];
      }
    }
    // Top `limit` by insertion into a short sorted list (limit is 10): O(touched · limit) at worst.
    const best: Array<[number, number]> = [];
    const before = (x: [number, number], y: [number, number]) => x[1] > y[1] || (x[1] === y[1] && this.ids[x[0]] < this.ids[y[0]]);
    for (const b of touched) {
      const entry: [number, number] = [b, totals[b]];
      totals[b] = 0;
      if (exclude.has(this.ids[b])) continue;
      if (best.length === limit && !before(entry, best[limit - 1])) continue;
      let at = best.length < limit ? best.length : limit - 1;
      if (best.length < limit) best.push(entry);
      else best[at] = entry;
      while (at > 0 && before(best[at], best[at - 1])) {
        [best[at], best[at - 1]] = [best[at - 1], best[at]];
        at--;
      }
    }
    return best.map(([b]) => this.ids[b]);
  }

  private intern(id: string): number {
    let index = this.index.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.index.set(id, index);
      this.ids.push(id);
      this.rows.ensureRows(index + 1);
    }
    return index;
  }
}

/** Training popularity (orders containing the item), most popular first, ties by id. */
function popularityOf(train: readonly EvalBasket[]): { counts: Map<string, number>; ranked: string[] } {
  const counts = new Map<string, number>();
  for (const basket of train) for (const item of new Set(basket.items)) counts.set(item, (counts.get(item) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([item]) => item);
  return { counts, ranked };
}

export function buildQueries(split: Pick<EvalSplit, "test">, known: ReadonlySet<string>, options: { seed?: number; hiddenPerBasket?: number; maxQueries?: number } = {}): Query[] {
  const random = seededRandom(options.seed ?? 42);
  // The product-page context comes from its own stream, so the hidden items are the
  // same draws whether or not product queries are asked (and, with one hidden item
  // per basket, the same as the first version of this protocol).
  const contextRandom = seededRandom((options.seed ?? 42) + 1);
  const perBasket = options.hiddenPerBasket ?? 1;
  const queries: Query[] = [];
  for (const basket of split.test) {
    const items = [...new Set(basket.items)].filter((item) => known.has(item));
    if (items.length < 2) continue;
    // Seeded partial shuffle: the first `perBasket` items are the hidden ones.
    for (let i = 0; i < Math.min(perBasket, items.length); i++) {
      const j = i + Math.floor(random() * (items.length - i));
      [items[i], items[j]] = [items[j], items[i]];
      const hidden = items[i];
      const rest = items.filter((item) => item !== hidden);
      queries.push({ kind: "cart", hidden, context: rest });
      queries.push({ kind: "product", hidden, context: [rest[Math.floor(contextRandom() * rest.length)]] });
    }
  }
  const max = options.maxQueries;
  if (!max || queries.length <= max * 2) return queries;
  // Keep cart/product query pairs together: sample pairs uniformly by stride.
  const pairs = queries.length / 2;
  const kept: Query[] = [];
  for (let i = 0; i < max; i++) {
    const at = Math.floor((i * pairs) / max) * 2;
    kept.push(queries[at], queries[at + 1]);
  }
  return kept;
}

/** Trains every recommender on split.train and scores them on split.test. */
export async function evaluateSplit(split: EvalSplit, options: EvaluationOptions = {}): Promise<SplitResult> {
  const started = performance.now();
  const k = options.k ?? 10;
  const { counts, ranked: popular } = popularityOf(split.train);
  const queries = buildQueries(split, new Set(counts.keys()), options);

  const cooccurrence = new CooccurrenceCounts();
  // As in the first version of this protocol: baskets of more than 200 distinct items add no pairs to the baseline.
  for (const basket of split.train) {
    const items = [...new Set(basket.items)];
    if (items.length <= COOCCURRENCE_MAX_BASKET) cooccurrence.add(items);
  }

  const catalog = ProductCatalog.from([...counts.entries()].map(([id, salesCount]) => ({ id, status: "ACTIVE" as const, available: true, isGiftCard: false, salesCount })));
  const engines: Array<[string, CoPurchaseModel]> = [];
  for (const [label, engineOptions] of [["engine", options.engine ?? {}] as const, ...Object.entries(options.engineVariants ?? {})]) {
    const model = new CoPurchaseModel({ ...engineOptions, k });
    await model.addOrders(trainOrders(split.train));
    engines.push([label, model]);
  }

  const fill = (ranked: readonly string[], exclude: ReadonlySet<string>) => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const list of [ranked, popular]) {
      for (const item of list) {
        if (out.length >= k) return out;
        if (exclude.has(item) || seen.has(item)) continue;
        seen.add(item);
        out.push(item);
      }
    }
    return out;
  };

  const recommenders: Array<[string, (query: Query, exclude: ReadonlySet<string>) => string[]]> = [
    ["popularity", (_query, exclude) => fill([], exclude)],
    ["co-occurrence", (query, exclude) => fill(cooccurrence.ranked(query.context, exclude, k), exclude)],
    ...engines.map(
      ([label, model]) =>
        [
          label,
          (query: Query, exclude: ReadonlySet<string>) =>
            fill((query.kind === "product" ? model.topK(query.context[0], catalog, undefined, k) : model.recommendForCart(query.context, catalog, k)).map((rec) => rec.productId), exclude),
        ] as [string, (query: Query, exclude: ReadonlySet<string>) => string[]],
    ),
  ];

  const rows: RecommenderResult[] = recommenders.map(([recommender]) => ({ recommender, cart: emptyCell(), product: emptyCell() }));
  for (const query of queries) {
    const exclude = new Set(query.context);
    recommenders.forEach(([, recommend], i) => {
      const rank = recommend(query, exclude).indexOf(query.hidden);
      const cell = rows[i][query.kind];
      cell.queries++;
      if (rank >= 0) {
        cell.hitRate++;
        cell.ndcg += ndcgAtRank(rank);
      }
    });
  }
  for (const row of rows) {
    for (const cell of [row.cart, row.product]) {
      cell.hitRate /= Math.max(1, cell.queries);
      cell.ndcg /= Math.max(1, cell.queries);
    }
  }
  return { dataset: split.name, protocol: split.protocol, trainBaskets: split.train.length, testBaskets: split.test.length, rows, seconds: (performance.now() - started) / 1000 };
}

function* trainOrders(train: readonly EvalBasket[]) {
  for (const basket of train) yield { createdAt: basket.atMs, productIds: basket.items };
}

function emptyCell(): MetricCell {
  return { hitRate: 0, ndcg: 0, queries: 0 };
}

/**
 * Validation slice of a training set: the last `fraction` of train by time
 * when times are real, else a seeded random slice. Tuning only ever sees this.
 */
export function validationSplit(split: EvalSplit, fraction = 0.2, seed = 11): EvalSplit {
  let train: EvalBasket[];
  let test: EvalBasket[];
  if (split.timed) {
    const sorted = [...split.train].sort((x, y) => x.atMs - y.atMs);
    const cut = Math.floor(sorted.length * (1 - fraction));
    train = sorted.slice(0, cut);
    test = sorted.slice(cut);
  } else {
    const random = seededRandom(seed);
    train = [];
    test = [];
    for (const basket of split.train) (random() < fraction ? test : train).push(basket);
  }
  return { name: `${split.name} (validation)`, protocol: "validation slice of train", train, test, timed: split.timed };
}

export interface TuningResult {
  best: Partial<CoPurchaseOptions>;
  /** Validation cart hit-rate@10 of each configuration tried. */
  tried: Array<{ options: Partial<CoPurchaseOptions>; hitRate: number }>;
}

/**
 * Picks engine options on a validation slice of train (never the test set):
 * a grid over shrinkage × alpha, then the half-life (timed data only) and the
 * large-basket cut with the best of those. Objective: mean of cart and
 * product hit-rate@10.
 */
export async function tuneOnValidation(split: EvalSplit, options: { maxQueries?: number; seed?: number } = {}): Promise<TuningResult> {
  const validation = validationSplit(split);
  const tried: TuningResult["tried"] = [];
  const score = async (candidates: Array<Partial<CoPurchaseOptions>>) => {
    const variants = Object.fromEntries(candidates.map((candidate, i) => [`v${i}`, candidate]));
    const result = await evaluateSplit(validation, { maxQueries: options.maxQueries ?? 3_000, seed: options.seed ?? 5, engineVariants: variants });
    return candidates.map((candidate, i) => {
      const row = result.rows.find((r) => r.recommender === `v${i}`)!;
      const hitRate = (row.cart.hitRate + row.product.hitRate) / 2;
      tried.push({ options: candidate, hitRate });
      return { candidate, hitRate };
    });
  };
  const pick = (scored: Array<{ candidate: Partial<CoPurchaseOptions>; hitRate: number }>) => scored.reduce((best, next) => (next.hitRate > best.hitRate ? next : best)).candidate;

  let best = pick(await score([0.5, 0.65, 0.8].flatMap((alpha) => [1, 3, 5, 10].map((shrinkage) => ({ alpha, shrinkage })))));
  if (split.timed) best = pick(await score([14, 30, 90, 365].map((halfLifeDays) => ({ ...best, halfLifeDays }))));
  best = pick(await score([25, 100, 1000].map((maxBasketSize) => ({ ...best, maxBasketSize }))));
  return { best, tried };
}

/** One readable table per data set. */
export function formatSplitResult(result: SplitResult, notes: string[] = []): string {
  const base = result.rows.find((row) => row.recommender === "popularity")!;
  const ratio = (value: number, of: number) => (of > 0 ? `${(value / of).toFixed(2)}x` : "-");
  const head = `  ${"recommender".padEnd(22)} ${"cart HR@10".padStart(10)} ${"NDCG@10".padStart(8)} ${"vs pop".padStart(7)}   ${"product HR@10".padStart(13)} ${"NDCG@10".padStart(8)} ${"vs pop".padStart(7)}`;
  const lines = [
    `${result.dataset}`,
    `  protocol: ${result.protocol}`,
    `  train baskets ${result.trainBaskets.toLocaleString("en")}, test baskets ${result.testBaskets.toLocaleString("en")}, queries ${base.cart.queries.toLocaleString("en")} cart + ${base.product.queries.toLocaleString("en")} product (${result.seconds.toFixed(1)} s)`,
    ...notes.map((note) => `  ${note}`),
    head,
    `  ${"-".repeat(head.length - 2)}`,
    ...result.rows.map(
      (row) =>
        `  ${row.recommender.padEnd(22)} ${row.cart.hitRate.toFixed(4).padStart(10)} ${row.cart.ndcg.toFixed(4).padStart(8)} ${ratio(row.cart.hitRate, base.cart.hitRate).padStart(7)}   ${row.product.hitRate.toFixed(4).padStart(13)} ${row.product.ndcg.toFixed(4).padStart(8)} ${ratio(row.product.hitRate, base.product.hitRate).padStart(7)}`,
    ),
  ];
  return lines.join("\n");
}
