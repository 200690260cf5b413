import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXTENSION_DIR, productDrop, renderCartPage, renderProductPage } from "../support/liquid-storefront";

// The theme app extension's Liquid rendered with liquidjs (no browser): what Shopify would send.
const blockSource = (name: string) => readFileSync(path.join(EXTENSION_DIR, "blocks", `${name}.liquid`), "utf8");
const current = productDrop(100, "Chocolate Fudge Party Cake", 3499);

describe("'Based on your cart' block markup", () => {
  it("builds the app proxy URL on the shopper's locale root: '/' and '/ko' (no trailing slash)", async () => {
    const endpoint = (html: string) => /data-endpoint="([^"]*)"/.exec(html)?.[1];
    expect(endpoint(await renderCartPage({ productIds: [101] }))).toBe("/apps/pathwise/recommendations");
    expect(endpoint(await renderCartPage({ productIds: [101], locale: "ko", rootUrl: "/ko" }))).toBe("/ko/apps/pathwise/recommendations");
  });

  it("loads its script deferred, never through the parser-blocking script_tag filter (theme check ParserBlockingScript)", async () => {
    const source = blockSource("cart-recommendations");
    expect(source).not.toMatch(/\|\s*script_tag/);
    const html = await renderCartPage({ productIds: [101] });
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts).toEqual([expect.stringContaining('src="/assets/cart-recommendations.js"')]);
    expect(scripts[0]).toMatch(/\sdefer(\s|>|=)/);
  });
});

describe("'Customers also bought' block markup", () => {
  it("skips empty or missing entries and gift cards: no blank card, no $0.00, no 'Sold out' placeholder", async () => {
    const topper = productDrop(101, "Happy Birthday Cake Topper", 699);
    const giftCard = productDrop(107, "Party Gift Card", 2500, { "gift_card?": true });
    const html = await renderProductPage({ product: current, recommendations: [null, {}, "", topper, giftCard] as never });
    const titles = [...html.matchAll(/<span class="pathwise-card__title">([^<]*)<\/span>/g)].map((match) => match[1]);
    expect(titles).toEqual(["Happy Birthday Cake Topper"]);
    expect(html).not.toContain("$0.00");
    expect(html).not.toContain("pathwise-card__sold-out");
  });

  it("loads its stylesheet once (the schema's, which Shopify injects, or a tag in the markup, not both)", async () => {
    const html = await renderProductPage({ product: current, recommendations: [productDrop(101, "Happy Birthday Cake Topper", 699)] });
    expect(html.match(/also-bought\.css/g) ?? []).toHaveLength(1);
  });
});
