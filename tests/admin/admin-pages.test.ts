import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShop } from "../support/shopify";
import { saveScreenshot, seriousA11yViolations, startAdminBrowser, type AdminBrowser } from "../support/admin-browser";

// Every admin page as a merchant sees it, in Chromium against the production build
// (tests/support/admin-browser.ts). One file: the build writes build/, and vitest runs files in parallel.
let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser();
}, 240_000);

afterAll(async () => {
  await admin?.close();
});

// ---------------------------------------------------------------------------
// Customers also bought (app.recommendations)
// ---------------------------------------------------------------------------
const SHOP = "admin-page.myshopify.com";

const products = [
  ["7001", "Chocolate Party Cake"],
  ["7002", "Cake Knife Set"],
  ["7003", "Birthday Candles 100% Wax"],
  ["7004", "Confetti Poppers"],
  ["7005", "Pirate Costume"],
  ["7006", "Party Hats (8)"],
] as const;

beforeAll(async () => {
  await installShop(SHOP);
  const { default: prisma } = await import("../../app/db.server");
  for (const [id, title] of products) await prisma.product.create({ data: { shop: SHOP, id, title, handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"), status: "active", priceMinor: 1000, currency: "USD" } });
  await prisma.product.create({ data: { shop: SHOP, id: "7009", title: "Cake Stand (deleted)", status: "deleted", deletedAt: new Date() } });
  const list = [["7006", 0.41, "copurchase"], ["7004", 0.33, "copurchase"], ["7003", 0.12, "product_type"]] as const;
  await prisma.productRecommendation.createMany({ data: list.map(([rec, score, source], rank) => ({ shop: SHOP, productId: "7001", recommendedProductId: rec, rank, score, source })) });
  await prisma.recommendationStatus.create({ data: { shop: SHOP, state: "ready", lastComputedAt: new Date(), ordersCovered: 3210, productsCovered: 5, catalogSize: 6 } });
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
    const page = await admin.openAdminPage("/app/recommendations", SHOP);
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

    await saveScreenshot(page, "recommendations");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Save pins and exclusions" }).click();
    await page.getByText("Saved: the list is being recomputed.").waitFor();
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.recommendationOverride.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: "7001" } } })).toMatchObject({ pinned: ["7003", "7002"], excluded: [] });
    await page.close();
  });
});
