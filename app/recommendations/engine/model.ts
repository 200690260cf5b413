import type { ProductCatalog } from "./catalog";
import { PairRows } from "./pair-rows";
import { DAY_MS, asymmetricCosine, basketFactor, epochScale, shrink } from "./scoring";
import type {
  CatalogProduct,
  CoPurchaseOptions,
  ModelDelta,
  ModelStateHeader,
  ModelStats,
  OrderInput,
  Overrides,
  PairWeightRow,
  ProductWeightRow,
  Recommendation,
  RecommendationSource,
} from "./types";

export const DEFAULT_OPTIONS: Readonly<Omit<CoPurchaseOptions, "fallbackBelow" | "referenceTimeMs">> = {
  k: 12,
  halfLifeDays: 90,
  shrinkage: 5,
  alpha: 0.5,
  maxBasketSize: 100,
  epochMs: Date.UTC(2020, 0, 1),
};

/** Weights this small relative to what was subtracted are float residue of a removal: treated as 0. */
const RESIDUE = 1e-9;

type Source<T> = AsyncIterable<T> | Iterable<T>;

/**
 * Item-to-item "customers also bought" model, learnt from a stream of orders.
 *
 * Memory is proportional to products + distinct pairs (never to orders):
 * products are interned to integer indexes, item weights live in Float64Arrays,
 * pair weights in per-product typed-array hash rows (see PairRows).
 *
 * Scoring (see scoring.ts): score(a→b) = w_ab / (w_a^α w_b^(1-α)) · f_ab / (f_ab + shrinkage)
 * with time-decayed, basket-size-normalised weights; f_ab is w_ab aged to the
 * reference time, in "fresh co-purchases".
 *
 * Not safe for concurrent mutation from several async tasks that interleave
 * within one addOrder (it is synchronous, so in Node it is atomic).
 */
export class CoPurchaseModel {
  readonly options: Readonly<CoPurchaseOptions>;
  /** The "now" that ages evidence when scoring; undefined = newest order seen (then wall clock). */
  referenceTimeMs: number | undefined;

  private readonly halfLifeMs: number;
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private itemWeight = new Float64Array(256);
  private itemOrders = new Float64Array(256);
  private readonly rows = new PairRows();
  private dirtyFlags = new Uint8Array(256);
  private dirtyList: number[] = [];
  private latestOrderMs: number | null = null;
  private orderCount = 0;
  private ordersWithPairs = 0;
  private largeOrders = 0;
  private eligibility = new WeakMap<ProductCatalog, { version: number; flags: Uint8Array }>();
  private cartTotals = new Float64Array(0);

  constructor(options: Partial<CoPurchaseOptions> = {}) {
    const k = options.k ?? DEFAULT_OPTIONS.k;
    const resolved: CoPurchaseOptions = { ...DEFAULT_OPTIONS, fallbackBelow: k, ...stripUndefined(options), k };
    if (!(resolved.halfLifeDays > 0)) throw new RangeError("halfLifeDays must be > 0");
    if (!(resolved.shrinkage >= 0)) throw new RangeError("shrinkage must be >= 0");
    if (!(resolved.alpha >= 0 && resolved.alpha <= 1)) throw new RangeError("alpha must be within [0, 1]");
    if (!(resolved.maxBasketSize >= 2)) throw new RangeError("maxBasketSize must be >= 2");
    if (!(resolved.k >= 1)) throw new RangeError("k must be >= 1");
    this.options = Object.freeze(resolved);
    this.referenceTimeMs = resolved.referenceTimeMs;
    this.halfLifeMs = resolved.halfLifeDays * DAY_MS;
  }

  // ─── learning ────────────────────────────────────────────────────────────

  /** Applies one order (orders/create, or one row of a backfill). Returns false when it had no product lines. */
  addOrder(order: OrderInput): boolean {
    return this.apply(order, 1);
  }

  /**
   * Takes back an order applied earlier (cancelled or fully refunded): exactly
   * the increments addOrder added, so add + remove leaves the model as before.
   */
  removeOrder(order: OrderInput): boolean {
    return this.apply(order, -1);
  }

  /** Streams orders into the model, one at a time; holds none of them. Returns how many were applied. */
  async addOrders(orders: Source<OrderInput>, onProgress?: (applied: number) => void): Promise<number> {
    let applied = 0;
    for await (const order of orders) {
      if (this.addOrder(order)) applied++;
      if (onProgress && applied % 10_000 === 0) onProgress(applied);
    }
    return applied;
  }

