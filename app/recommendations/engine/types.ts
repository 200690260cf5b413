/**
 * Shapes the co-purchase engine consumes and produces. Plain data, no framework
 * types, so the persistence layer (PostgreSQL), webhooks and the storefront can
 * all speak them.
 */

/** One line of an order. Quantity is ignored for association (ten napkins are one napkin choice); lines with quantity <= 0 are dropped. */
export interface OrderLineInput {
  productId: string;
  quantity?: number;
}

/**
 * One order as the engine learns from it. Give `lines` (with quantities) or
 * `productIds` (one per line); both may be given and are merged.
 */
export interface OrderInput {
  orderId?: string;
  customerId?: string | null;
  /** When the order was placed: a Date, an ISO string or epoch milliseconds. */
  createdAt: Date | string | number;
  lines?: ReadonlyArray<OrderLineInput>;
  productIds?: ReadonlyArray<string>;
}

/** Shopify's ProductStatus (GraphQL enum) plus DELETED for products removed by products/delete. Either case is accepted. */
export type ProductStatus = "ACTIVE" | "DRAFT" | "ARCHIVED" | "UNLISTED" | "DELETED";

export interface CatalogProduct {
  id: string;
  status: ProductStatus | Lowercase<ProductStatus>;
  /** In stock (or sold when out of stock) in at least one variant. */
  available: boolean;
  isGiftCard: boolean;
  productType?: string | null;
  collections?: ReadonlyArray<string>;
  /** Recent units or orders; ranks the collection, product type and best-seller fallbacks. */
  salesCount?: number;
}

export type RecommendationSource = "copurchase" | "collection" | "product_type" | "bestseller" | "pinned";

/**
 * One recommended product. `score` is comparable only within a source:
 * copurchase is the shrunk cosine in [0, 1] (summed over the cart for cart
 * recommendations), fallbacks carry salesCount relative to the group's best
 * seller in [0, 1], pinned carries 1. Lists are already in display order.
 */
export interface Recommendation {
  productId: string;
  score: number;
  source: RecommendationSource;
}

/** Merchant overrides for one product's list: pinned first (in this order), excluded never shown. */
export interface Overrides {
  pinned?: ReadonlyArray<string>;
  excluded?: ReadonlyArray<string>;
}

export interface CoPurchaseOptions {
  /** How many recommendations a list holds. Default 12. */
  k: number;
  /** Time decay: an order this old counts half. Default 90 days. */
  halfLifeDays: number;
  /**
   * Bayesian shrinkage, in "fresh co-purchases": score is multiplied by
   * w_ab / (w_ab + shrinkage), so a pair seen once stays below a steady pair.
   * Default 5.
   */
  shrinkage: number;
  /**
   * Asymmetric cosine exponent: score(a→b) = w_ab / (w_a^alpha · w_b^(1-alpha)).
   * 0.5 is the plain cosine (full popularity correction); towards 1 it becomes
   * P(b | a), which favours popular partners. Default 0.5.
   */
  alpha: number;
  /**
   * Orders with more distinct products than this add to popularity but no pairs:
   * their pairs are already weighted by 1/(n-1), so they barely move scores, but
   * they cost n² work and memory (a 675-line wholesale invoice is 227,475 pairs).
   * Default 100.
   */
  maxBasketSize: number;
  /** Fallbacks (collection, product type, best sellers) fill a list up to k when co-purchase gives fewer than this many. Default k. */
  fallbackBelow: number;
  /**
   * Fixed origin of the stored weights (epoch ms). Stored weights are
   * w · 2^((t - epoch) / halfLife), so adding an order never rescales anything
   * already stored; part of the persisted state. Default 2020-01-01T00:00:00Z.
   */
  epochMs: number;
  /**
   * The "now" that ages evidence at scoring time (epoch ms). Default: the newest
   * order seen, so a quiet shop does not lose its lists; pass Date.now() for a
   * strict wall-clock reading.
   */
  referenceTimeMs?: number;
}

/** One product's accumulated weights, epoch-scaled (see CoPurchaseOptions.epochMs). */
export interface ProductWeightRow {
  productId: string;
  /** Cosine norm: Σ over orders containing it of basketFactor · timeScale (orders over maxBasketSize excluded). */
  weight: number;
  /** Popularity: Σ over orders containing it of timeScale (every order). */
  orders: number;
}

/** One unordered pair's accumulated weight (a < b by string order), epoch-scaled. */
export interface PairWeightRow {
  a: string;
  b: string;
  weight: number;
}

/**
 * What the persisted model needs besides its rows. Rows are additive: the
 * model after orders X ∪ Y is the row-wise sum of the deltas of X and Y, in
 * any order, so late or out-of-order webhooks converge to the batch build.
 */
export interface ModelStateHeader {
  version: 1;
  options: Omit<CoPurchaseOptions, "referenceTimeMs">;
  /** Newest order time seen (epoch ms), or null. */
  latestOrderMs: number | null;
  /** Orders applied (net of removals), orders that added pairs, orders over maxBasketSize. */
  orders: number;
  ordersWithPairs: number;
  largeOrders: number;
}

/** The increments one order adds (or, negated, removes). */
export interface ModelDelta {
  orderAtMs: number;
  /** True when the order had more than maxBasketSize products (popularity only). */
  large: boolean;
  products: ProductWeightRow[];
  pairs: PairWeightRow[];
}

export interface ModelStats {
  products: number;
  /** Distinct unordered pairs with weight > 0. */
  pairs: number;
  orders: number;
  ordersWithPairs: number;
  largeOrders: number;
  latestOrderAt: Date | null;
  /** Typed-array bytes held by the pair rows and product arrays (excludes id strings). */
  approxBytes: number;
}
