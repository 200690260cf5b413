type Environment = Record<string, string | undefined>;

/**
 * `shopify app dev` starts the web process (shopify.web.toml) with the app's public URL,
 * its tunnel, in HOST and APP_URL, never in SHOPIFY_APP_URL (Shopify CLI's
 * launchWebProcess). The app, Vite's allowed hosts and its HMR read SHOPIFY_APP_URL, so
 * it is filled from those when unset. An explicit SHOPIFY_APP_URL always wins.
 */
export function applyShopifyCliEnvironment(env: Environment = process.env): void {
  if (env.SHOPIFY_APP_URL) return;
  const fromCli = [env.APP_URL, env.HOST].find((value) => value && /^https?:\/\//.test(value));
  if (fromCli) env.SHOPIFY_APP_URL = fromCli;
}

/**
 * Where the production server listens when HOST is not an address: every interface in
 * production (a container's or a platform's router must reach it), loopback otherwise.
 * The CLI's HOST is a URL, not an address, so it is not taken as one.
 */
export function listenHost(env: Environment = process.env): string {
  const host = env.HOST;
  if (host && !host.includes("://")) return host;
  return env.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1";
}
