import prisma from "../db.server";
import { formatMoney } from "../money";
import { recommendForCart, type ScoredRecommendation } from "./engine-adapter";

/**
 * "Based on your cart" for the storefront (app proxy): answered from the
 * precomputed lists, with a short in-process cache because the same carts
 * (and popular products) are asked for again and again.
 */
export interface StorefrontProduct {
  id: string;
  title: string;
  url: string;
  image: string | null;
  price: string | null;
  available: boolean;
  variant_id: string | null;
}

const CACHE_TTL_MS = 60_000;
const cache = new Map<string, { at: number; value: StorefrontProduct[] }>();

export async function cartRecommendations(shop: string, productIds: string[], limit: number, locale = "en"): Promise<StorefrontProduct[]> {
  const key = `${shop}|${[...productIds].sort().join(",")}|${limit}|${locale}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;

  const rows = await prisma.productRecommendation.findMany({
    where: { shop, productId: { in: productIds } },
    orderBy: [{ productId: "asc" }, { rank: "asc" }],
    select: { productId: true, recommendedProductId: true, score: true, source: true },
  });
  const lists = new Map<string, ScoredRecommendation[]>();
  for (const row of rows) {
    const list = lists.get(row.productId) ?? [];
    list.push({ productId: row.recommendedProductId, score: row.score, source: row.source as ScoredRecommendation["source"] });
    lists.set(row.productId, list);
  }
  const ranked = recommendForCart(lists, productIds, limit * 2);
  const products = await prisma.product.findMany({
    where: { shop, id: { in: ranked.map((rec) => rec.productId) }, deletedAt: null, status: "active", available: true },
    select: { id: true, title: true, handle: true, url: true, imageUrl: true, priceMinor: true, currency: true, available: true, variantId: true },
  });
  const byId = new Map(products.map((product) => [product.id, product]));
  const value = ranked
    .map((rec) => byId.get(rec.productId))
    .filter((product): product is NonNullable<typeof product> => Boolean(product))
    .slice(0, limit)
    .map((product) => ({
      id: product.id,
      title: product.title,
      url: product.url ?? `/products/${product.handle ?? product.id}`,
      image: product.imageUrl,
      price: product.priceMinor !== null && product.currency ? formatMoney(product.priceMinor, product.currency, locale) : null,
      available: product.available,
      variant_id: product.variantId,
    }));
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { at: Date.now(), value });
  return value;
}

/** Parses `product_ids=1,2,3` strictly: numeric ids only, at most 50. */
export function parseProductIds(raw: string | null): string[] | null {
  if (!raw) return null;
  const ids = raw.split(",").map((id) => id.trim()).filter(Boolean);
  if (!ids.length || ids.length > 50 || ids.some((id) => !/^\d{1,20}$/.test(id))) return null;
  return [...new Set(ids)];
}
