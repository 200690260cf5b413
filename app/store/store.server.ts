import type { Tx } from "./sql.server";
import { asJson, upsertIfNewer, upsertIfNewerReturningPrevious } from "./sql.server";
import { emitStoreEvent } from "./store-events.server";
import { addJob, prismaSql } from "../jobs/queue.server";
import type {
  NormalizedCart,
  NormalizedCheckout,
  NormalizedCustomer,
  NormalizedFulfillment,
  NormalizedOrder,
  NormalizedProduct,
} from "../webhooks/normalize";

/**
 * The shop-scoped store model Pathwise keeps from webhooks. Each writer applies a
 * change only when it is not older than what is stored, and announces real changes
 * as store events in the same transaction.
 */

type CustomerRef = { id: string | null; email?: string | null; first_name?: string | null; last_name?: string | null; locale?: string | null } | null;

async function upsertCustomerRef(tx: Tx, shop: string, customer: CustomerRef, fallbackEmail: string | null, locale: string | null) {
  if (!customer?.id) return;
  // A reference inside a checkout or order: fill what we do not know yet, never
  // overwrite a fuller customers/update with it.
  await tx.$executeRawUnsafe(
    `INSERT INTO customer (shop, id, email, first_name, last_name, locale) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (shop, id) DO UPDATE SET
       email = COALESCE(customer.email, EXCLUDED.email),
       first_name = COALESCE(customer.first_name, EXCLUDED.first_name),
       last_name = COALESCE(customer.last_name, EXCLUDED.last_name),
       locale = COALESCE(customer.locale, EXCLUDED.locale)
     WHERE customer.redacted_at IS NULL`,
    shop,
    customer.id,
    customer.email?.toLowerCase() ?? fallbackEmail,
    customer.first_name ?? null,
    customer.last_name ?? null,
    customer.locale ?? locale,
  );
}

export async function saveCheckout(tx: Tx, shop: string, checkout: NormalizedCheckout) {
  await upsertCustomerRef(tx, shop, checkout.customer, checkout.email, checkout.customerLocale);
  const { outcome, previous } = await upsertIfNewerReturningPrevious(
    tx,
    "checkout",
    ["shop", "token"],
    {
      shop,
      token: checkout.token,
      cart_token: checkout.cartToken,
      email: checkout.email,
      customer_id: checkout.customerId,
      customer_locale: checkout.customerLocale,
      line_items: asJson(checkout.lineItems),
      subtotal_minor: checkout.subtotalMinor,
      total_minor: checkout.totalMinor,
      currency: checkout.currency,
      recovery_url: checkout.recoveryUrl,
      // A completed checkout never reopens: an update without completed_at keeps the one held.
      ...(checkout.completedAt ? { completed_at: checkout.completedAt } : {}),
      shopify_created_at: checkout.createdAt,
      shopify_updated_at: checkout.updatedAt,
    },
    "completed_at",
  );
  if (outcome === "stale") return outcome;
  // A checkout first seen after its order (deliveries arrive out of order) is completed by it
  // now; one held before its order was linked when the order was saved (LINK_ORDER).
  const [linked] = outcome === "inserted"
    ? ((await tx.$queryRawUnsafe(LINK_CHECKOUT_TO_ORDER, shop, checkout.token, checkout.cartToken)) as Array<{ completedAt: Date | null }>)
    : [];
  const completedAt = checkout.completedAt ?? (previous as Date | null) ?? linked?.completedAt ?? null;
  await emitStoreEvent(tx, { kind: "checkout.changed", shop, checkout: { ...checkout, completedAt }, created: outcome === "inserted" });
  return outcome;
}

// The order that completes a checkout: the one with its checkout token, else one with its
// cart token (what LINK_ORDER links from the order's side). A completion time the
// checkout already has stays.
const LINK_CHECKOUT_TO_ORDER = `
UPDATE checkout c SET order_id = o.id, completed_at = COALESCE(c.completed_at, o.shopify_created_at)
FROM (
  SELECT id, shopify_created_at FROM "order"
  WHERE shop = $1 AND (checkout_token = $2 OR ($3::text IS NOT NULL AND cart_token = $3))
  ORDER BY (checkout_token IS NOT DISTINCT FROM $2) DESC, shopify_created_at
  LIMIT 1
) o
WHERE c.shop = $1 AND c.token = $2
RETURNING c.completed_at AS "completedAt"`;

const LINK_CART_TO_ORDER = `
UPDATE cart c SET order_id = o.id
FROM (SELECT id FROM "order" WHERE shop = $1 AND cart_token = $2 ORDER BY shopify_created_at LIMIT 1) o
WHERE c.shop = $1 AND c.token = $2`;

