import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext } from "playwright-core";
import { repoRoot } from "../../app/infra/postgres.server";
import { createSessionToken } from "../../simulator/auth";
import { launchBrowser } from "../support/browser";
import { freePort } from "../support/free-port";
import { installShop } from "../support/shopify";
import type { StartedApp } from "../../server/index";

// The merchant's view of the recommendations page: the production build served by the app's
// own server, opened in Chromium the way Shopify admin embeds it (an id_token on the URL,
// App Bridge adding a fresh session token to the app's own requests).
const SHOP = "admin-page.myshopify.com";
let app: StartedApp;
let browser: Browser;
let context: BrowserContext;
let origin: string;

const token = () => createSessionToken({ shop: SHOP, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, ttlSeconds: 600 });

// Stands in for https://cdn.shopify.com/shopifycloud/app-bridge.js, which only Shopify admin can serve:
// what the page needs of it here is the session token on every request to the app.
const appBridgeStub = (sessionToken: string) => `
  (function () {
    var fetchOriginal = window.fetch.bind(window);
    window.fetch = function (input, init) {
      init = init || {};
      var headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer ${sessionToken}");
      init.headers = headers;
      return fetchOriginal(input, init);
    };
    window.shopify = { config: {}, idToken: function () { return Promise.resolve("${sessionToken}"); }, toast: { show: function () {} }, loading: function () {} };
  })();`;

const products = [
  ["7001", "Chocolate Party Cake"],
  ["7002", "Cake Knife Set"],
  ["7003", "Birthday Candles 100% Wax"],
  ["7004", "Confetti Poppers"],
  ["7005", "Pirate Costume"],
  ["7006", "Party Hats (8)"],
] as const;

beforeAll(async () => {
  // The app as production runs it: remix vite:build, then server/index.ts serving build/.
  await promisify(execFile)(path.join(repoRoot(), "node_modules", ".bin", "remix"), ["vite:build"], { cwd: repoRoot(), env: { ...process.env, NODE_ENV: "production" } });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const { startApp } = await import("../../server/index");
  app = await startApp({ port, host: "127.0.0.1", worker: false });

  await installShop(SHOP);
  const { default: prisma } = await import("../../app/db.server");
  for (const [id, title] of products) await prisma.product.create({ data: { shop: SHOP, id, title, handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"), status: "active", priceMinor: 1000, currency: "USD" } });
  await prisma.product.create({ data: { shop: SHOP, id: "7009", title: "Cake Stand (deleted)", status: "deleted", deletedAt: new Date() } });
  const list = [["7006", 0.41, "copurchase"], ["7004", 0.33, "copurchase"], ["7003", 0.12, "product_type"]] as const;
  await prisma.productRecommendation.createMany({ data: list.map(([rec, score, source], rank) => ({ shop: SHOP, productId: "7001", recommendedProductId: rec, rank, score, source })) });
  await prisma.recommendationStatus.create({ data: { shop: SHOP, state: "ready", lastComputedAt: new Date(), ordersCovered: 3210, productsCovered: 5, catalogSize: 6 } });

  browser = await launchBrowser();
  const sessionToken = token();
  // Shopify's library treats a headless browser's user agent as a bot.
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36" });
  await context.route("https://cdn.shopify.com/**", (route) =>
    route.request().url().includes("app-bridge") ? route.fulfill({ contentType: "text/javascript", body: appBridgeStub(sessionToken) }) : route.fulfill({ status: 404, body: "" }),
  );
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
});

describe("the product picker's search", () => {
  it("matches titles case-insensitively, those starting with the text first, LIKE's wildcards literally, never deleted products", async () => {
    const { searchProducts } = await import("../../app/recommendations/admin.server");
    expect((await searchProducts(SHOP, "CAKE")).map((p) => p.title)).toEqual(["Cake Knife Set", "Chocolate Party Cake"]);
    expect((await searchProducts(SHOP, "%")).map((p) => p.title)).toEqual(["Birthday Candles 100% Wax"]);
    expect(await searchProducts(SHOP, "_")).toEqual([]);
    expect((await searchProducts(SHOP, "")).length).toBe(products.length);
    expect(await searchProducts("another-shop.myshopify.com", "cake")).toEqual([]);
  });
});

describe("the recommendations page in the admin (Chromium)", { retry: 1 }, () => {
  it("finds a product by title, shows its list with scores and sources, and saves pins picked by title", async () => {
    const page = await context.newPage();
    const host = Buffer.from(`admin.shopify.com/store/admin-page`).toString("base64url");
    await page.goto(`${origin}/app/recommendations?embedded=1&shop=${SHOP}&host=${host}&id_token=${token()}`);
    await page.getByText("3,210 orders").waitFor();

    // The picker searches the catalog as the merchant types; a deleted product is never offered.
    await page.getByRole("combobox", { name: "Product" }).fill("cake");
    const options = page.getByRole("option");
    await expect.poll(() => options.allTextContents()).toEqual(["Cake Knife Set", "Chocolate Party Cake"]);
    await page.getByRole("option", { name: "Chocolate Party Cake" }).click();
    await page.getByRole("heading", { name: "Chocolate Party Cake" }).waitFor();
    expect(new URL(page.url()).searchParams.get("product")).toBe("7001");
    const rows = page.locator(".Polaris-DataTable__TableRow");
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().innerText()).toMatch(/Party Hats \(8\)\s+0\.4100\s+copurchase/);

    // Pins are picked by title, in order; a title with LIKE's wildcard characters is matched literally.
    await page.getByRole("combobox", { name: "Pinned products" }).fill("100%");
    await page.getByRole("option", { name: "Birthday Candles 100% Wax" }).click();
    await page.getByRole("combobox", { name: "Pinned products" }).fill("knife");
    await page.getByRole("option", { name: "Cake Knife Set" }).click();
    await page.keyboard.press("Escape");
    expect(await page.locator(".Polaris-Tag").allTextContents()).toEqual(["Birthday Candles 100% Wax", "Cake Knife Set"]);

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/admin-recommendations.png", fullPage: true });
    const results = await new AxeBuilder({ page }).include(".Polaris-Page").analyze();
    expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    await page.getByRole("button", { name: "Save pins and exclusions" }).click();
    await page.getByText("Saved: the list is being recomputed.").waitFor();
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.recommendationOverride.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: "7001" } } })).toMatchObject({ pinned: ["7003", "7002"], excluded: [] });
    await page.close();
  });
});
