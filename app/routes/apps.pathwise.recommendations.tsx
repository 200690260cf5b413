import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { handleCartRecommendations } from "../recommendations/storefront.server";

// App proxy: https://{shop}/apps/pathwise/recommendations?product_ids=1,2,3 (Shopify signs the query).
export const loader = ({ request }: LoaderFunctionArgs) =>
  handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>);
