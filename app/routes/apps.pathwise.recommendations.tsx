import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { cartRecommendations, parseProductIds } from "../recommendations/storefront.server";

// App proxy: https://{shop}/apps/pathwise/recommendations?product_ids=1,2,3 (Shopify signs the query).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.public.appProxy(request); // 400 on a missing or bad signature
  if (!session) return Response.json({ error: "Pathwise is not installed on this shop" }, { status: 404 });
  const url = new URL(request.url);
  const productIds = parseProductIds(url.searchParams.get("product_ids"));
  if (!productIds) return Response.json({ error: "product_ids must be 1 to 50 numeric product ids, comma separated" }, { status: 400 });
  const limit = Math.min(12, Math.max(1, Number(url.searchParams.get("limit") ?? 4) || 4));
  const products = await cartRecommendations(session.shop, productIds, limit, url.searchParams.get("locale") ?? "en");
  return Response.json({ products }, { headers: { "cache-control": "private, max-age=60" } });
};