  /**
   * The increments an order would add, without applying them: persist these
   * (UPDATE … SET weight = weight + delta) then applyDelta, or rebuild from rows.
   * Pair rows have a < b by string order.
   */
  contributionOf(order: OrderInput): ModelDelta | null {
    const productIds = distinctProducts(order);
    if (productIds.length === 0) return null;
    const atMs = toMs(order.createdAt);
    const scale = epochScale(atMs, this.options.epochMs, this.halfLifeMs);
    const large = productIds.length > this.options.maxBasketSize;
    const pairWeight = large ? 0 : basketFactor(productIds.length) * scale;
    const products: ProductWeightRow[] = productIds.map((productId) => ({ productId, weight: pairWeight, orders: scale }));
    const pairs: PairWeightRow[] = [];
    if (!large) {
      const sorted = [...productIds].sort();
      for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.push({ a: sorted[i], b: sorted[j], weight: pairWeight });
    }
    return { orderAtMs: atMs, large, products, pairs };
  }

  /** Adds (sign 1) or subtracts (sign -1) a delta from contributionOf, or rows loaded from storage. */
  applyDelta(delta: ModelDelta, sign: 1 | -1 = 1): void {
    for (const row of delta.products) {
      const index = this.intern(row.productId);
      this.itemWeight[index] = settle(this.itemWeight[index] + sign * row.weight, row.weight);
      this.itemOrders[index] = settle(this.itemOrders[index] + sign * row.orders, row.orders);
      this.markDirty(index);
    }
    for (const pair of delta.pairs) this.addPair(this.intern(pair.a), this.intern(pair.b), sign * pair.weight);
    this.orderCount += sign;
    if (delta.pairs.length > 0) this.ordersWithPairs += sign;
    if (delta.large) this.largeOrders += sign;
    if (sign > 0 && (this.latestOrderMs === null || delta.orderAtMs > this.latestOrderMs)) this.latestOrderMs = delta.orderAtMs;
  }

