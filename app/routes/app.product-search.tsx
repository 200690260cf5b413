import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { searchProducts } from "../recommendations/admin.server";

/** The admin's product picker asks here as the merchant types (a resource route: JSON only). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const text = new URL(request.url).searchParams.get("q") ?? "";
  return { products: await searchProducts(session.shop, text) };
};
