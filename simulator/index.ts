import { DateTime } from "luxon";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { BulkOperations, bulkResultLines, CostBucket, executeAdminGraphql, type GraphqlLogEntry } from "./admin-graphql";
import { createSessionToken, verifySessionToken, appProxyUrl, type SessionTokenClaims } from "./auth";
import { seedStore, type SimCustomer, type SimFulfillment, type SimOrder, type SimProduct, type SimStore } from "./store";
import {
  cartPayload,
  checkoutPayload,
  consentPayload,
  customerDataRequestPayload,
  customerRedactPayload,
  customerWebhookPayload,
  deliverWebhook,
  fulfillmentPayload,
  orderPayload,
  productDeletePayload,
  orderDeletePayload,
  productPayload,
  shopPayload,
  shopRedactPayload,
  type SendOptions,
  type SimCart,
  type SimCheckout,
  type WebhookDelivery,
} from "./webhooks";
import { Clock, runScenario, SCENARIOS, type ScenarioLog } from "./scenario";

export { createSessionToken, verifySessionToken, signAppProxyParams, appProxyUrl } from "./auth";
export { Clock } from "./scenario";
export type { ScenarioLog } from "./scenario";
export type { SimStore, SimProduct, SimCustomer, SimOrder, SimFulfillment, SimDiscount, SimMetafield } from "./store";
export type { WebhookDelivery, SendOptions, SimCart, SimCheckout, CartLine, WebhookTopic } from "./webhooks";
export type { GraphqlLogEntry } from "./admin-graphql";

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
  customerCount?: number;
  /** The shop's currency (USD), e.g. JPY for a zero-decimal shop. */
  currency?: string;
  /** Simulated seconds per real second (the scenario's clock). */
  clockSpeed?: number;
  /**
   * Starts the scenario's clock at the next time it is this hour (0-23) in the shop's
   * time zone, rather than now: a demo run at night would otherwise see every email
   * wait for the end of the shop's quiet hours.
   */
  clockStartsAtLocalHour?: number;
  /** Retries after a failed webhook delivery (default 2). */
  webhookRetries?: number;
  /** First retry delay in ms, doubling (default 50). */
  webhookBackoffMs?: number;
  /** Cost bucket size and restore rate per second (Shopify's standard: 1000 / 50). */
  throttle?: { maximum: number; restoreRate: number };
  /** Scopes granted to the app's tokens. */
  scopes?: string;
}

export const DEFAULT_SHOP = "pathwise-party.myshopify.com";
const DEFAULT_SCOPES = "read_orders,read_all_orders,read_customers,write_customers,read_products,write_products,read_discounts,write_discounts,read_fulfillments,read_checkouts";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const ONLINE_TOKEN = "urn:shopify:params:oauth:token-type:online-access-token";
const OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token";
const ACCESS_TOKEN_SECONDS = 3600;
const REFRESH_TOKEN_SECONDS = 90 * 86_400;
const ONLINE_TOKEN_SECONDS = 86_399;

interface AccessGrant {
  shop: string;
  scope: string;
  /** Epoch ms; null for a non-expiring offline token. */
  expires: number | null;
  online: boolean;
  userId: string | null;
}

