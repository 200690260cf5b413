import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { productPayloadFromAdmin } from "../../app/store/reconcile.server";
import { normalizeProduct } from "../../app/webhooks/normalize";
import { installShop, samplePayload, deliverAndProcess } from "../support/shopify";

const SHOP = "product-store.myshopify.com";

beforeAll(async () => {
  await installShop(SHOP);
});

const process = (topic: string, body: unknown) => deliverAndProcess({ shop: SHOP, topic, body });

const product = (id: number) => prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: String(id) } } });

/** The 2026-07 sample with every variant at quantity 0, policy deny: what an untracked product (or a sold-out tracked one) looks like. */
function outOfStockSample(id: number, updatedAt: string, variant: Record<string, unknown> = {}) {
  const sample = samplePayload("products/update");
  return { ...sample, id, updated_at: updatedAt, variants: sample.variants.map((v: Record<string, unknown>) => ({ ...v, inventory_quantity: 0, old_inventory_quantity: 0, inventory_policy: "deny", ...variant })) };
}

describe("product availability from products/update", () => {
  it("the 2026-07 sample carries no inventory_management: quantity 0 with policy deny does not mark a product unavailable", async () => {
    const sample = samplePayload("products/update");
    for (const variant of sample.variants) expect(variant).not.toHaveProperty("inventory_management");

    // An untracked product the bulk export knows is for sale.
    const id = 6_100;
    await prisma.product.create({ data: { shop: SHOP, id: String(id), title: "Untracked", status: "active", available: true, shopifyUpdatedAt: new Date("2026-11-01T00:00:00Z") } });
    await process("products/update", outOfStockSample(id, "2026-11-02T00:00:00Z"));
    expect(await product(id)).toMatchObject({ available: true, shopifyUpdatedAt: new Date("2026-11-02T00:00:00Z") });

    // One we never held is not created unavailable either.
    await process("products/update", outOfStockSample(6_101, "2026-11-02T00:00:00Z"));
    expect((await product(6_101)).available).toBe(true);

    // What it held stays: a product known to be sold out is not made available by the same silence.
    await prisma.product.update({ where: { shop_id: { shop: SHOP, id: String(id) } }, data: { available: false } });
    await process("products/update", outOfStockSample(id, "2026-11-03T00:00:00Z"));
    expect((await product(id)).available).toBe(false);
  });

  it("stock, policy continue or an explicit untracked variant make it available; an explicitly tracked sold-out one does not", async () => {
    const id = 6_200;
    await process("products/update", outOfStockSample(id, "2026-11-02T00:00:00Z", { inventory_management: "shopify" }));
    expect((await product(id)).available).toBe(false);
    await process("products/update", outOfStockSample(id, "2026-11-03T00:00:00Z", { inventory_management: null }));
    expect((await product(id)).available).toBe(true);
    await process("products/update", outOfStockSample(id, "2026-11-04T00:00:00Z", { inventory_management: "shopify" }));
    expect((await product(id)).available).toBe(false);
    await process("products/update", outOfStockSample(id, "2026-11-05T00:00:00Z", { inventory_policy: "continue" }));
    expect((await product(id)).available).toBe(true);
    await process("products/update", outOfStockSample(id, "2026-11-06T00:00:00Z", { inventory_management: "shopify" }));
    await process("products/update", { ...samplePayload("products/update"), id, updated_at: "2026-11-07T00:00:00Z" });
    expect((await product(id)).available).toBe(true);
  });
});

describe("gift cards", () => {
  it("products/update (which has no gift-card flag) keeps the export's isGiftCard, whatever the type or tags say", async () => {
    const sample = samplePayload("products/update");
    const giftCard = 6_300;
    const tagged = 6_301;
    await prisma.product.create({ data: { shop: SHOP, id: String(giftCard), title: "Store credit", status: "active", isGiftCard: true, shopifyUpdatedAt: new Date("2026-11-01T00:00:00Z") } });
    await prisma.product.create({ data: { shop: SHOP, id: String(tagged), title: "Gift card box", status: "active", isGiftCard: false, shopifyUpdatedAt: new Date("2026-11-01T00:00:00Z") } });

    await process("products/update", { ...sample, id: giftCard, product_type: "Digital", tags: "", updated_at: "2026-11-02T00:00:00Z" });
    await process("products/update", { ...sample, id: tagged, product_type: "Gift Card", tags: "gift card", updated_at: "2026-11-02T00:00:00Z" });
    expect(await product(giftCard)).toMatchObject({ isGiftCard: true, productType: "Digital" });
    expect(await product(tagged)).toMatchObject({ isGiftCard: false, productType: "Gift Card" });
  });

  it("reconciliation takes the flag from the Admin API's Product.isGiftCard", () => {
    const node = {
      legacyResourceId: "6400",
      title: "Store credit",
      handle: "store-credit",
      productType: "",
      vendor: null,
      tags: [],
      status: "ACTIVE",
      isGiftCard: true,
      tracksInventory: false,
      updatedAt: "2026-11-02T00:00:00Z",
      onlineStoreUrl: null,
      featuredImage: null,
      collections: { nodes: [] },
      variants: { nodes: [{ legacyResourceId: "1", availableForSale: true, price: "25.00", inventoryQuantity: 0, inventoryPolicy: "DENY" }] },
    };
    expect(normalizeProduct(productPayloadFromAdmin(node), "USD")).toMatchObject({ isGiftCard: true, available: true });
    expect(normalizeProduct(productPayloadFromAdmin({ ...node, isGiftCard: false }), "USD").isGiftCard).toBe(false);
  });
});
