import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { shopifyApi } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma, { pool } from "./db.server";
import { CachedSessionStorage } from "./infra/cached-session-storage.server";
import { EncryptedSessionStorage } from "./infra/encrypted-session-storage.server";
import { advisoryShopLock, RefreshingSessionStorage } from "./infra/refreshing-session-storage.server";
import { tokenCipherFromEnv } from "./infra/token-cipher.server";
import { shopifyLogLevel } from "./infra/shopify-log-level";
import { adminApiOriginOverride, rewriteFetchToOrigin } from "./infra/admin-api-origin.server";
import { recordInstallation } from "./shops/shops.server";
// Features register install hooks and tasks; the web process needs them too (afterAuth).
import "./features.server";

export const API_VERSION = ApiVersion.October26;

const adminOrigin = adminApiOriginOverride();
if (adminOrigin) setAbstractFetchFunc(rewriteFetchToOrigin(globalThis.fetch, adminOrigin));

// Offline token refreshes, serialized per shop across processes (see
// refreshing-session-storage.server.ts). shopifyApp keeps its API client to itself, so
// the refresh call goes through a client of our own with the same credentials.
const tokenApi = shopifyApi({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET || "",
  apiVersion: API_VERSION,
  hostName: process.env.SHOPIFY_APP_URL ? new URL(process.env.SHOPIFY_APP_URL).host : "localhost",
  isEmbeddedApp: true,
  logger: { level: shopifyLogLevel() },
  _logDisabledFutureFlags: false,
});

const shopify = shopifyApp({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET || "",
  apiVersion: API_VERSION,
  scopes: process.env.SCOPES?.split(","),
  appUrl: process.env.SHOPIFY_APP_URL || "",
  authPathPrefix: "/auth",
  // Tokens encrypted at rest; the short-lived cache in front holds sessions as the library uses them.
  sessionStorage: new CachedSessionStorage(
    new RefreshingSessionStorage(new EncryptedSessionStorage(new PrismaSessionStorage(prisma), tokenCipherFromEnv()), {
      refresh: async (shop, refreshToken) => (await tokenApi.auth.refreshToken({ shop, refreshToken })).session,
      withShopLock: advisoryShopLock(pool),
      log: (line) => console.warn(`[sessions] ${line}`),
    }),
  ),
  distribution: AppDistribution.AppStore,
  logger: { level: shopifyLogLevel() },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    // Token exchange just stored the offline session: remember the shop and its settings.
    afterAuth: async ({ session, admin }) => {
      await recordInstallation(session.shop, admin.graphql);
    },
  },
});

export default shopify;
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
