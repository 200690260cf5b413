import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { repoRoot } from "../../app/infra/postgres.server";
import { createSessionToken } from "../../simulator/auth";
import type { StartedApp } from "../../server/index";
import { launchBrowser } from "./browser";
import { freePort } from "./free-port";

// The merchant's view of the admin: the production build served by the app's own server,
// opened in Chromium the way Shopify admin embeds it (an id_token on the URL, App Bridge
// adding a fresh session token to the app's own requests).
//
// The build writes build/: keep every test that uses this in one file (vitest runs files in parallel).

/** A session token for the shop, as App Bridge would mint it. */
export const sessionToken = (shop: string) =>
  createSessionToken({ shop, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, ttlSeconds: 600 });

// Stands in for https://cdn.shopify.com/shopifycloud/app-bridge.js, which only Shopify admin can serve:
// what the page needs of it here is the session token on every request to the app.
const appBridgeStub = (token: string) => `
  (function () {
    var fetchOriginal = window.fetch.bind(window);
    window.fetch = function (input, init) {
      init = init || {};
      var headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer ${token}");
      init.headers = headers;
      return fetchOriginal(input, init);
    };
    window.shopify = { config: {}, idToken: function () { return Promise.resolve("${token}"); }, toast: { show: function () {} }, loading: function () {} };
  })();`;

export interface AdminBrowser {
  origin: string;
  /** Opens an /app/... path as the shop's admin would embed it; the shop must be installed (installShop). */
  openAdminPage(pathname: string, shop: string): Promise<Page>;
  close(): Promise<void>;
}

/** Builds the app (remix vite:build), starts server/index.ts on a free port and opens Chromium. */
export async function startAdminBrowser(): Promise<AdminBrowser> {
  await promisify(execFile)(path.join(repoRoot(), "node_modules", ".bin", "remix"), ["vite:build"], { cwd: repoRoot(), env: { ...process.env, NODE_ENV: "production" } });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { startApp } = await import("../../server/index");
  let app: StartedApp | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  try {
    app = await startApp({ port, host: "127.0.0.1", worker: false });
    browser = await launchBrowser();
    // Shopify's library treats a headless browser's user agent as a bot.
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36" });
  } catch (error) {
    await browser?.close();
    await app?.stop();
    throw error;
  }
  const ctx = context;
  return {
    origin,
    async openAdminPage(pathname, shop) {
      const page = await ctx.newPage();
      // A missing element fails with the locator's name well before the test's own timeout.
      page.setDefaultTimeout(10_000);
      const token = sessionToken(shop);
      await page.route("https://cdn.shopify.com/**", (route) =>
        route.request().url().includes("app-bridge") ? route.fulfill({ contentType: "text/javascript", body: appBridgeStub(token) }) : route.fulfill({ status: 404, body: "" }),
      );
      const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
      const url = new URL(pathname, origin);
      url.searchParams.set("embedded", "1");
      url.searchParams.set("shop", shop);
      url.searchParams.set("host", host);
      url.searchParams.set("id_token", token);
      await page.goto(url.toString());
      return page;
    },
    async close() {
      await ctx.close();
      await browser?.close();
      await app?.stop();
    },
  };
}

/**
 * axe's serious and critical violations inside the app's page (Polaris's Page), as "rule: help (target, …)".
 * Sandboxed srcdoc frames (email previews: the email's own HTML, not the admin's) are left out: no script runs in them.
 */
export async function seriousA11yViolations(page: Page, include = ".Polaris-Page"): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(include).exclude("iframe[sandbox]").analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** A full-page screenshot at test-results/admin-<name>.png, for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync("test-results", { recursive: true });
  const file = path.join("test-results", `admin-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
