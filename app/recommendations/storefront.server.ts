import { pool } from "../db.server";
import { formatMoney } from "../money";

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

  // One round trip: sum each candidate's scores over the cart's lists, drop the cart
  // itself and anything no longer sellable, best first.
  const { rows } = await pool.query<{ id: string; title: string; handle: string | null; url: string | null; image_url: string | null; price_minor: number | null; currency: string | null; variant_id: string | null }>(
    `WITH candidates AS (
       SELECT recommended_product_id AS id, sum(score) AS score
       FROM product_recommendation
       WHERE shop = $1 AND product_id = ANY($2::text[]) AND NOT (recommended_product_id = ANY($2::text[]))
       GROUP BY recommended_product_id
     )
     SELECT p.id, p.title, p.handle, p.url, p.image_url, p.price_minor, p.currency, p.variant_id
     FROM candidates c JOIN product p ON p.shop = $1 AND p.id = c.id
     WHERE p.deleted_at IS NULL AND p.status = 'active' AND p.available
     ORDER BY c.score DESC, p.id
     LIMIT $3`,
    [shop, productIds, limit],
  );
  const value = rows.map((product) => ({
    id: product.id,
    title: product.title,
    url: product.url ?? `/products/${product.handle ?? product.id}`,
    image: product.image_url,
    price: product.price_minor !== null && product.currency ? formatMoney(product.price_minor, product.currency, locale) : null,
    available: true,
    variant_id: product.variant_id,
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
