import type { CatalogProduct } from "./types";

/**
 * Whether a product may appear in a recommendation list: ACTIVE (not draft,
 * archived, unlisted or deleted), available to buy, not a gift card. UNLISTED
 * products are reachable only by direct link, so a widget must not surface them.
 */
export function isRecommendable(product: CatalogProduct | undefined): product is CatalogProduct {
  return Boolean(product && product.status.toUpperCase() === "ACTIVE" && product.available && !product.isGiftCard);
}

/**
 * The shop's catalog as the engine filters and falls back on it: eligibility
 * plus best sellers, per collection and per product type, each sorted by
 * salesCount (descending, then id). Mutable (`upsert`, `remove`) with a version
 * counter so product and inventory webhooks can update it in place; the sorted
 * lists are rebuilt lazily on the next read after a change.
 */
export class ProductCatalog {
  private readonly products = new Map<string, CatalogProduct>();
  private versionCounter = 0;
  private built = -1;
  private bestsellerList: CatalogProduct[] = [];
  private collectionLists = new Map<string, CatalogProduct[]>();
  private typeLists = new Map<string, CatalogProduct[]>();

  constructor(products: Iterable<CatalogProduct> = []) {
    for (const product of products) this.products.set(product.id, product);
  }

  static from(products: Iterable<CatalogProduct>): ProductCatalog {
    return new ProductCatalog(products);
  }

  /** Increases on every change; caches keyed on a catalog compare it. */
  get version(): number {
    return this.versionCounter;
  }

  get size(): number {
    return this.products.size;
  }

  get(productId: string): CatalogProduct | undefined {
    return this.products.get(productId);
  }

  isRecommendable(productId: string): boolean {
    return isRecommendable(this.products.get(productId));
  }

  upsert(product: CatalogProduct): void {
    this.products.set(product.id, product);
    this.versionCounter++;
  }

  /** A deleted product: gone from every list. */
  remove(productId: string): void {
    if (this.products.delete(productId)) this.versionCounter++;
  }

  values(): IterableIterator<CatalogProduct> {
    return this.products.values();
  }

  /** Recommendable products, best sellers first. */
  bestsellers(): readonly CatalogProduct[] {
    this.build();
    return this.bestsellerList;
  }

  /** Recommendable products in a collection, best sellers first. */
  inCollection(collection: string): readonly CatalogProduct[] {
    this.build();
    return this.collectionLists.get(collection) ?? [];
  }

  /** Recommendable products of a product type, best sellers first. */
  ofProductType(productType: string): readonly CatalogProduct[] {
    this.build();
    return this.typeLists.get(productType) ?? [];
  }

  private build(): void {
    if (this.built === this.versionCounter) return;
    const eligible = [...this.products.values()].filter(isRecommendable);
    eligible.sort((x, y) => (y.salesCount ?? 0) - (x.salesCount ?? 0) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    this.bestsellerList = eligible;
    this.collectionLists = new Map();
    this.typeLists = new Map();
    for (const product of eligible) {
      for (const collection of new Set(product.collections ?? [])) {
        let list = this.collectionLists.get(collection);
        if (!list) this.collectionLists.set(collection, (list = []));
        list.push(product);
      }
      if (product.productType) {
        let list = this.typeLists.get(product.productType);
        if (!list) this.typeLists.set(product.productType, (list = []));
        list.push(product);
      }
    }
    this.built = this.versionCounter;
  }
}
