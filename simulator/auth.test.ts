import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appProxyUrl, createSessionToken, createSimulator, signAppProxyParams, verifySessionToken, type Simulator } from "./index";

const SHOP = "auth-test.myshopify.com";
const API_KEY = "sim-auth-key";
const API_SECRET = "sim-auth-secret";
const shopify = shopifyApi({ apiKey: API_KEY, apiSecretKey: API_SECRET, apiVersion: ApiVersion.October26, hostName: "pathwise.test", isEmbeddedApp: true, logger: { level: 0 } });

let simulator: Simulator;
let origin: string;

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP });
  ({ origin } = await simulator.start());
});
afterAll(() => simulator.stop());

async function exchange(body: Record<string, string>, form = false) {
  const response = await fetch(`${origin}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json", "x-shopify-shop-domain": SHOP, accept: "application/json" },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

const tokenExchangeBody = (subjectToken: string, requested = "urn:shopify:params:oauth:token-type:offline-access-token", expiring = "1") => ({
  client_id: API_KEY,
  client_secret: API_SECRET,
  grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
  subject_token: subjectToken,
  subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
  requested_token_type: requested,
  expiring,
});

async function shopName(accessToken: string) {
  const response = await fetch(`${origin}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": accessToken, "x-shopify-shop-domain": SHOP },
    body: JSON.stringify({ query: "{ shop { name } }" }),
  });
  return response.status;
}

describe("session tokens", () => {
  it("are the App Bridge JWT that Shopify's library decodes", async () => {
    const token = simulator.createSessionToken({ userId: 4242 });
    const payload = await shopify.session.decodeSessionToken(token);
    expect(payload).toMatchObject({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: "4242" });
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(61);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.sid).toBeTruthy();
    await expect(shopify.session.decodeSessionToken(createSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "another-secret" }))).rejects.toThrow();
    expect(verifySessionToken(token, API_KEY, API_SECRET)?.dest).toBe(`https://${SHOP}`);
    expect(verifySessionToken(token, "other-app", API_SECRET)).toBeNull();
  });
});

describe("token exchange (POST /admin/oauth/access_token)", () => {
  it("gives an expiring offline token with a refresh token for a valid session token, JSON or form body", async () => {
    const { status, body } = await exchange(tokenExchangeBody(simulator.createSessionToken()));
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: expect.any(String), expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/), refresh_token_expires_in: expect.any(Number) });
    expect(await shopName(body.access_token)).toBe(200);
    const form = await exchange(tokenExchangeBody(simulator.createSessionToken()), true);
    expect(form.status).toBe(200);
    const nonExpiring = await exchange(tokenExchangeBody(simulator.createSessionToken(), undefined, "0"));
    expect(Object.keys(nonExpiring.body).sort()).toEqual(["access_token", "scope"]);
  });

  it("gives an online token with the associated user", async () => {
    const { status, body } = await exchange(tokenExchangeBody(simulator.createSessionToken({ userId: 77 }), "urn:shopify:params:oauth:token-type:online-access-token"));
    expect(status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.any(String), expires_in: expect.any(Number), associated_user_scope: expect.any(String), associated_user: { id: 77, account_owner: true } });
    expect(await shopName(body.access_token)).toBe(200);
  });

  it("refuses a forged, expired, other-app or other-shop session token, and wrong client credentials", async () => {
    const forged = createSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "not-the-secret" });
    const expired = createSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, now: new Date(Date.now() - 5 * 60_000) });
    const otherApp = createSessionToken({ shop: SHOP, apiKey: "someone-else", apiSecret: API_SECRET });
    const otherShop = createSessionToken({ shop: "elsewhere.myshopify.com", apiKey: API_KEY, apiSecret: API_SECRET });
    for (const token of [forged, expired, otherApp, otherShop, "not-a-jwt"]) {
      const { status, body } = await exchange(tokenExchangeBody(token));
      expect(status).toBe(400);
      expect(body.error).toBe("invalid_subject_token");
    }
    const wrongSecret = await exchange({ ...tokenExchangeBody(simulator.createSessionToken()), client_secret: "nope" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");
    expect(simulator.tokenExchanges.filter((entry) => !entry.ok).length).toBeGreaterThanOrEqual(6);
  });

  it("rotates refresh tokens: the new pair works, the old refresh and access tokens stop", async () => {
    const first = (await exchange(tokenExchangeBody(simulator.createSessionToken()))).body;
    const refreshed = await exchange({ client_id: API_KEY, client_secret: API_SECRET, grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(await shopName(refreshed.body.access_token)).toBe(200);
    expect(await shopName(first.access_token)).toBe(401);
    const reused = await exchange({ client_id: API_KEY, client_secret: API_SECRET, grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");
  });
});

describe("app proxy signatures", () => {
  it("verify with @shopify/shopify-api's appProxy validator; tampering breaks them", async () => {
    const url = new URL(simulator.appProxyUrl("/recommendations", { product_ids: "1,2", extra: ["a", "b"] }, "7000000144"));
    expect(url.pathname).toBe("/apps/pathwise/recommendations");
    expect(url.searchParams.get("shop")).toBe(SHOP);
    expect(url.searchParams.get("path_prefix")).toBe("/apps/pathwise");
    expect(url.searchParams.get("logged_in_customer_id")).toBe("7000000144");
    expect(url.searchParams.getAll("extra")).toEqual(["a", "b"]);
    expect(await shopify.utils.validateHmac(url.searchParams, { signator: "appProxy" })).toBe(true);
    const tampered = new URLSearchParams(url.searchParams);
    tampered.set("product_ids", "1,3");
    expect(await shopify.utils.validateHmac(tampered, { signator: "appProxy" })).toBe(false);
  });

  it("sign exactly as Shopify documents (sorted key=value, arrays joined by commas, no separator)", async () => {
    const signed = signAppProxyParams({ shop: "shop-name.myshopify.com", path_prefix: "/apps/awesome_reviews", timestamp: "1317327555", extra: ["1", "2"] }, "hush");
    // The example from Shopify's app proxy documentation.
    expect(signed.signature).toBe("a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3");
    const fresh = new URL(appProxyUrl({ appUrl: "http://app.test", shop: SHOP, secret: API_SECRET, path: "/cart", customerId: null }));
    expect(fresh.searchParams.get("logged_in_customer_id")).toBe("");
    expect(await shopify.utils.validateHmac(fresh.searchParams, { signator: "appProxy" })).toBe(true);
  });
});
