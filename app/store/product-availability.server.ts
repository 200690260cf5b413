import prisma from "../db.server";
import { adminQuery, type AdminGraphql } from "../shops/admin-graphql";
import { normalizeProduct } from "../webhooks/normalize";
import { PRODUCT_QUERY, productPayloadFromAdmin, type ProductNode } from "./reconcile.server";
import { emitStoreEvent } from "./store-events.server";

/**
 * Settles a product's availability from the Admin API, where tracksInventory tells a
 * sold-out product from an untracked one at zero stock (product webhooks no longer say).
 * A change goes through the product.changed store event, so recommendations and
 * storefront lists follow. Returns what Shopify says, or null for a product it no longer has.
 */
export async function settleProductAvailability(shop: string, productId: string, admin: AdminGraphql): Promise<boolean | null> {
  const { product } = await adminQuery<{ product: ProductNode | null }>(admin, PRODUCT_QUERY, { id: `gid://shopify/Product/${productId}` });
  if (!product) return null; // deleted since: products/delete or the daily sweep marks it
  // Prices are not read here, so the currency does not matter.
  const available = normalizeProduct(productPayloadFromAdmin(product), "USD").available;
  if (available === null) return null;
  await prisma.$transaction(async (tx) => {
    const changed = (await tx.$queryRawUnsafe(
      `UPDATE product SET available = $3 WHERE shop = $1 AND id = $2 AND deleted_at IS NULL AND available IS DISTINCT FROM $3 RETURNING id`,
      shop,
      productId,
      available,
    )) as unknown[];
    if (changed.length) await emitStoreEvent(tx, { kind: "product.changed", shop, productId });
  });
  return available;
}