  /**
   * Products whose lists may have changed since the last call (the products of
   * the orders applied), then forgets them. Their own lists are exact after a
   * recompute. A partner's list changes only second-order (one of its partners
   * grew more popular, so it scores slightly lower there); pass
   * includePartners to get those too, or rely on the periodic full recompute.
   */
  takeDirtyProducts(options: { includePartners?: boolean } = {}): string[] {
    const out = new Set<number>(this.dirtyList);
    if (options.includePartners) {
      for (const index of this.dirtyList) {
        const { keys, weights } = this.rows.slots(index);
        for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== 0 && weights[slot] > 0) out.add(keys[slot] - 1);
      }
    }
    for (const index of this.dirtyList) this.dirtyFlags[index] = 0;
    this.dirtyList = [];
    return [...out].map((index) => this.ids[index]);
  }

  /**
   * Drops pairs whose weight, aged to the reference time, is below
   * minFreshWeight (default 0.01 ≈ one two-item order 600 days old with the
   * default half-life): bounds memory on long-lived models. Returns pairs dropped.
   */
  prune(minFreshWeight = 0.01): number {
    const threshold = minFreshWeight * this.referenceScale();
    let dropped = 0;
    for (let row = 0; row < this.rows.length; row++) {
      this.rows.filterRow(row, (_neighbour, weight) => {
        if (weight >= threshold) return true;
        dropped++;
        return false;
      });
    }
    return dropped / 2;
  }

  // ─── scoring ─────────────────────────────────────────────────────────────

  /** score(a→b) as defined above; 0 when never bought together. */
  score(productA: string, productB: string): number {
    const a = this.index.get(productA);
    const b = this.index.get(productB);
    if (a === undefined || b === undefined || a === b) return 0;
    return this.pairScore(a, b, this.rows.get(a, b), 1 / this.referenceScale());
  }

  /** Every co-purchase partner with its score and fresh pair weight, best first; no catalog filtering (diagnostics, admin). */
  partners(productId: string, limit = Infinity): Array<{ productId: string; score: number; freshWeight: number }> {
    const a = this.index.get(productId);
    if (a === undefined) return [];
    const toFresh = 1 / this.referenceScale();
    const out: Array<{ productId: string; score: number; freshWeight: number }> = [];
    const { keys, weights } = this.rows.slots(a);
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] === 0 || weights[slot] <= 0) continue;
      const b = keys[slot] - 1;
      out.push({ productId: this.ids[b], score: this.pairScore(a, b, weights[slot], toFresh), freshWeight: weights[slot] * toFresh });
    }
    out.sort((x, y) => y.score - x.score || compareIds(x.productId, y.productId));
    return out.slice(0, limit);
  }

  /**
   * The list for one product page: pinned (in order), then co-purchase by score,
   * then — when co-purchase gave fewer than fallbackBelow — same collection,
   * same product type, best sellers, up to k. Never the product itself, excluded
   * products, or anything the catalog says is not recommendable (draft,
   * archived, unlisted, deleted/unknown, unavailable, gift card).
   */
  topK(productId: string, catalog: ProductCatalog, overrides?: Overrides, k = this.options.k): Recommendation[] {
    const result: Recommendation[] = [];
    const taken = new Set<string>([productId]);
    for (const excluded of overrides?.excluded ?? []) taken.add(excluded);
    addPinned(result, taken, overrides?.pinned, catalog, k);

    const a = this.index.get(productId);
    const before = result.length;
    if (a !== undefined && result.length < k) {
      const flags = this.eligibleFlags(catalog);
      const toFresh = 1 / this.referenceScale();
      const heap = new TopHeap(k - result.length, this.ids);
      const { keys, weights } = this.rows.slots(a);
      for (let slot = 0; slot < keys.length; slot++) {
        const key = keys[slot];
        if (key === 0 || weights[slot] <= 0 || flags[key - 1] === 0) continue;
        const b = key - 1;
        if (taken.has(this.ids[b])) continue;
        heap.offer(b, this.pairScore(a, b, weights[slot], toFresh));
      }
      for (const [b, score] of heap.drain()) {
        taken.add(this.ids[b]);
        result.push({ productId: this.ids[b], score, source: "copurchase" });
      }
    }
    if (result.length - before < this.options.fallbackBelow) fillFallbacks(result, taken, [catalog.get(productId)], catalog, k);
    return result;
  }

  /**
   * "Based on your cart": each candidate's co-purchase scores summed over the
   * cart's products; never anything already in the cart. Pins of the cart's
   * products come first (in cart order), any cart product's exclusions apply,
   * and fallbacks follow the cart's collections and types, then best sellers.
   */
  recommendForCart(productIds: readonly string[], catalog: ProductCatalog, k = this.options.k, overrides?: ReadonlyMap<string, Overrides>): Recommendation[] {
    const cart = [...new Set(productIds)];
    const taken = new Set<string>(cart);
    for (const id of cart) for (const excluded of overrides?.get(id)?.excluded ?? []) taken.add(excluded);
    const result: Recommendation[] = [];
    for (const id of cart) addPinned(result, taken, overrides?.get(id)?.pinned, catalog, k);

    const before = result.length;
    if (result.length < k) {
      const flags = this.eligibleFlags(catalog);
      const toFresh = 1 / this.referenceScale();
      if (this.cartTotals.length < this.ids.length) this.cartTotals = new Float64Array(Math.max(this.ids.length, this.cartTotals.length * 2));
      const totals = this.cartTotals;
      const touched: number[] = [];
      for (const id of cart) {
        const a = this.index.get(id);
        if (a === undefined) continue;
        const { keys, weights } = this.rows.slots(a);
        for (let slot = 0; slot < keys.length; slot++) {
          const key = keys[slot];
          if (key === 0 || weights[slot] <= 0 || flags[key - 1] === 0) continue;
          const b = key - 1;
          if (totals[b] === 0) touched.push(b);
          totals[b] += this.pairScore(a, b, weights[slot], toFresh);
        }
      }
      const heap = new TopHeap(k - result.length, this.ids);
      for (const b of touched) {
        if (totals[b] > 0 && !taken.has(this.ids[b])) heap.offer(b, totals[b]);
        totals[b] = 0;
      }
      for (const [b, score] of heap.drain()) {
        taken.add(this.ids[b]);
        result.push({ productId: this.ids[b], score, source: "copurchase" });
      }
    }
    if (result.length - before < this.options.fallbackBelow) fillFallbacks(result, taken, cart.map((id) => catalog.get(id)), catalog, k);
    return result;
  }

  /** topK for every product in the catalog (full recompute), as a stream of [productId, list]. */
  *topKAll(catalog: ProductCatalog, overridesFor?: (productId: string) => Overrides | undefined, k = this.options.k): Generator<[string, Recommendation[]]> {
    for (const product of catalog.values()) yield [product.id, this.topK(product.id, catalog, overridesFor?.(product.id), k)];
  }

  // ─── state ───────────────────────────────────────────────────────────────

  stats(): ModelStats {
    let directed = 0;
    for (let row = 0; row < this.rows.length; row++) {
      const { keys, weights } = this.rows.slots(row);
      for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== 0 && weights[slot] > 0) directed++;
    }
    return {
      products: this.ids.length,
      pairs: directed / 2,
      orders: this.orderCount,
      ordersWithPairs: this.ordersWithPairs,
      largeOrders: this.largeOrders,
      latestOrderAt: this.latestOrderMs === null ? null : new Date(this.latestOrderMs),
      approxBytes: this.rows.byteLength() + this.itemWeight.byteLength + this.itemOrders.byteLength + this.dirtyFlags.byteLength,
    };
  }

  /** Decayed order count (popularity) of a product, aged to the reference time. */
  popularity(productId: string): number {
    const index = this.index.get(productId);
    return index === undefined ? 0 : this.itemOrders[index] / this.referenceScale();
  }

  /**
   * The model as rows to persist: a header plus two streams. Weights are
   * epoch-scaled and additive (see ModelStateHeader); pairs are yielded once
   * each with a < b by string order, products and pairs with weight > 0 only.
   */
  exportState(): { header: ModelStateHeader; products: () => Generator<ProductWeightRow>; pairs: () => Generator<PairWeightRow> } {
    const { referenceTimeMs: _reference, ...options } = this.options;
    const header: ModelStateHeader = {
      version: 1,
      options,
      latestOrderMs: this.latestOrderMs,
      orders: this.orderCount,
      ordersWithPairs: this.ordersWithPairs,
      largeOrders: this.largeOrders,
    };
    const ids = this.ids;
    const itemWeight = this.itemWeight;
    const itemOrders = this.itemOrders;
    const rows = this.rows;
    return {
      header,
      *products() {
        for (let index = 0; index < ids.length; index++) {
          if (itemWeight[index] > 0 || itemOrders[index] > 0) yield { productId: ids[index], weight: itemWeight[index], orders: itemOrders[index] };
        }
      },
      *pairs() {
        for (let a = 0; a < rows.length; a++) {
          const { keys, weights } = rows.slots(a);
          for (let slot = 0; slot < keys.length; slot++) {
            if (keys[slot] === 0 || weights[slot] <= 0) continue;
            const b = keys[slot] - 1;
            if (ids[a] < ids[b]) yield { a: ids[a], b: ids[b], weight: weights[slot] };
          }
        }
      },
    };
  }

  /** Rebuilds a model from exportState's header and rows (arrays, generators or async streams from the database). */
  static async importState(
    header: ModelStateHeader,
    products: Source<ProductWeightRow>,
    pairs: Source<PairWeightRow>,
    overrides: Pick<Partial<CoPurchaseOptions>, "k" | "fallbackBelow" | "referenceTimeMs"> = {},
  ): Promise<CoPurchaseModel> {
    if (header.version !== 1) throw new Error(`unsupported co-purchase model state version ${String(header.version)}`);
    const model = new CoPurchaseModel({ ...header.options, ...stripUndefined(overrides) });
    for await (const row of products) {
      const index = model.intern(row.productId);
      model.itemWeight[index] += row.weight;
      model.itemOrders[index] += row.orders;
    }
    for await (const pair of pairs) {
      if (pair.a === pair.b) continue;
      model.addPair(model.intern(pair.a), model.intern(pair.b), pair.weight);
    }
    model.latestOrderMs = header.latestOrderMs;
    model.orderCount = header.orders;
    model.ordersWithPairs = header.ordersWithPairs;
    model.largeOrders = header.largeOrders;
    model.dirtyList = [];
    model.dirtyFlags.fill(0);
    return model;
  }

  // ─── internals ───────────────────────────────────────────────────────────

  private apply(order: OrderInput, sign: 1 | -1): boolean {
    const productIds = distinctProducts(order);
    const n = productIds.length;
    if (n === 0) return false;
    const atMs = toMs(order.createdAt);
    const scale = epochScale(atMs, this.options.epochMs, this.halfLifeMs);
    const large = n > this.options.maxBasketSize;
    const weight = large ? 0 : basketFactor(n) * scale;
    const indexes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const index = this.intern(productIds[i]);
      indexes[i] = index;
      this.itemOrders[index] = settle(this.itemOrders[index] + sign * scale, scale);
      if (!large) this.itemWeight[index] = settle(this.itemWeight[index] + sign * weight, weight);
      this.markDirty(index);
    }
    if (!large && n > 1) {
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) this.addPair(indexes[i], indexes[j], sign * weight);
      this.ordersWithPairs += sign;
    }
    if (large) this.largeOrders += sign;
    this.orderCount += sign;
    if (sign > 0 && (this.latestOrderMs === null || atMs > this.latestOrderMs)) this.latestOrderMs = atMs;
    return true;
  }

  private addPair(a: number, b: number, delta: number): void {
    if (a === b) return;
    this.rows.add(a, b, delta);
    this.rows.add(b, a, delta);
    if (delta < 0) {
      // Removal: snap float residue to exactly 0 so a removed pair disappears.
      if (Math.abs(this.rows.get(a, b)) <= -delta * RESIDUE) {
        this.rows.add(a, b, -this.rows.get(a, b));
        this.rows.add(b, a, -this.rows.get(b, a));
      }
    }
  }

  private pairScore(a: number, b: number, pairWeight: number, toFresh: number): number {
    return asymmetricCosine(pairWeight, this.itemWeight[a], this.itemWeight[b], this.options.alpha) * shrink(pairWeight * toFresh, this.options.shrinkage);
  }

  private referenceScale(): number {
    const reference = this.referenceTimeMs ?? this.latestOrderMs ?? Date.now();
    return epochScale(reference, this.options.epochMs, this.halfLifeMs);
  }

  private intern(productId: string): number {
    let index = this.index.get(productId);
    if (index !== undefined) return index;
    index = this.ids.length;
    this.index.set(productId, index);
    this.ids.push(productId);
    if (index >= this.itemWeight.length) {
      const capacity = this.itemWeight.length * 2;
      this.itemWeight = grown(this.itemWeight, capacity);
      this.itemOrders = grown(this.itemOrders, capacity);
      const flags = new Uint8Array(capacity);
      flags.set(this.dirtyFlags);
      this.dirtyFlags = flags;
    }
    this.rows.ensureRows(index + 1);
    return index;
  }

  private markDirty(index: number): void {
    if (this.dirtyFlags[index] === 0) {
      this.dirtyFlags[index] = 1;
      this.dirtyList.push(index);
    }
  }

  /** isRecommendable per model index, cached per catalog version and extended as the model grows. */
  private eligibleFlags(catalog: ProductCatalog): Uint8Array {
    let cached = this.eligibility.get(catalog);
    if (!cached || cached.version !== catalog.version || cached.flags.length < this.ids.length) {
      const flags = new Uint8Array(this.ids.length);
      for (let index = 0; index < this.ids.length; index++) flags[index] = catalog.isRecommendable(this.ids[index]) ? 1 : 0;
      cached = { version: catalog.version, flags };
      this.eligibility.set(catalog, cached);
    }
    return cached.flags;
  }
}

