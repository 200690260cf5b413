import { mergeCartRecommendations, type Recommendation } from "./engine";

/**
 * An in-process copy of each shop's precomputed recommendation lists and the
 * product cards the storefront shows, so the app proxy answers without a
 * database round trip. Plain TypeScript: the loader and version reader are
 * passed in.
 *
 * Freshness: the lists change only when the service stores new ones, and it
 * then moves the shop's version. A request never waits on the database once a
 * shop is loaded: when the copy is older than `checkEveryMs`, a background
 * check reads the version (one primary-key lookup) and reloads the shop only
 * if it moved; meanwhile the current copy keeps answering. `invalidate` drops
 * a shop at once (the process that stored the lists calls it).
 */
export interface ProductCard {
  id: string;
  title: string;
  /** The storefront's product handle: the cart block reads the shopper's price from /products/{handle}.js. */
  handle: string | null;
  url: string;
  image: string | null;
  priceMinor: number | null;
  currency: string | null;
  variantId: string | null;
}

export interface ShopLists {
  /** Opaque: changes whenever the stored lists (or the cards they show) change. */
  version: string;
  /** Per product, its stored list in rank order, already limited to products the storefront may show. */
  lists: Map<string, Recommendation[]>;
  /** Cards of every product that may be shown (active, available, not deleted, not a gift card). */
  products: Map<string, ProductCard>;
}

export interface ListCacheOptions {
  load: (shop: string) => Promise<ShopLists>;
  version: (shop: string) => Promise<string>;
  checkEveryMs?: number;
  /** Shops kept (least recently asked dropped first). */
  maxShops?: number;
  now?: () => number;
  onError?: (shop: string, error: unknown) => void;
}

interface Entry {
  value: ShopLists;
  checkedAt: number;
  refreshing: boolean;
}

export class ShopListCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ShopLists>>();
  /** Bumped by invalidate: a load that started before must not store its (possibly stale) result. */
  private readonly generations = new Map<string, number>();
  private readonly checkEveryMs: number;
  private readonly maxShops: number;
  private readonly now: () => number;

  constructor(private readonly options: ListCacheOptions) {
    this.checkEveryMs = options.checkEveryMs ?? 2_000;
    this.maxShops = options.maxShops ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** The shop's lists: from memory when loaded (revalidated in the background), else loaded once for all concurrent callers. */
  async get(shop: string): Promise<ShopLists> {
    const entry = this.entries.get(shop);
    if (entry) {
      this.entries.delete(shop); // most recently used last
      this.entries.set(shop, entry);
      if (!entry.refreshing && this.now() - entry.checkedAt >= this.checkEveryMs) void this.revalidate(shop, entry);
      return entry.value;
    }
    let pending = this.loading.get(shop);
    if (!pending) {
      const generation = this.generations.get(shop) ?? 0;
      pending = this.options.load(shop).then((value) => {
        if ((this.generations.get(shop) ?? 0) === generation) this.store(shop, value);
        return value;
      });
      this.loading.set(shop, pending);
      const clear = () => {
        if (this.loading.get(shop) === pending) this.loading.delete(shop);
      };
      pending.then(clear, clear);
    }
    return pending;
  }

  /** Drops the shop's copy; the next request loads the current lists. */
  invalidate(shop: string): void {
    this.generations.set(shop, (this.generations.get(shop) ?? 0) + 1);
    this.entries.delete(shop);
    this.loading.delete(shop);
  }

  /** Number of shops held (diagnostics, tests). */
  get size(): number {
    return this.entries.size;
  }

  private store(shop: string, value: ShopLists): void {
    this.entries.delete(shop);
    this.entries.set(shop, { value, checkedAt: this.now(), refreshing: false });
    while (this.entries.size > this.maxShops) this.entries.delete(this.entries.keys().next().value!);
  }

  private async revalidate(shop: string, entry: Entry): Promise<void> {
    entry.refreshing = true;
    const generation = this.generations.get(shop) ?? 0;
    try {
      const version = await this.options.version(shop);
      if (version === entry.value.version) {
        entry.checkedAt = this.now();
        return;
      }
      const value = await this.options.load(shop);
      if ((this.generations.get(shop) ?? 0) === generation && this.entries.get(shop) === entry) this.store(shop, value);
    } catch (error) {
      // Keep answering from the copy we have; try again after the next interval.
      entry.checkedAt = this.now();
      this.options.onError?.(shop, error);
    } finally {
      entry.refreshing = false;
    }
  }
}

/**
 * "Based on your cart" from a shop's lists: pinned first, then co-purchase
 * scores summed over the cart, then fallbacks; never a cart product, never a
 * product without a card (not shown on the storefront).
 */
export function cartCards(shopLists: ShopLists, cart: readonly string[], limit: number): ProductCard[] {
  // Lists normally hold only products with a card (the loader drops the rest); a list that does not is filtered here.
  const listFor = (productId: string) => {
    const list = shopLists.lists.get(productId);
    return list && list.every((rec) => shopLists.products.has(rec.productId)) ? list : list?.filter((rec) => shopLists.products.has(rec.productId));
  };
  return mergeCartRecommendations(listFor, cart, limit).map((rec) => shopLists.products.get(rec.productId)!);
}