export async function saveCart(tx: Tx, shop: string, cart: NormalizedCart) {
  const outcome = await upsertIfNewer(tx, "cart", ["shop", "token"], {
    shop,
    token: cart.token,
    line_items: asJson(cart.lineItems),
    total_minor: cart.totalMinor,
    currency: cart.currency,
    shopify_created_at: cart.createdAt,
    shopify_updated_at: cart.updatedAt,
  });
  // A cart first seen after its order is linked to it now (order cart_token = cart token);
  // one held before its order was linked when the order was saved.
  if (outcome === "inserted") await tx.$executeRawUnsafe(LINK_CART_TO_ORDER, shop, cart.token);
  if (outcome !== "stale") await emitStoreEvent(tx, { kind: "cart.changed", shop, cart, created: outcome === "inserted" });
  return outcome;
}

// The order's lines become exactly the delivered ones: upsert those, delete the rest
// (one statement; a delete-then-insert in one statement would see the old rows conflict).
const REPLACE_ORDER_LINES = `
WITH input AS (
  SELECT DISTINCT ON (l."lineId") l.*
  FROM json_to_recordset($3::json) AS l("lineId" text, "productId" text, "variantId" text, title text, quantity int, "unitPriceMinor" int, "isGiftCard" boolean)
),
upserted AS (
  INSERT INTO order_line (shop, order_id, line_id, product_id, variant_id, title, quantity, price_minor, is_gift_card)
  SELECT $1, $2, "lineId", "productId", "variantId", title, quantity, "unitPriceMinor", "isGiftCard" FROM input
  ON CONFLICT (shop, order_id, line_id) DO UPDATE SET
    product_id = EXCLUDED.product_id, variant_id = EXCLUDED.variant_id, title = EXCLUDED.title,
    quantity = EXCLUDED.quantity, price_minor = EXCLUDED.price_minor, is_gift_card = EXCLUDED.is_gift_card
)
DELETE FROM order_line WHERE shop = $1 AND order_id = $2 AND line_id <> ALL(ARRAY(SELECT "lineId" FROM input))`;

// The checkout with the order's checkout token, the cart with its cart token, and a
// checkout of that cart not yet linked: all completed by this order. (A checkout both
// paths reach gets the same values from either.)
const LINK_ORDER = `
WITH by_checkout AS (
  UPDATE checkout SET order_id = $2, completed_at = $3::timestamptz
  WHERE $4::text IS NOT NULL AND shop = $1 AND token = $4
),
by_cart AS (
  UPDATE cart SET order_id = $2 WHERE $5::text IS NOT NULL AND shop = $1 AND token = $5
)
UPDATE checkout SET order_id = $2, completed_at = $3::timestamptz
WHERE $5::text IS NOT NULL AND shop = $1 AND cart_token = $5 AND order_id IS NULL`;

export async function saveOrder(tx: Tx, shop: string, order: NormalizedOrder) {
  await upsertCustomerRef(tx, shop, order.customer, order.email, order.customerLocale);
  // What cancelled_at held before: an update that cancels an order is a transition its subscribers act on once.
  const { outcome, previous } = await upsertIfNewerReturningPrevious(tx, "order", ["shop", "id"], {
    shop,
    id: order.id,
    name: order.name,
    checkout_token: order.checkoutToken,
    cart_token: order.cartToken,
    customer_id: order.customerId,
    email: order.email,
    line_items: asJson(order.lineItems),
    subtotal_minor: order.subtotalMinor,
    total_minor: order.totalMinor,
    currency: order.currency,
    discount_codes: order.discountCodes,
    financial_status: order.financialStatus,
    fulfillment_status: order.fulfillmentStatus,
    cancelled_at: order.cancelledAt,
    shopify_created_at: order.createdAt,
    shopify_updated_at: order.updatedAt,
  }, "cancelled_at", { alsoWhen: `"order"."deleted_at" IS NULL` });
  if (outcome === "stale") return outcome;

  // Plain SQL through the transaction: every order passes here, and one statement each
  // costs a fraction of the Prisma model calls it replaces.
  await tx.$executeRawUnsafe(REPLACE_ORDER_LINES, shop, order.id, JSON.stringify(order.lineItems));
  // Link what the order completes: checkout token = order checkout_token, cart token = order cart_token.
  if (order.checkoutToken || order.cartToken) {
    await tx.$executeRawUnsafe(LINK_ORDER, shop, order.id, order.createdAt.toISOString(), order.checkoutToken, order.cartToken);
  }
  // orders/paid can arrive before orders/create: the first sighting is the creation.
  await emitStoreEvent(
    tx,
    outcome === "inserted" ? { kind: "order.created", shop, order } : { kind: "order.updated", shop, order, cancelledNow: previous === null && order.cancelledAt !== null },
  );
  return outcome;
}