/**
 * Merges persisted per-product lists into cart recommendations (the storefront
 * path when only the stored top-K lists are at hand): pinned first, then
 * co-purchase by summed score, then fallbacks (collection, product type, best
 * seller, each by best score); nothing in the cart or unrecommendable.
 */
export function mergeCartRecommendations(
  listFor: (productId: string) => readonly Recommendation[] | undefined,
  cart: readonly string[],
  k: number,
  catalog?: ProductCatalog,
): Recommendation[] {
  const inCart = new Set(cart);
  const merged = new Map<string, Recommendation>();
  for (const productId of new Set(cart)) {
    for (const rec of listFor(productId) ?? []) {
      if (inCart.has(rec.productId) || (catalog && !catalog.isRecommendable(rec.productId))) continue;
      const existing = merged.get(rec.productId);
      if (!existing) merged.set(rec.productId, { ...rec });
      // A stronger source wins; co-purchase scores add up across the cart, fallback scores do not.
      else if (SOURCE_RANK[rec.source] < SOURCE_RANK[existing.source]) merged.set(rec.productId, { ...rec });
      else if (rec.source === existing.source) existing.score = rec.source === "copurchase" ? existing.score + rec.score : Math.max(existing.score, rec.score);
    }
  }
  return [...merged.values()]
    .sort((x, y) => SOURCE_RANK[x.source] - SOURCE_RANK[y.source] || y.score - x.score || compareIds(x.productId, y.productId))
    .slice(0, k);
}