export function createSimulator(options: SimulatorOptions) {
  const shop = options.shop ?? DEFAULT_SHOP;
  const host = options.host ?? "127.0.0.1";
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  let origin = `http://${host}:${options.port ?? 0}`;
  const store: SimStore = seedStore({ shop, seed: options.seed, orderCount: options.orderCount, customerCount: options.customerCount, currency: options.currency, imageOrigin: origin });
  const bulk = new BulkOperations();
  const bucket = new CostBucket(options.throttle?.maximum, options.throttle?.restoreRate);
  const invalidQueries: GraphqlLogEntry[] = [];
  const graphqlRequests: GraphqlLogEntry[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const holds: Array<{ matches: (query: string) => boolean; arrived: () => void; released: Promise<void> }> = [];
  const accessTokens = new Map<string, AccessGrant>();
  const refreshTokens = new Map<string, { accessToken: string; expires: number }>();
  const tokenExchanges: Array<{ at: Date; grantType: string; requested: string | null; ok: boolean; error?: string }> = [];
  const scenarioLog: ScenarioLog[] = [];
  const clock = new Clock(options.clockSpeed ?? 1, options.clockStartsAtLocalHour === undefined ? new Date() : nextLocalHour(options.clockStartsAtLocalHour, store.shop.ianaTimezone));
  let server: Server | null = null;

  function issueOffline(expiring: boolean) {
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    accessTokens.set(accessToken, { shop, scope: scopes, expires: expiring ? Date.now() + ACCESS_TOKEN_SECONDS * 1000 : null, online: false, userId: null });
    if (!expiring) return { access_token: accessToken, scope: scopes };
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    refreshTokens.set(refreshToken, { accessToken, expires: Date.now() + REFRESH_TOKEN_SECONDS * 1000 });
    return { access_token: accessToken, scope: scopes, expires_in: ACCESS_TOKEN_SECONDS, refresh_token: refreshToken, refresh_token_expires_in: REFRESH_TOKEN_SECONDS };
  }

  function issueOnline(claims: SessionTokenClaims) {
    const accessToken = `shpua_${randomBytes(16).toString("hex")}`;
    const userId = Number(claims.sub ?? 70_000_001);
    accessTokens.set(accessToken, { shop, scope: scopes, expires: Date.now() + ONLINE_TOKEN_SECONDS * 1000, online: true, userId: String(userId) });
    return {
      access_token: accessToken,
      scope: scopes,
      expires_in: ONLINE_TOKEN_SECONDS,
      associated_user_scope: scopes,
      associated_user: { id: userId, first_name: "Dana", last_name: "Confetti", email: "dana@confetti-and-co.example", account_owner: true, locale: "en", collaborator: false, email_verified: true },
      session: claims.sid ?? null,
    };
  }

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(JSON.stringify(body));
  }

  /** The shop a request is for: the rewrite header, else a *.myshopify.com Host. */
  function shopOf(request: IncomingMessage): string | null {
    const header = request.headers["x-shopify-shop-domain"];
    if (typeof header === "string" && header) return header.toLowerCase();
    const hostHeader = String(request.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    return hostHeader.endsWith(".myshopify.com") ? hostHeader : null;
  }

  async function handleGraphql(request: IncomingMessage, response: ServerResponse, version: string) {
    const requestShop = shopOf(request);
    if (requestShop !== shop) return json(response, 404, { errors: "Not Found" });
    const token = String(request.headers["x-shopify-access-token"] ?? "");
    const grant = accessTokens.get(token);
    if (!grant || grant.shop !== requestShop || (grant.expires !== null && grant.expires < Date.now())) {
      return json(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    const raw = await readBody(request);
    let body: { query?: string; variables?: Record<string, unknown> | null; operationName?: string | null };
    try {
      body = (request.headers["content-type"] ?? "").includes("application/graphql") ? { query: raw } : JSON.parse(raw || "{}");
    } catch {
      return json(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof body.query !== "string" || !body.query.trim()) return json(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    const hold = holds.find((candidate) => candidate.matches(body.query!));
    if (hold) {
      holds.splice(holds.indexOf(hold), 1);
      hold.arrived();
      await hold.released;
    }
    const result = await executeAdminGraphql(
      { version, query: body.query, variables: body.variables ?? undefined, operationName: body.operationName, shop },
      { store, origin, apiKey: options.apiKey, bulk, unbounded: false, scopes: grant.scope.split(",").map((scope) => scope.trim()) },
      bucket,
    );
    graphqlRequests.push(result.logEntry);
    if (!result.logEntry.valid) invalidQueries.push(result.logEntry);
    return json(response, result.status, result.body, { "x-shopify-api-version": version, "x-request-id": randomBytes(8).toString("hex") });
  }

  async function handleAccessToken(request: IncomingMessage, response: ServerResponse) {
    const raw = await readBody(request);
    let body: Record<string, string>;
    try {
      body = (request.headers["content-type"] ?? "").includes("json") ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return json(response, 400, { error: "invalid_request", error_description: "The request body could not be parsed" });
    }
    const record = (ok: boolean, error?: string) => tokenExchanges.push({ at: new Date(), grantType: String(body.grant_type ?? ""), requested: body.requested_token_type ?? null, ok, error });
    const fail = (status: number, error: string, description: string) => {
      record(false, error);
      return json(response, status, { error, error_description: description });
    };
    const requestShop = shopOf(request) ?? shop;
    if (requestShop !== shop) return fail(404, "not_found", "Shop not found");
    if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
      return fail(401, "invalid_client", "Client credentials are invalid");
    }
    if (body.grant_type === TOKEN_EXCHANGE) {
      if (body.subject_token_type && body.subject_token_type !== ID_TOKEN) return fail(400, "invalid_request", "subject_token_type must be an id_token");
      const claims = verifySessionToken(String(body.subject_token ?? ""), options.apiKey, options.apiSecret);
      if (!claims || claims.dest !== `https://${shop}`) return fail(400, "invalid_subject_token", "The session token is invalid or expired");
      const requested = body.requested_token_type ?? OFFLINE_TOKEN;
      if (requested === ONLINE_TOKEN) {
        record(true);
        return json(response, 200, issueOnline(claims));
      }
      if (requested !== OFFLINE_TOKEN) return fail(400, "invalid_request", "requested_token_type is not supported");
      record(true);
      // `expiring=1` asks for a 60-minute token with a rotating refresh token (required of public apps from 2027-01-01).
      return json(response, 200, issueOffline(String(body.expiring ?? "1") !== "0"));
    }
    if (body.grant_type === "refresh_token") {
      const refresh = refreshTokens.get(String(body.refresh_token ?? ""));
      if (!refresh || refresh.expires < Date.now()) return fail(400, "invalid_grant", "The refresh token is invalid or expired");
      // Rotation: the refresh token and the access token it belonged to stop working.
      refreshTokens.delete(String(body.refresh_token));
      accessTokens.delete(refresh.accessToken);
      record(true);
      return json(response, 200, issueOffline(true));
    }
    return fail(400, "unsupported_grant_type", `grant_type ${body.grant_type ?? "(none)"} is not supported`);
  }

  async function handleBulkFile(response: ServerResponse, id: string) {
    const operation = bulk.operations.get(id);
    if (!operation || !operation.counted || Date.now() < operation.completeAt || operation.canceled) return json(response, 404, { error: "not found" });
    response.writeHead(200, { "content-type": "application/jsonl", "content-length": String(operation.fileSize) });
    for (const line of bulkResultLines(operation, { store, origin, apiKey: options.apiKey, bulk })) {
      if (!response.write(line)) await once(response, "drain");
    }
    response.end();
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", origin);
    const graphqlMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    if (graphqlMatch && request.method === "POST") return handleGraphql(request, response, graphqlMatch[1]);
    if (url.pathname === "/admin/oauth/access_token" && request.method === "POST") return handleAccessToken(request, response);
    const bulkMatch = /^\/bulk\/(.+)\.jsonl$/.exec(url.pathname);
    if (bulkMatch && request.method === "GET") return handleBulkFile(response, decodeURIComponent(bulkMatch[1]));
    const imageMatch = /^\/images\/([a-z0-9-]+)\.svg$/.exec(url.pathname);
    if (imageMatch) {
      const product = store.products.find((candidate) => candidate.handle === imageMatch[1]);
      if (!product) return json(response, 404, { error: "not found" });
      response.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" });
      return response.end(productSvg(product));
    }
    if (url.pathname === "/health") return json(response, 200, { ok: true, shop });
    return json(response, 404, { errors: "Not Found" });
  }

  /** Shopify-shaped webhook bodies built on demand from the store. */
  const payloads = {
    cart: (cart: SimCart, topic: "carts/create" | "carts/update" = "carts/update") => cartPayload(store, cart, topic),
    checkout: (checkout: SimCheckout, topic: "checkouts/create" | "checkouts/update" = "checkouts/update") => checkoutPayload(store, checkout, topic),
    order: (order: SimOrder, topic: "orders/create" | "orders/paid" | "orders/updated" = "orders/updated") => orderPayload(store, order, topic),
    fulfillment: (fulfillment: SimFulfillment, topic: "fulfillments/create" | "fulfillments/update" = "fulfillments/update") => fulfillmentPayload(store, fulfillment, topic),
    customer: (customer: SimCustomer, topic: "customers/create" | "customers/update" = "customers/update") => customerWebhookPayload(customer, topic),
    consent: (customer: SimCustomer) => consentPayload(customer),
    product: (product: SimProduct, topic: "products/create" | "products/update" = "products/update") => productPayload(store, product, topic),
    productDelete: (product: SimProduct) => productDeletePayload(product),
    orderDelete: (order: Pick<SimOrder, "id">) => orderDeletePayload(order),
    appUninstalled: () => shopPayload(store),
    customersDataRequest: (customer: SimCustomer) => customerDataRequestPayload(store, customer),
    customersRedact: (customer: SimCustomer) => customerRedactPayload(store, customer),
    shopRedact: () => shopRedactPayload(store),
  };

  const simulator = {
    store,
    invalidQueries,
    graphqlRequests,
    /**
     * Holds the next Admin API request whose document contains `text` (a field or operation name)
     * before it runs: `arrived` resolves when the request is in, `release()` lets it run and answer.
     * For tests that need something else to happen while the app waits on Shopify.
     */
    holdNext(text: string): { arrived: Promise<void>; release: () => void } {
      let arrived!: () => void;
      let release!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ matches: (query) => query.includes(text), arrived, released });
      return { arrived: arrival, release };
    },
    /** The Admin API's rate limit from now on (a shop on another plan), bucket full. */
    setThrottle: (throttle: { maximum: number; restoreRate: number }) => bucket.configure(throttle.maximum, throttle.restoreRate),
    webhookDeliveries,
    tokenExchanges,
    scenarioLog,
    clock,
    payloads,
    shop,
    get origin() {
      return origin;
    },
    async start(): Promise<{ origin: string }> {
      if (server) return { origin };
      server = createServer((request, response) => {
        handle(request, response).catch((error) => {
          if (!response.headersSent) json(response, 500, { errors: String(error) });
          else response.destroy(error as Error);
        });
      });
      server.listen(options.port ?? 0, host);
      await once(server, "listening");
      const address = server.address();
      origin = `http://${host}:${typeof address === "object" && address ? address.port : options.port}`;
      for (const product of store.products) product.imageUrl = `${origin}/images/${product.handle}.svg`;
      return { origin };
    },
    async stop() {
      if (!server) return;
      const closing = server;
      server = null;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    createSessionToken: (tokenOptions?: { shop?: string; apiKey?: string; apiSecret?: string; userId?: number | string; ttlSeconds?: number; now?: Date }) =>
      createSessionToken({
        ...tokenOptions,
        shop: tokenOptions?.shop ?? shop,
        apiKey: tokenOptions?.apiKey ?? options.apiKey,
        apiSecret: tokenOptions?.apiSecret ?? options.apiSecret,
      }),
    /**
     * What Shopify admin does when the merchant opens the embedded app: load
     * `{appUrl}/app` in the iframe with `shop`, `host` and a fresh `id_token`.
     * Returns the app's HTTP status.
     */
    async installApp(): Promise<number> {
      const token = simulator.createSessionToken();
      const adminHost = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
      const url = new URL("/app", options.appUrl);
      url.search = new URLSearchParams({ embedded: "1", shop, host: adminHost, id_token: token }).toString();
      const response = await fetch(url, {
        redirect: "manual",
        // The admin loads the app in the merchant's browser (the library turns bots away).
        headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36", "sec-fetch-dest": "iframe" },
      });
      await response.text();
      return response.status;
    },
    /** A currently valid expiring offline access token (for tests that call the Admin API directly). */
    issueAccessToken: () => issueOffline(true).access_token,
    /** A whole expiring offline grant: access token, its refresh token and their lifetimes. */
    issueOfflineGrant: () => issueOffline(true) as { access_token: string; scope: string; expires_in: number; refresh_token: string; refresh_token_expires_in: number },
    /** Signs and POSTs one event to `{appUrl}/webhooks`; every delivery (with duplicates) is recorded. */
    async sendWebhook(topic: string, payload: unknown, sendOptions: SendOptions = {}): Promise<WebhookDelivery[]> {
      const deliveries = await deliverWebhook({ appUrl: options.appUrl, shop, secret: options.apiSecret }, topic, payload, {
        retries: options.webhookRetries ?? 2,
        backoffMs: options.webhookBackoffMs ?? 50,
        ...sendOptions,
      });
      webhookDeliveries.push(...deliveries);
      return deliveries;
    },
    /** The signed URL Shopify requests on the app when a shopper opens `https://{shop}/apps/pathwise{path}`. */
    appProxyUrl: (path: string, query?: Record<string, string | string[]>, customerId?: string | null) =>
      appProxyUrl({ appUrl: options.appUrl, shop, secret: options.apiSecret, path, query, customerId }),
    /** Runs a scripted scenario (default "party-week") on the simulated clock; returns its timeline. */
    async runScenario(name: (typeof SCENARIOS)[number] = "party-week"): Promise<ScenarioLog[]> {
      return runScenario(simulator, name);
    },
  };
  return simulator;
}

export type Simulator = ReturnType<typeof createSimulator>;

function productSvg(product: SimProduct): string {
  const escaped = product.title.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
  const colour = product.colour;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600" role="img" aria-label="${escaped}">
<rect width="600" height="600" fill="${colour}"/><circle cx="300" cy="250" r="120" fill="#ffffff" fill-opacity="0.35"/>
<text x="300" y="470" font-family="Helvetica, Arial, sans-serif" font-size="34" text-anchor="middle" fill="#1a1a1a">${escaped}</text></svg>`;
}

/** The next moment (to the minute) at which it is `hour`:00 in `timeZone`. */
export function nextLocalHour(hour: number, timeZone: string, from = new Date()): Date {
  const start = DateTime.fromMillis(Math.ceil(from.getTime() / 60_000) * 60_000, { zone: timeZone });
  const today = start.set({ hour, minute: 0, second: 0, millisecond: 0 });
  return (today < start ? today.plus({ days: 1 }).set({ hour }) : today).toJSDate();
}
