/**
 * The co-purchase model the service uses. Item-to-item scores from order baskets:
 *
 *   score(a→b) = cosine(a,b) · shrink,   cosine = w_ab / sqrt(w_a · w_b),   shrink = w_ab / (w_ab + K)
 *
 * where every weight is time-decayed (half-life 90 days). Cosine corrects for
 * popularity (a best seller co-occurs with everything, but so does its own count);
 * the shrinkage keeps one lucky co-occurrence from outranking a steady pair.
 * Weights are stored relative to a fixed epoch (scaled by 2^(t/halfLife)), so an
 * incremental order adds to the same numbers a full rebuild would, without
 * rescaling what is stored; comparisons only need ratios.
 */
export interface OrderInput {
  orderId: string;
  customerId?: string | null;
  createdAt: Date;
  productIds: string[];
}

export interface CatalogEntry {
  id: string;
  status: "active" | "draft" | "archived" | "deleted";
  available: boolean;
  isGiftCard: boolean;
  productType?: string | null;
  collections?: string[];
  salesCount?: number;
}

export type RecommendationSource = "copurchase" | "collection" | "product_type" | "bestseller" | "pinned";
export interface ScoredRecommendation {
  productId: string;
  score: number;
  source: RecommendationSource;
}

export interface Overrides {
  pinned: string[];
  excluded: string[];
}

export interface ModelOptions {
  halfLifeDays: number;
  shrinkage: number;
  /** Baskets larger than this are wholesale or bulk orders: their pairs say little and would dominate. */
  maxBasket: number;
  epoch: number;
}

export interface Model {
  options: ModelOptions;
  index: Map<string, number>;
  ids: string[];
  itemWeight: number[];
  pairs: Map<number, Map<number, number>>;
  /** The newest order seen: "fresh" means as of then (a live shop: now; a dataset: its last day). */
  latestMs: number;
}

const DEFAULTS: ModelOptions = { halfLifeDays: 90, shrinkage: 3, maxBasket: 40, epoch: Date.UTC(2024, 0, 1) };

export function createModel(options: Partial<ModelOptions> = {}): Model {
  return { options: { ...DEFAULTS, ...options }, index: new Map(), ids: [], itemWeight: [], pairs: new Map(), latestMs: 0 };
}

function indexOf(model: Model, productId: string): number {
  let index = model.index.get(productId);
  if (index === undefined) {
    index = model.ids.length;
    model.index.set(productId, index);
    model.ids.push(productId);
    model.itemWeight.push(0);
  }
  return index;
}

function decayWeight(model: Model, at: Date): number {
  const halfLifeMs = model.options.halfLifeDays * 86_400_000;
  return 2 ** ((at.getTime() - model.options.epoch) / halfLifeMs);
}

export function addOrder(model: Model, order: OrderInput): void {
  const unique = [...new Set(order.productIds)];
  if (unique.length === 0) return;
  const weight = decayWeight(model, order.createdAt);
  model.latestMs = Math.max(model.latestMs, order.createdAt.getTime());
  const indexes = unique.map((id) => indexOf(model, id));
  for (const index of indexes) model.itemWeight[index] += weight;
  if (unique.length < 2 || unique.length > model.options.maxBasket) return;
  // A pair's evidence is shared across the basket: each item has n-1 partners.
  const pairWeight = weight / (unique.length - 1);
  for (const a of indexes) {
    let row = model.pairs.get(a);
    if (!row) model.pairs.set(a, (row = new Map()));
    for (const b of indexes) if (a !== b) row.set(b, (row.get(b) ?? 0) + pairWeight);
  }
}

export function affectedProducts(_model: Model, order: OrderInput): string[] {
  return [...new Set(order.productIds)];
}

function eligible(entry: CatalogEntry | undefined): boolean {
  return Boolean(entry && entry.status === "active" && entry.available && !entry.isGiftCard);
}

