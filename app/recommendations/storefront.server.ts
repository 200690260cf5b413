import { pool } from "../db.server";
import { currencyFractionDigits } from "../money";
import type { Recommendation, RecommendationSource } from "./engine";
import { ShopListCache, cartCards, type ProductCard, type ShopLists } from "./list-cache";

/**
 * "Based on your cart" for the storefront (app proxy): answered from an
 * in-process copy of the shop's precomputed lists (see list-cache.ts), so a
 * request costs the signature check and a merge of a few short lists, not a
 * database round trip.
 */
export interface StorefrontProduct {
  id: string;
  title: string;
  handle: string | null;
  url: string;
  image: string | null;
  price: string | null;
  available: boolean;
  variant_id: string | null;
}

/** Moves whenever the service stores lists for the shop (it sets last_computed_at after writing them). */
async function listsVersion(shop: string): Promise<string> {
  const { rows } = await pool.query<{ version: string | null }>(`SELECT last_computed_at::text AS version FROM recommendation_status WHERE shop = $1`, [shop]);
  return rows[0]?.version ?? "";
}

async function loadShopLists(shop: string): Promise<ShopLists> {
  // The version first: if lists change while we read, we hold an older version and reload on the next check.
  const version = await listsVersion(shop);
  const [products, recommendations] = await Promise.all([
    pool.query<{ id: string; title: string; handle: string | null; url: string | null; image_url: string | null; price_minor: number | null; currency: string | null; variant_id: string | null }>(
      `SELECT id, title, handle, url, image_url, price_minor, currency, variant_id FROM product
       WHERE shop = $1 AND deleted_at IS NULL AND status = 'active' AND available AND NOT is_gift_card`,
      [shop],
    ),
    pool.query<{ product_id: string; recommended_product_id: string; score: number; source: RecommendationSource }>(
      `SELECT product_id, recommended_product_id, score, source FROM product_recommendation WHERE shop = $1 ORDER BY product_id, rank`,
      [shop],
    ),
  ]);
  const cards = new Map<string, ProductCard>();
  for (const row of products.rows) {
    cards.set(row.id, {
      id: row.id,
      title: row.title,
      handle: row.handle,
      url: row.url ?? `/products/${row.handle ?? row.id}`,
      image: row.image_url,
      priceMinor: row.price_minor,
      currency: row.currency,
      variantId: row.variant_id,
    });
  }
  const lists = new Map<string, Recommendation[]>();
  for (const row of recommendations.rows) {
    if (!cards.has(row.recommended_product_id)) continue; // no longer sellable since the lists were computed
    let list = lists.get(row.product_id);
    if (!list) lists.set(row.product_id, (list = []));
    list.push({ productId: row.recommended_product_id, score: row.score, source: row.source });
  }
  return { version, lists, products: cards };
}

const listCache = new ShopListCache({
  load: loadShopLists,
  version: listsVersion,
  onError: (shop, error) => console.error(`[app proxy] refreshing recommendations of ${shop} failed`, (error as Error).message),
});

/** The service stored new lists for the shop in this process: answer from them at once. */
export function invalidateStorefrontLists(shop: string): void {
  listCache.invalidate(shop);
}

const formatters = new Map<string, Intl.NumberFormat>();
/** Intl.NumberFormat is costly to build: one per (locale, currency). The locale comes from the request: an invalid one falls back to English. */
function formatPrice(amountMinor: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      formatter = new Intl.NumberFormat("en", { style: "currency", currency });
    }
    if (formatters.size > 1_000) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter.format(amountMinor / 10 ** currencyFractionDigits(currency));
}

/** A card as the storefront gets it, kept per (card, locale) for as long as the shop's lists are held. */
const shownCards = new WeakMap<ProductCard, Map<string, StorefrontProduct>>();
function storefrontProduct(card: ProductCard, locale: string): StorefrontProduct {
  let byLocale = shownCards.get(card);
  if (!byLocale) shownCards.set(card, (byLocale = new Map()));
  let product = byLocale.get(locale);
  if (!product) {
    product = {
      id: card.id,
      title: card.title,
      handle: card.handle,
      url: card.url,
      image: card.image,
      price: card.priceMinor !== null && card.currency ? formatPrice(card.priceMinor, card.currency, locale) : null,
      available: true,
      variant_id: card.variantId,
    };
    if (byLocale.size < 50) byLocale.set(locale, product);
  }
  return product;
}

export async function cartRecommendations(shop: string, productIds: string[], limit: number, locale = "en"): Promise<StorefrontProduct[]> {
  const shopLists = await listCache.get(shop);
  return cartCards(shopLists, productIds, limit).map((card) => storefrontProduct(card, locale));
}

/** Parses `product_ids=1,2,3` strictly: numeric ids only, at most 50. */
export function parseProductIds(raw: string | null): string[] | null {
  if (!raw) return null;
  const ids = raw.split(",").map((id) => id.trim()).filter(Boolean);
  if (!ids.length || ids.length > 50 || ids.some((id) => !/^\d{1,20}$/.test(id))) return null;
  return [...new Set(ids)];
}

/** The app proxy request, verified by Shopify's library, answered as JSON (shared by the Remix route and the server). */
export async function handleCartRecommendations(request: Request, verify: (request: Request) => Promise<{ session?: { shop: string } }>): Promise<Response> {
  let session: { shop: string } | undefined;
  try {
    ({ session } = await verify(request)); // 400 on a missing or bad signature
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  if (!session) return Response.json({ error: "Pathwise is not installed on this shop" }, { status: 404 });
  const url = new URL(request.url);
  const productIds = parseProductIds(url.searchParams.get("product_ids"));
  if (!productIds) return Response.json({ error: "product_ids must be 1 to 50 numeric product ids, comma separated" }, { status: 400 });
  const limit = Math.min(12, Math.max(1, Number(url.searchParams.get("limit") ?? 4) || 4));
  const products = await cartRecommendations(session.shop, productIds, limit, url.searchParams.get("locale") ?? "en");
  return Response.json({ products }, { headers: { "cache-control": "private, max-age=60" } });
}
