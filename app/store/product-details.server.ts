import prisma from "../db.server";
import { adminQuery, type AdminGraphql } from "../shops/admin-graphql";
import { normalizeProduct } from "../webhooks/normalize";
import { PRODUCT_QUERY, productPayloadFromAdmin, type ProductNode } from "./reconcile.server";
import { emitStoreEvent } from "./store-events.server";

/**
 * Settles from the Admin API what product webhooks do not carry: availability (where
 * tracksInventory tells a sold-out product from an untracked one at zero stock), the
 * collections (for the "same collection" fallback), the storefront URL and the first
 * variant for sale. A change goes through the product.changed store event, so
 * recommendations and storefront lists follow. Returns whether the product is
 * available, or null for a product Shopify no longer has.
 */
export async function settleProductFromAdmin(shop: string, productId: string, admin: AdminGraphql): Promise<boolean | null> {
  const { product } = await adminQuery<{ product: ProductNode | null }>(admin, PRODUCT_QUERY, { id: `gid://shopify/Product/${productId}` });
  if (!product) return null; // deleted since: products/delete or the daily sweep marks it
  // Prices are not read here, so the currency does not matter.
  const available = normalizeProduct(productPayloadFromAdmin(product), "USD").available ?? true;
  const collections = product.collections.nodes.map((collection) => collection.handle);
  const variant = product.variants.nodes.find((candidate) => candidate.availableForSale) ?? product.variants.nodes[0];
  await prisma.$transaction(async (tx) => {
    const changed = (await tx.$queryRawUnsafe(
      `UPDATE product SET available = $3, collections = $4::text[], variant_id = COALESCE($5, variant_id), url = COALESCE($6, url)
        WHERE shop = $1 AND id = $2 AND deleted_at IS NULL
          AND (available IS DISTINCT FROM $3 OR collections IS DISTINCT FROM $4::text[] OR variant_id IS DISTINCT FROM COALESCE($5, variant_id) OR url IS DISTINCT FROM COALESCE($6, url))
        RETURNING id`,
      shop,
      productId,
      available,
      collections,
      variant?.legacyResourceId ?? null,
      product.onlineStoreUrl,
    )) as unknown[];
    if (changed.length) await emitStoreEvent(tx, { kind: "product.changed", shop, productId });
  });
  return available;
}