/**
 * orders/delete (Shopify deletes only archived or cancelled orders, mostly tests). The
 * row stays as a tombstone: a late orders/updated or a bulk export started before the
 * deletion must not bring it back, and a checkout it completed stays completed. What
 * names a person (email, customer, name) and its lines go. An order we never held (its
 * orders/create is late, or was missed) gets a bare tombstone: its id, deleted_at, and
 * the deletion time as its creation time (the column requires one; it keeps the row
 * inside retention), so the late orders/create cannot create it.
 */
export async function deleteOrder(tx: Tx, shop: string, orderId: string) {
  const rows = (await tx.$queryRawUnsafe(
    `UPDATE "order" SET deleted_at = now(), email = NULL, customer_id = NULL, name = NULL, line_items = '[]'::jsonb
     WHERE shop = $1 AND id = $2 AND deleted_at IS NULL
     RETURNING shopify_created_at AS "createdAt"`,
    shop,
    orderId,
  )) as Array<{ createdAt: Date }>;
  if (!rows.length) {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO "order" (shop, id, shopify_created_at, deleted_at) VALUES ($1, $2, now(), now()) ON CONFLICT (shop, id) DO NOTHING`,
      shop,
      orderId,
    );
    return inserted ? "tombstoned" : "already deleted";
  }
  await tx.$executeRawUnsafe(`DELETE FROM order_line WHERE shop = $1 AND order_id = $2`, shop, orderId);
  await emitStoreEvent(tx, { kind: "order.deleted", shop, orderId, createdAt: rows[0].createdAt });
  return "deleted";
}

export async function saveFulfillment(tx: Tx, shop: string, fulfillment: NormalizedFulfillment) {
  const existing = await tx.fulfillment.findUnique({ where: { shop_id: { shop, id: fulfillment.id } }, select: { deliveredAt: true } });
  const outcome = await upsertIfNewer(tx, "fulfillment", ["shop", "id"], {
    shop,
    id: fulfillment.id,
    order_id: fulfillment.orderId,
    status: fulfillment.status,
    shipment_status: fulfillment.shipmentStatus,
    // Delivery is a fact: once known it stays, even if a later update omits it.
    delivered_at: existing?.deliveredAt ?? fulfillment.deliveredAt,
    tracking_company: fulfillment.trackingCompany,
    shopify_created_at: fulfillment.createdAt,
    shopify_updated_at: fulfillment.updatedAt,
  });
  if (outcome !== "stale" && fulfillment.deliveredAt && !existing?.deliveredAt) {
    await emitStoreEvent(tx, { kind: "fulfillment.delivered", shop, fulfillment });
  }
  return outcome;
}

export async function saveCustomer(tx: Tx, shop: string, customer: NormalizedCustomer) {
  const outcome = await upsertIfNewer(tx, "customer", ["shop", "id"], {
    shop,
    id: customer.id,
    email: customer.email,
    first_name: customer.firstName,
    last_name: customer.lastName,
    // Customer webhooks (2025-10, 2026-07) carry no locale: one learned from an order's
    // customer_locale (what emails are written in) stays unless a payload brings one.
    ...(customer.locale ? { locale: customer.locale } : {}),
    tags: customer.tags,
    shopify_updated_at: customer.updatedAt,
  });
  if (customer.consent) {
    await saveConsent(tx, shop, customer.id, customer.consent.state, customer.consent.updatedAt ?? customer.updatedAt);
  }
  return outcome;
}

/** Marketing consent, applied only when newer than the consent we hold. */
export async function saveConsent(tx: Tx, shop: string, customerId: string, state: string, consentAt: Date | null, email?: string | null) {
  const at = consentAt ?? new Date();
  const rows = (await tx.$queryRawUnsafe(
    `INSERT INTO customer (shop, id, email, email_marketing_state, email_marketing_consent_at, consent_updated_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz)
     ON CONFLICT (shop, id) DO UPDATE SET
       email_marketing_state = EXCLUDED.email_marketing_state,
       email_marketing_consent_at = EXCLUDED.email_marketing_consent_at,
       consent_updated_at = EXCLUDED.consent_updated_at,
       email = COALESCE(customer.email, EXCLUDED.email)
     WHERE customer.consent_updated_at IS NULL OR customer.consent_updated_at <= EXCLUDED.consent_updated_at
     RETURNING id`,
    shop,
    customerId,
    email ?? null,
    state,
    at.toISOString(),
  )) as unknown[];
  if (rows.length) await emitStoreEvent(tx, { kind: "customer.consent_changed", shop, customerId, state });
  return rows.length ? "updated" : "stale";
}

// Shopify never reuses a deleted product's id: an update that was already on its way
// (or retried, or in a bulk export) when the product was deleted must not bring it
// back. Only a change made after we marked it deleted proves it exists.
const NOT_DELETED_SINCE = `"product"."deleted_at" IS NULL OR EXCLUDED."shopify_updated_at" > "product"."deleted_at"`;

/** The product's columns as a webhook or an export has them (a live product: not deleted). */
function productColumns(shop: string, product: Omit<NormalizedProduct, "updatedAt"> & { updatedAt: Date | null }) {
  return {
    shop,
    id: product.id,
    title: product.title,
    handle: product.handle,
    product_type: product.productType,
    vendor: product.vendor,
    tags: product.tags,
    image_url: product.imageUrl,
    price_minor: product.priceMinor,
    currency: product.currency,
    status: product.status,
    // Null: the payload cannot tell (see normalizeProduct): the stored value stands, a new row takes the default (available).
    ...(product.available === null ? {} : { available: product.available }),
    ...(product.isGiftCard === null ? {} : { is_gift_card: product.isGiftCard }),
    deleted_at: null,
    shopify_updated_at: product.updatedAt,
  };
}

export async function saveProduct(tx: Tx, shop: string, product: NormalizedProduct) {
  const outcome = await upsertIfNewer(tx, "product", ["shop", "id"], productColumns(shop, product), { alsoWhen: NOT_DELETED_SINCE });
  if (outcome !== "stale") await emitStoreEvent(tx, { kind: "product.changed", shop, productId: product.id });
  if (outcome === "inserted" || (outcome !== "stale" && product.available === null)) await scheduleProductDetails(tx, shop, product.id);
  return outcome;
}

export const PRODUCT_DETAILS_TASK = "store.product-details";

/**
 * What product webhooks do not say is asked of the Admin API half a minute later (a burst
 * of updates asks once): for a product first seen through a webhook, its collections,
 * storefront URL and first variant for sale (the bulk export's fields); for one at zero
 * stock that cannot tell a sold-out tracked product from an untracked one (see
 * normalizeProduct), whether it tracks inventory.
 */
async function scheduleProductDetails(tx: Tx, shop: string, productId: string) {
  await addJob(prismaSql(tx), PRODUCT_DETAILS_TASK, { shop, productId }, {
    jobKey: `product-details:${shop}:${productId}`,
    jobKeyMode: "preserve_run_at",
    runAt: new Date(Date.now() + 30_000),
    maxAttempts: 5,
  });
}

export async function deleteProduct(tx: Tx, shop: string, productId: string) {
  await tx.$executeRawUnsafe(
    `INSERT INTO product (shop, id, title, status, available, deleted_at) VALUES ($1, $2, '', 'deleted', false, now())
     ON CONFLICT (shop, id) DO UPDATE SET status = 'deleted', available = false, deleted_at = now()`,
    shop,
    productId,
  );
  await emitStoreEvent(tx, { kind: "product.changed", shop, productId });
}

/**
 * Products we hold as live that Shopify no longer lists (a products/delete that never
 * came), found by reconciliation. Only those last changed before `unchangedSince` (a
 * few minutes before the listing began) are marked: one created or updated since may
 * simply not be listed yet. Returns the ids marked deleted.
 */
export async function markProductsDeleted(tx: Tx, shop: string, ids: string[], unchangedSince: Date): Promise<string[]> {
  if (!ids.length) return [];
  const rows = (await tx.$queryRawUnsafe(
    `UPDATE product SET status = 'deleted', available = false, deleted_at = now()
     WHERE shop = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL AND shopify_updated_at < $3::timestamptz
     RETURNING id`,
    shop,
    ids,
    unchangedSince.toISOString(),
  )) as Array<{ id: string }>;
  for (const { id } of rows) await emitStoreEvent(tx, { kind: "product.changed", shop, productId: id });
  return rows.map((row) => row.id);
}

/** A product as the recommendations backfill's bulk export has it: the webhook's fields plus what only the export carries. */
export interface ProductSnapshot extends Omit<NormalizedProduct, "updatedAt"> {
  updatedAt: Date | null;
  collections: string[];
  variantId: string | null;
  url: string | null;
}

/**
 * A bulk export's product. An export is a snapshot taken when the operation started,
 * so a webhook applied since may be newer: that state is kept (and a deleted product
 * stays deleted), while what only the export knows (collections, the variant to add
 * to cart, the storefront URL) is always taken. No store event: the backfill rebuilds
 * the recommendations once the import is done.
 */
export async function saveProductSnapshot(tx: Tx, shop: string, product: ProductSnapshot) {
  const outcome = await upsertIfNewer(
    tx,
    "product",
    ["shop", "id"],
    { ...productColumns(shop, product), collections: product.collections, variant_id: product.variantId, url: product.url },
    { alsoWhen: NOT_DELETED_SINCE },
  );
  if (outcome === "stale") {
    await tx.$executeRawUnsafe(
      `UPDATE product SET collections = $3::text[], variant_id = $4, url = $5 WHERE shop = $1 AND id = $2`,
      shop,
      product.id,
      product.collections,
      product.variantId,
      product.url,
    );
  }
  return outcome;
}