const SOURCE_RANK: Record<RecommendationSource, number> = { pinned: 0, copurchase: 1, collection: 2, product_type: 3, bestseller: 4 };

function addPinned(result: Recommendation[], taken: Set<string>, pinned: readonly string[] | undefined, catalog: ProductCatalog, k: number): void {
  for (const id of pinned ?? []) {
    if (result.length >= k) return;
    if (taken.has(id) || !catalog.isRecommendable(id)) continue;
    taken.add(id);
    result.push({ productId: id, score: 1, source: "pinned" });
  }
}

/** Same collection, then same product type, then best sellers, until k; score = salesCount relative to the group's best seller. */
function fillFallbacks(result: Recommendation[], taken: Set<string>, anchors: Array<CatalogProduct | undefined>, catalog: ProductCatalog, k: number): void {
  const take = (group: readonly CatalogProduct[], source: RecommendationSource) => {
    const best = Math.max(1, group[0]?.salesCount ?? 0);
    for (const product of group) {
      if (result.length >= k) return;
      if (taken.has(product.id)) continue;
      taken.add(product.id);
      result.push({ productId: product.id, score: (product.salesCount ?? 0) / best, source });
    }
  };
  for (const anchor of anchors) for (const collection of anchor?.collections ?? []) if (result.length < k) take(catalog.inCollection(collection), "collection");
  for (const anchor of anchors) if (anchor?.productType && result.length < k) take(catalog.ofProductType(anchor.productType), "product_type");
  if (result.length < k) take(catalog.bestsellers(), "bestseller");
}

