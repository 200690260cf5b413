/**
 * Points the Shopify API library at another Admin API origin (our dev-store
 * simulator) by rewriting `https://{shop}/admin/...` requests. Configuration only:
 * the app code is unchanged, and production refuses the override outright so a
 * deployed app can never send a merchant's token anywhere but Shopify.
 */
export function adminApiOriginOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const origin = env.SHOPIFY_ADMIN_API_ORIGIN?.trim();
  if (!origin) return undefined;
  if (env.NODE_ENV === "production") {
    throw new Error("SHOPIFY_ADMIN_API_ORIGIN is set but NODE_ENV is production: the Admin API override is for development and tests only");
  }
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`SHOPIFY_ADMIN_API_ORIGIN must be an http(s) origin, got ${origin}`);
  }
  return url.origin;
}

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

export function rewriteFetchToOrigin(baseFetch: typeof fetch, origin: string): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!SHOP_HOST.test(url.hostname)) return baseFetch(request);
    const target = new URL(url.pathname + url.search, origin);
    const headers = new Headers(request.headers);
    headers.set("x-shopify-shop-domain", url.hostname);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return baseFetch(target, { method: request.method, headers, body });
  }) as typeof fetch;
}