/** Top K for one product: pins, then co-purchase, then same collection, product type, best sellers. */
export function topK(model: Model, productId: string, catalog: Map<string, CatalogEntry>, overrides: Overrides | undefined, k: number): ScoredRecommendation[] {
  const excluded = new Set([productId, ...(overrides?.excluded ?? [])]);
  const result: ScoredRecommendation[] = [];
  const taken = new Set<string>();
  const push = (id: string, score: number, source: RecommendationSource) => {
    if (result.length >= k || taken.has(id) || excluded.has(id) || !eligible(catalog.get(id))) return;
    taken.add(id);
    result.push({ productId: id, score, source });
  };
  for (const id of overrides?.pinned ?? []) push(id, 1, "pinned");

  for (const [other, score] of scoredPartners(model, productId)) push(other, round(score), "copurchase");
  if (result.length < k) {
    const self = catalog.get(productId);
    const candidates = [...catalog.values()].filter(eligible).sort((x, y) => (y.salesCount ?? 0) - (x.salesCount ?? 0));
    const best = Math.max(1, candidates[0]?.salesCount ?? 1);
    if (self?.collections?.length) {
      for (const entry of candidates) if (entry.collections?.some((c) => self.collections!.includes(c))) push(entry.id, round(((entry.salesCount ?? 0) / best) * 0.01), "collection");
    }
    if (self?.productType) {
      for (const entry of candidates) if (entry.productType === self.productType) push(entry.id, round(((entry.salesCount ?? 0) / best) * 0.005), "product_type");
    }
    for (const entry of candidates) push(entry.id, round(((entry.salesCount ?? 0) / best) * 0.001), "bestseller");
  }
  return result;
}

/** Every co-purchase partner of a product with its score, best first. */
export function scoredPartners(model: Model, productId: string): Array<[string, number]> {
  return unsortedPartners(model, productId).sort((x, y) => y[1] - x[1]);
}

function unsortedPartners(model: Model, productId: string): Array<[string, number]> {
  const index = model.index.get(productId);
  if (index === undefined) return [];
  // K is in "fresh co-occurrences": scaled like the weights, to today.
  const freshWeight = decayWeight(model, new Date(model.latestMs || Date.now()));
  const scored: Array<[string, number]> = [];
  for (const [other, pair] of model.pairs.get(index) ?? []) {
    const cosine = pair / Math.sqrt(model.itemWeight[index] * model.itemWeight[other]);
    const shrink = pair / (pair + model.options.shrinkage * freshWeight);
    scored.push([model.ids[other], cosine * shrink]);
  }
  return scored;
}

/** Scores for a basket: each candidate's scores summed over the basket's items (the basket excluded). */
export function scoreBasket(model: Model, productIds: string[]): Map<string, number> {
  const inBasket = new Set(productIds);
  const totals = new Map<string, number>();
  for (const productId of inBasket) {
    for (const [other, score] of unsortedPartners(model, productId)) {
      if (!inBasket.has(other)) totals.set(other, (totals.get(other) ?? 0) + score);
    }
  }
  return totals;
}

/** Recommendations for a whole cart: scores summed over the cart's items, the cart itself excluded. */
export function recommendForCart(lists: Map<string, ScoredRecommendation[]>, cart: string[], k: number): ScoredRecommendation[] {
  const inCart = new Set(cart);
  const totals = new Map<string, ScoredRecommendation>();
  for (const productId of cart) {
    for (const rec of lists.get(productId) ?? []) {
      if (inCart.has(rec.productId)) continue;
      const existing = totals.get(rec.productId);
      if (existing) existing.score += rec.score;
      else totals.set(rec.productId, { ...rec });
    }
  }
  return [...totals.values()].sort((a, b) => b.score - a.score).slice(0, k);
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

export interface ModelState {
  options: ModelOptions;
  latestMs?: number;
  ids: string[];
  itemWeight: number[];
  pairs: Array<[number, number, number]>;
}

export function exportState(model: Model): ModelState {
  const pairs: Array<[number, number, number]> = [];
  for (const [a, row] of model.pairs) for (const [b, weight] of row) if (a < b) pairs.push([a, b, weight]);
  return { options: model.options, latestMs: model.latestMs, ids: model.ids, itemWeight: model.itemWeight, pairs };
}

export function importState(state: ModelState): Model {
  const model = createModel(state.options);
  model.latestMs = state.latestMs ?? 0;
  state.ids.forEach((id) => indexOf(model, id));
  model.itemWeight = [...state.itemWeight];
  for (const [a, b, weight] of state.pairs) {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      let row = model.pairs.get(x);
      if (!row) model.pairs.set(x, (row = new Map()));
      row.set(y, weight);
    }
  }
  return model;
}