/** Keeps the best `capacity` (index, score) pairs; ties broken by product id so lists are stable across rebuilds. */
class TopHeap {
  private readonly indexes: number[] = [];
  private readonly scores: number[] = [];

  constructor(
    private readonly capacity: number,
    private readonly ids: readonly string[],
  ) {}

  /** true when x ranks below y (worse score, or equal score and larger id). */
  private worse(x: number, y: number): boolean {
    const sx = this.scores[x];
    const sy = this.scores[y];
    return sx < sy || (sx === sy && this.ids[this.indexes[x]] > this.ids[this.indexes[y]]);
  }

  offer(index: number, score: number): void {
    if (this.capacity <= 0 || !(score > 0)) return;
    if (this.indexes.length < this.capacity) {
      this.indexes.push(index);
      this.scores.push(score);
      this.up(this.indexes.length - 1);
      return;
    }
    // Root is the worst kept; replace it only if the newcomer ranks above it.
    const rootScore = this.scores[0];
    if (score < rootScore || (score === rootScore && this.ids[index] > this.ids[this.indexes[0]])) return;
    this.indexes[0] = index;
    this.scores[0] = score;
    this.down(0);
  }

  /** Best first. */
  drain(): Array<[number, number]> {
    const out: Array<[number, number]> = this.indexes.map((index, i) => [index, this.scores[i]]);
    out.sort((x, y) => y[1] - x[1] || compareIds(this.ids[x[0]], this.ids[y[0]]));
    return out;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.indexes.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < n && this.worse(left, worst)) worst = left;
      if (right < n && this.worse(right, worst)) worst = right;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }

  private swap(i: number, j: number): void {
    [this.indexes[i], this.indexes[j]] = [this.indexes[j], this.indexes[i]];
    [this.scores[i], this.scores[j]] = [this.scores[j], this.scores[i]];
  }
}

/** Distinct product ids of an order's lines with quantity > 0 (missing quantity = 1), in first-seen order. */
export function distinctProducts(order: OrderInput): string[] {
  const seen = new Set<string>();
  for (const line of order.lines ?? []) if (line.productId && (line.quantity ?? 1) > 0) seen.add(line.productId);
  for (const id of order.productIds ?? []) if (id) seen.add(id);
  return [...seen];
}

function toMs(at: Date | string | number): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new TypeError(`order createdAt is not a valid time: ${String(at)}`);
  return ms;
}

function settle(value: number, magnitude: number): number {
  return Math.abs(value) <= magnitude * RESIDUE ? 0 : value;
}

function grown(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}

function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
