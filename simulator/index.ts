import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { BulkOperations, CostBucket, executeAdminGraphql, type GraphqlLogEntry } from "./admin-graphql";
import { createSessionToken, verifySessionToken, appProxyUrl } from "./auth";
import { seedStore, type SimStore } from "./store";
import { deliverWebhook, type SendOptions, type WebhookDelivery } from "./webhooks";
import { Clock, runScenario, type ScenarioLog } from "./scenario";
import { CATALOG } from "./catalog";

export { createSessionToken, verifySessionToken, signAppProxyParams, appProxyUrl } from "./auth";
export type { SimStore } from "./store";

/**
 * The local dev store that stands in for Shopify: Admin GraphQL (validated against
 * Shopify's real schema), token exchange, signed webhooks, app proxy signatures and
 * scripted shoppers on an accelerated clock. The app reaches it only through
 * SHOPIFY_ADMIN_API_ORIGIN.
 */
export interface SimulatorOptions {
  port?: number;
  host?: string;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  shop?: string;
  seed?: number;
  orderCount?: number;
  clockSpeed?: number;
  webhookRetries?: number;
  /** Cost bucket size and restore rate (Shopify Advanced: 2000 / 100 per second). */
  throttle?: { maximum: number; restoreRate: number };
}

export function createSimulator(options: SimulatorOptions) {
  const shop = options.shop ?? "pathwise-party.myshopify.com";
  const host = options.host ?? "127.0.0.1";
  let origin = `http://${host}:${options.port ?? 0}`;
  const store: SimStore = seedStore({ shop, seed: options.seed, orderCount: options.orderCount, imageOrigin: `http://${host}:${options.port ?? 0}` });
  const bulk = new BulkOperations();
  const bucket = new CostBucket(options.throttle?.maximum, options.throttle?.restoreRate);
  const invalidQueries: GraphqlLogEntry[] = [];
  const graphqlRequests: GraphqlLogEntry[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const accessTokens = new Map<string, { shop: string; expires: number; scope: string }>();
  const refreshTokens = new Map<string, string>();
  const scenarioLog: ScenarioLog[] = [];
  const clock = new Clock(options.clockSpeed ?? 1);
  const scopes = "read_orders,read_customers,write_customers,read_products,write_products,read_discounts,write_discounts,read_fulfillments,read_checkouts";
  let server: Server | null = null;

  function issueTokens() {
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    accessTokens.set(accessToken, { shop, expires: Date.now() + 3600_000, scope: scopes });
    refreshTokens.set(refreshToken, accessToken);
    return { access_token: accessToken, scope: scopes, expires_in: 3600, refresh_token: refreshToken, refresh_token_expires_in: 7_776_000 };
  }

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function json(response: ServerResponse, status: number, body: unknown) {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", origin);
    const requestShop = String(request.headers["x-shopify-shop-domain"] ?? request.headers.host ?? "");

    const graphqlMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    if (graphqlMatch && request.method === "POST") {
      if (requestShop !== shop) return json(response, 404, { errors: "Not Found" });
      const token = String(request.headers["x-shopify-access-token"] ?? "");
      const grant = accessTokens.get(token);
      if (!grant || grant.expires < Date.now()) {
        return json(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
      const body = JSON.parse((await readBody(request)) || "{}") as { query?: string; variables?: Record<string, unknown>; operationName?: string };
      const result = await executeAdminGraphql(
        { version: graphqlMatch[1], query: body.query ?? "", variables: body.variables, operationName: body.operationName, shop },
        { store, origin, apiKey: options.apiKey, bulk, unbounded: false },
        bucket,
      );
      graphqlRequests.push(result.logEntry);
      if (!result.logEntry.valid) invalidQueries.push(result.logEntry);
      return json(response, result.status, result.body);
    }

    if (url.pathname === "/admin/oauth/access_token" && request.method === "POST") {
      const raw = await readBody(request);
      const body = (request.headers["content-type"] ?? "").includes("json") ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw));
      if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
        return json(response, 400, { error: "invalid_client", error_description: "Client credentials are invalid" });
      }
      if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") {
        const claims = verifySessionToken(String(body.subject_token ?? ""), options.apiKey, options.apiSecret);
        if (!claims || claims.dest !== `https://${shop}`) {
          return json(response, 400, { error: "invalid_subject_token", error_description: "The session token is invalid" });
        }
        return json(response, 200, issueTokens());
      }
      if (body.grant_type === "refresh_token") {
        const previous = refreshTokens.get(String(body.refresh_token ?? ""));
        if (!previous) return json(response, 400, { error: "invalid_grant", error_description: "Refresh token is invalid" });
        refreshTokens.delete(String(body.refresh_token));
        accessTokens.delete(previous);
        return json(response, 200, issueTokens());
      }
      return json(response, 400, { error: "unsupported_grant_type" });
    }

    const bulkMatch = /^\/bulk\/(.+)\.jsonl$/.exec(url.pathname);
    if (bulkMatch) {
      const operation = bulk.operations.get(decodeURIComponent(bulkMatch[1]));
      if (!operation) return json(response, 404, { error: "not found" });
      response.writeHead(200, { "content-type": "application/jsonl" });
      return response.end(operation.jsonl);
    }

    const imageMatch = /^\/images\/([a-z0-9-]+)\.svg$/.exec(url.pathname);
    if (imageMatch) {
      const entry = CATALOG.find((product) => product.handle === imageMatch[1]);
      if (!entry) return json(response, 404, { error: "not found" });
      response.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" });
      return response.end(productSvg(entry.title, entry.colour));
    }

    if (url.pathname === "/health") return json(response, 200, { ok: true, shop });
    return json(response, 404, { errors: "Not Found" });
  }

  const simulator = {
    store,
    invalidQueries,
    graphqlRequests,
    webhookDeliveries,
    scenarioLog,
    clock,
    get origin() {
      return origin;
    },
    async start(): Promise<{ origin: string }> {
      server = createServer((request, response) => {
        handle(request, response).catch((error) => json(response, 500, { errors: String(error) }));
      });
      await new Promise<void>((resolve) => server!.listen(options.port ?? 0, host, resolve));
      const address = server.address();
      origin = `http://${host}:${typeof address === "object" && address ? address.port : options.port}`;
      for (const product of store.products) product.imageUrl = `${origin}/images/${product.handle}.svg`;
      return { origin };
    },
    async stop() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = null;
    },
    createSessionToken: (tokenOptions?: { shop?: string; apiKey?: string; apiSecret?: string; userId?: number }) =>
      createSessionToken({ shop: tokenOptions?.shop ?? shop, apiKey: tokenOptions?.apiKey ?? options.apiKey, apiSecret: tokenOptions?.apiSecret ?? options.apiSecret, userId: tokenOptions?.userId }),
    /** What Shopify admin does when the merchant opens the embedded app: load it with a session token. */
    async installApp(): Promise<number> {
      const token = simulator.createSessionToken();
      const adminHost = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
      const response = await fetch(`${options.appUrl}/app?embedded=1&shop=${shop}&host=${adminHost}&id_token=${token}`, {
        redirect: "manual",
        // The admin loads the app in the merchant's browser (the library turns bots away).
        headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36" },
      });
      await response.text();
      return response.status;
    },
    /** A currently valid offline access token (for tests that call the Admin API directly). */
    issueAccessToken: () => issueTokens().access_token,
    async sendWebhook(topic: string, payload: unknown, sendOptions: SendOptions = {}) {
      const deliveries = await deliverWebhook({ appUrl: options.appUrl, shop, secret: options.apiSecret }, topic, payload, {
        retries: options.webhookRetries ?? 2,
        ...sendOptions,
      });
      webhookDeliveries.push(...deliveries);
      return deliveries;
    },
    appProxyUrl: (path: string, query?: Record<string, string>, customerId?: string | null) =>
      appProxyUrl({ appUrl: options.appUrl, shop, secret: options.apiSecret, path, query, customerId }),
    async runScenario(name = "party-week") {
      return runScenario(simulator, name);
    },
  };
  return simulator;
}

export type Simulator = ReturnType<typeof createSimulator>;

function productSvg(title: string, colour: string): string {
  const escaped = title.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600" role="img" aria-label="${escaped}">
<rect width="600" height="600" fill="${colour}"/><circle cx="300" cy="250" r="120" fill="#ffffff" fill-opacity="0.35"/>
<text x="300" y="470" font-family="Helvetica, Arial, sans-serif" font-size="34" text-anchor="middle" fill="#1a1a1a">${escaped}</text></svg>`;
}
