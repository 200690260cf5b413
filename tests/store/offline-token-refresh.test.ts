import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { createSimulator, type Simulator } from "../../simulator/index";
import prisma, { pool } from "../../app/db.server";
import { EncryptedSessionStorage } from "../../app/infra/encrypted-session-storage.server";
import { advisoryShopLock, RefreshingSessionStorage, type RefreshOfflineToken } from "../../app/infra/refreshing-session-storage.server";
import { tokenCipherFromEnv } from "../../app/infra/token-cipher.server";

// Offline tokens expire and their refresh tokens rotate (the simulator, like Shopify,
// refuses a spent refresh token and stops the access token it belonged to).
const SHOP = "refresh-shop.myshopify.com";
let simulator: Simulator;

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
});

afterAll(async () => {
  await simulator?.stop();
});

async function storeNearlyExpiredSession() {
  const grant = simulator.issueOfflineGrant();
  const { sessionStorage } = await import("../../app/shopify.server");
  const session = new Session({
    id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: grant.scope, accessToken: grant.access_token,
    expires: new Date(Date.now() + 2 * 60_000), refreshToken: grant.refresh_token, refreshTokenExpires: new Date(Date.now() + 30 * 86_400_000),
  });
  await sessionStorage.storeSession(session);
  return grant;
}

/** A storage stack as another process builds it: its own layers (no shared cache), the same database and lock. */
function anotherProcess(refresh: RefreshOfflineToken) {
  return new RefreshingSessionStorage(new EncryptedSessionStorage(new PrismaSessionStorage(prisma), tokenCipherFromEnv()), { refresh, withShopLock: advisoryShopLock(pool) });
}

describe("offline token refresh", () => {
  it("refreshes a nearly expired token once across processes; every process then uses the new token", async () => {
    const grant = await storeNearlyExpiredSession();
    const refreshesBefore = simulator.tokenExchanges.filter((e) => e.grantType === "refresh_token").length;
    const { shopifyApi } = await import("@shopify/shopify-api");
    const api = shopifyApi({ apiKey: process.env.SHOPIFY_API_KEY, apiSecretKey: process.env.SHOPIFY_API_SECRET!, apiVersion: "2026-10" as never, hostName: "pathwise.test", isEmbeddedApp: true, logger: { level: 0 } });
    const refresh: RefreshOfflineToken = async (shop, refreshToken) => (await api.auth.refreshToken({ shop, refreshToken })).session;

    const sessions = await Promise.all([anotherProcess(refresh), anotherProcess(refresh), anotherProcess(refresh)].map((storage) => storage.loadSession(`offline_${SHOP}`)));

    const refreshes = simulator.tokenExchanges.filter((e) => e.grantType === "refresh_token").slice(refreshesBefore);
    expect(refreshes.map((e) => e.ok)).toEqual([true]);
    const tokens = new Set(sessions.map((s) => s?.accessToken));
    expect(tokens.size).toBe(1);
    expect(tokens.has(grant.access_token)).toBe(false);
    expect(sessions[0]!.isExpired(30 * 60_000)).toBe(false);
    // Stored (encrypted) for the next load, which needs no refresh.
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).accessToken).toMatch(/^enc:v1:/);
    expect((await anotherProcess(refresh).loadSession(`offline_${SHOP}`))?.accessToken).toBe(sessions[0]!.accessToken);
    expect(simulator.tokenExchanges.filter((e) => e.grantType === "refresh_token").length).toBe(refreshesBefore + 1);
  });

  it("the app's own Admin client gets a working token when the stored one is about to expire", async () => {
    const grant = await storeNearlyExpiredSession();
    const { unauthenticated, sessionStorage } = await import("../../app/shopify.server");
    (sessionStorage as unknown as { forgetShop(shop: string): void }).forgetShop(SHOP);
    const { admin, session } = await unauthenticated.admin(SHOP);
    expect(session.accessToken).not.toBe(grant.access_token);
    const body = (await (await admin.graphql("{ shop { name } }")).json()) as { data?: { shop: { name: string } } };
    expect(body.data?.shop.name).toBeTruthy();
  });

  it("keeps the old token when Shopify cannot refresh it now (the library tries again before it expires)", async () => {
    const grant = await storeNearlyExpiredSession();
    const storage = anotherProcess(async () => {
      throw new Error("Shopify is unavailable");
    });
    expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBe(grant.access_token);
  });
});
