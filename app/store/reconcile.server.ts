import { ZodError } from "zod";
import prisma, { pool } from "../db.server";
import { adminQuery, type AdminGraphql } from "../shops/admin-graphql";
import { normalizeOrder, normalizeProduct, type NormalizedOrder } from "../webhooks/normalize";
import { markProductsDeleted, saveConsent, saveOrder, saveProduct } from "./store.server";

/**
 * Reconciliation with the Admin API. A few webhook deliveries never arrive; a missed
 * orders/create would leave a shopper in an abandoned checkout flow after they bought,
 * a missed consent update could email someone who unsubscribed in Shopify, and a
 * missed products/update could keep recommending what is sold out. Every so often each
 * shop's orders, customers and products updated since the last look are read from the
 * Admin API, and whatever we lack (or hold an older version of) goes through the same
 * path a webhook takes (saveOrder / saveConsent / saveProduct: store model, store
 * events, flows, recommendations).
 */
export const RECONCILE_SHOP_TASK = "reconcile-shop";
export const RECONCILE_SHOPS_TASK = "reconcile-shops";
/** Every 15 minutes: one job per installed shop. */
export const RECONCILE_SHOPS_CRON = `*/15 * * * * ${RECONCILE_SHOPS_TASK} ?max=1`;
/** Deleted products are found by listing every product id, so once a day (at a quiet hour, UTC). */
export const RECONCILE_DELETIONS_TASK = "reconcile-deletions";
export const RECONCILE_SHOP_DELETIONS_TASK = "reconcile-shop-deletions";
export const RECONCILE_DELETIONS_CRON = `40 3 * * * ${RECONCILE_DELETIONS_TASK} ?max=1`;

// Orders updated in the last few minutes are left to their webhooks (which usually come
// within seconds); the next run covers them. The window also reaches back a little
// before the last one ended: Shopify's search index can lag an update slightly.
const SETTLE_MS = 5 * 60_000;
const OVERLAP_MS = 10 * 60_000;
// A shop's first run starts at its installation, at most a day back: older orders are
// history (the recommendation backfill's job), and replaying them as new would start
// flows for purchases long past.
const FIRST_LOOKBACK_MS = 24 * 3_600_000;

/** What a run looks at: from shortly before the last run's end (or the installation) to a few minutes ago, as an Admin API search. */
function reconcileWindow(reconciledAt: Date | null, installedAt: Date, now: Date) {
  const to = new Date(now.getTime() - SETTLE_MS);
  const from = reconciledAt
    ? new Date(reconciledAt.getTime() - OVERLAP_MS)
    : new Date(Math.max(installedAt.getTime(), now.getTime() - FIRST_LOOKBACK_MS));
  return { to, search: `updated_at:>='${from.toISOString()}' updated_at:<='${to.toISOString()}'` };
}

type Watermark = "ordersReconciledAt" | "consentReconciledAt" | "productsReconciledAt";
interface Versioned {
  id: string;
  version: Date;
}
interface ShopRow {
  currency: string;
}

/**
 * One pass over one kind: the window since its watermark, every page of (id, version)
 * from the Admin API, what we hold of that page in one read (`heldSql`: id and version
 * for $1 shop, $2 ids), `apply` for each one missing or newer than ours, then the
 * watermark moves to the window's end. Null when the shop is gone or uninstalled.
 */
async function reconcilePass<T extends Versioned>(
  shop: string,
  watermark: Watermark,
  now: Date,
  fetchPage: (search: string, after: string | null) => Promise<{ items: T[]; next: string | null }>,
  heldSql: string,
  apply: (item: T, shopRow: ShopRow) => Promise<void>,
): Promise<{ checked: number } | null> {
  const row = await prisma.shop.findUnique({ where: { domain: shop } });
  if (!row || row.uninstalledAt) return null;
  const { to, search } = reconcileWindow(row[watermark], row.installedAt, now);
  let checked = 0;
  let after: string | null = null;
  do {
    const page = await fetchPage(search, after);
    checked += page.items.length;
    const { rows } = await pool.query<{ id: string; version: Date | null }>(heldSql, [shop, page.items.map((item) => item.id)]);
    const held = new Map(rows.map((r) => [r.id, r.version?.getTime() ?? null]));
    for (const item of page.items) {
      const ours = held.get(item.id);
      if (ours !== undefined && ours !== null && ours >= item.version.getTime()) continue;
      await apply(item, row);
    }
    after = page.next;
  } while (after);
  await prisma.shop.update({ where: { domain: shop }, data: { [watermark]: to } });
  return { checked };
}

// Two queries, both within Shopify's 1,000-point limit for one query: a cheap scan of
// the window's order ids and versions (250 a page), then the whole order only for
// those we lack or hold an older version of, which is rare.
/** Ids and versions of what changed in a window, oldest change first (orders and products alike). */
const versionsQuery = (name: string, root: "orders" | "products") => `#graphql
query ${name}($first: Int!, $after: String, $query: String!) {
  ${root}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId updatedAt }
  }
}`;
export const ORDER_VERSIONS_QUERY = versionsQuery("ReconcileOrderVersions", "orders");

export const ORDER_QUERY = `#graphql
query ReconcileOrder($id: ID!, $linesAfter: String) {
  order(id: $id) {
    legacyResourceId
    name
    email
    createdAt
    updatedAt
    cancelledAt
    currencyCode
    customerLocale
    checkoutToken
    cartToken
    displayFinancialStatus
    displayFulfillmentStatus
    discountCodes
    subtotalPriceSet { shopMoney { amount } }
    totalPriceSet { shopMoney { amount } }
    customer { legacyResourceId email firstName lastName locale }
    lineItems(first: 100, after: $linesAfter) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        variantTitle
        quantity
        isGiftCard
        product { legacyResourceId }
        variant { legacyResourceId }
        originalUnitPriceSet { shopMoney { amount } }
      }
    }
  }
}`;

type Money = { shopMoney: { amount: string } } | null;
interface OrderNode {
  legacyResourceId: string;
  name: string | null;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  currencyCode: string;
  customerLocale: string | null;
  checkoutToken: string | null;
  cartToken: string | null;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string | null;
  discountCodes: string[];
  subtotalPriceSet: Money;
  totalPriceSet: Money;
  customer: { legacyResourceId: string; email: string | null; firstName: string | null; lastName: string | null; locale: string | null } | null;
  lineItems: {
    pageInfo?: { hasNextPage: boolean; endCursor: string | null };
    nodes: Array<{
      id: string;
      title: string;
      variantTitle: string | null;
      quantity: number;
      isGiftCard: boolean;
      product: { legacyResourceId: string } | null;
      variant: { legacyResourceId: string } | null;
      originalUnitPriceSet: Money;
    }>;
  };
}
/** A page of ids and versions (orders, products): the items a pass compares, with the gid to fetch the whole thing by. */
async function versionsPage(admin: AdminGraphql, query: string, root: "orders" | "products", search: string, after: string | null, first: number) {
  type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ id: string; legacyResourceId: string; updatedAt: string }> };
  const page = (await adminQuery<Record<typeof root, Page>>(admin, query, { first, after, query: search }))[root];
  return {
    items: page.nodes.map((node) => ({ id: node.legacyResourceId, gid: node.id, version: new Date(node.updatedAt) })),
    next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}

/** The whole order, every page of its lines. */
async function fetchOrder(admin: AdminGraphql, id: string): Promise<OrderNode | null> {
  const { order } = await adminQuery<{ order: OrderNode | null }>(admin, ORDER_QUERY, { id });
  if (!order) return null;
  let page = order.lineItems.pageInfo;
  while (page?.hasNextPage) {
    const more = await adminQuery<{ order: OrderNode | null }>(admin, ORDER_QUERY, { id, linesAfter: page.endCursor });
    if (!more.order) break;
    order.lineItems.nodes.push(...more.order.lineItems.nodes);
    page = more.order.lineItems.pageInfo;
  }
  return order;
}

/**
 * The Admin API's order in the webhook's shape, so it is validated and normalized by
 * the very code that handles orders/create (no second mapping to drift apart).
 */
export function orderPayloadFromAdmin(node: OrderNode): unknown {
  const legacyLineId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);
  return {
    id: node.legacyResourceId,
    name: node.name,
    email: node.email,
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    cancelled_at: node.cancelledAt,
    currency: node.currencyCode,
    customer_locale: node.customerLocale,
    checkout_token: node.checkoutToken,
    cart_token: node.cartToken,
    financial_status: node.displayFinancialStatus?.toLowerCase() ?? null,
    fulfillment_status: node.displayFulfillmentStatus === "FULFILLED" ? "fulfilled" : node.displayFulfillmentStatus === "PARTIALLY_FULFILLED" ? "partial" : null,
    discount_codes: node.discountCodes.map((code) => ({ code })),
    subtotal_price: node.subtotalPriceSet?.shopMoney.amount ?? null,
    total_price: node.totalPriceSet?.shopMoney.amount ?? null,
    customer: node.customer
      ? { id: node.customer.legacyResourceId, email: node.customer.email, first_name: node.customer.firstName, last_name: node.customer.lastName, locale: node.customer.locale }
      : null,
    line_items: node.lineItems.nodes.map((line) => ({
      id: legacyLineId(line.id),
      product_id: line.product?.legacyResourceId ?? null,
      variant_id: line.variant?.legacyResourceId ?? null,
      title: line.title,
      variant_title: line.variantTitle,
      quantity: line.quantity,
      price: line.originalUnitPriceSet?.shopMoney.amount ?? "0",
      gift_card: line.isGiftCard,
    })),
  };
}

export interface ReconcileResult {
  /** Orders the Admin API returned for the window. */
  checked: number;
  /** Orders we lacked (inserted) or held an older version of (updated). */
  inserted: number;
  updated: number;
  /** Orders that did not validate (logged, skipped). */
  invalid: number;
}

export async function reconcileOrders(shop: string, admin: AdminGraphql, options: { now?: Date; pageSize?: number; log?: (line: string) => void } = {}): Promise<ReconcileResult> {
  const result: ReconcileResult = { checked: 0, inserted: 0, updated: 0, invalid: 0 };
  const pass = await reconcilePass(
    shop,
    "ordersReconciledAt",
    options.now ?? new Date(),
    (search, after) => versionsPage(admin, ORDER_VERSIONS_QUERY, "orders", search, after, options.pageSize ?? 250),
    `SELECT id, shopify_updated_at AS version FROM "order" WHERE shop = $1 AND id = ANY($2::text[])`,
    async (item, shopRow) => {
      const full = await fetchOrder(admin, item.gid);
      if (!full) return; // deleted since the scan
      let order: NormalizedOrder;
      try {
        order = normalizeOrder(orderPayloadFromAdmin(full), shopRow.currency);
      } catch (error) {
        if (!(error instanceof ZodError)) throw error;
        result.invalid++;
        options.log?.(`order ${item.id} of ${shop} did not validate: ${error.issues[0]?.message}`);
        return;
      }
      const outcome = await prisma.$transaction((tx) => saveOrder(tx, shop, order));
      if (outcome === "inserted") result.inserted++;
      else if (outcome === "updated") result.updated++;
    },
  );
  result.checked = pass?.checked ?? 0;
  return result;
}

// Customers' consent: 250 a page costs about 500 points (the customer and its email address).
export const CONSENT_VERSIONS_QUERY = `#graphql
query ReconcileConsent($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { legacyResourceId updatedAt defaultEmailAddress { emailAddress marketingState marketingUpdatedAt } }
  }
}`;

interface ConsentPage {
  customers: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: Array<{ legacyResourceId: string; updatedAt: string; defaultEmailAddress: { emailAddress: string; marketingState: string; marketingUpdatedAt: string | null } | null }>;
  };
}

/**
 * Customers whose email marketing consent changed in Shopify after what we hold (a
 * customers_email_marketing_consent/update that never came) get it through saveConsent,
 * which tells the flows and the email suppression list as the webhook would.
 */
export async function reconcileConsent(shop: string, admin: AdminGraphql, options: { now?: Date; pageSize?: number } = {}): Promise<{ checked: number; updated: number }> {
  let updated = 0;
  const pass = await reconcilePass(
    shop,
    "consentReconciledAt",
    options.now ?? new Date(),
    async (search, after) => {
      const { customers } = await adminQuery<ConsentPage>(admin, CONSENT_VERSIONS_QUERY, { first: options.pageSize ?? 250, after, query: search });
      const items = customers.nodes.flatMap((node) => {
        const address = node.defaultEmailAddress;
        // Consent that never changed has no time to compare: the flows read it when they need it.
        return address?.marketingUpdatedAt ? [{ id: node.legacyResourceId, version: new Date(address.marketingUpdatedAt), address }] : [];
      });
      return { items, next: customers.pageInfo.hasNextPage ? customers.pageInfo.endCursor : null };
    },
    `SELECT id, consent_updated_at AS version FROM customer WHERE shop = $1 AND id = ANY($2::text[])`,
    async ({ id, version, address }) => {
      const outcome = await prisma.$transaction((tx) => saveConsent(tx, shop, id, address.marketingState, version, address.emailAddress.toLowerCase()));
      if (outcome === "updated") updated++;
    },
  );
  return { checked: pass?.checked ?? 0, updated };
}

// Products: ids and versions first (250 a page), then the whole product for what changed.
export const PRODUCT_VERSIONS_QUERY = versionsQuery("ReconcileProductVersions", "products");

export const PRODUCT_QUERY = `#graphql
query ReconcileProduct($id: ID!) {
  product(id: $id) {
    legacyResourceId
    title
    handle
    productType
    vendor
    tags
    status
    isGiftCard
    tracksInventory
    updatedAt
    onlineStoreUrl
    featuredImage { url }
    collections(first: 25) { nodes { handle } }
    variants(first: 100) { nodes { legacyResourceId availableForSale price inventoryQuantity inventoryPolicy } }
  }
}`;

export interface ProductNode {
  legacyResourceId: string;
  title: string;
  handle: string | null;
  productType: string | null;
  vendor: string | null;
  tags: string[];
  status: string;
  isGiftCard: boolean;
  tracksInventory: boolean;
  updatedAt: string;
  onlineStoreUrl: string | null;
  featuredImage: { url: string } | null;
  collections: { nodes: Array<{ handle: string }> };
  variants: { nodes: Array<{ legacyResourceId: string; availableForSale: boolean; price: string; inventoryQuantity: number | null; inventoryPolicy: string }> };
}

/** The Admin API's product in the webhook's shape, for normalizeProduct (as for orders). */
export function productPayloadFromAdmin(node: ProductNode): unknown {
  return {
    id: node.legacyResourceId,
    title: node.title,
    handle: node.handle,
    product_type: node.productType,
    vendor: node.vendor,
    tags: node.tags,
    status: node.status,
    image: node.featuredImage ? { src: node.featuredImage.url } : null,
    variants: node.variants.nodes.map((variant) => ({
      price: variant.price,
      inventory_quantity: variant.inventoryQuantity,
      inventory_policy: variant.inventoryPolicy.toLowerCase(),
      inventory_management: node.tracksInventory ? "shopify" : null,
    })),
    updated_at: node.updatedAt,
    // Not a webhook field: the Admin API knows what product webhooks do not say.
    is_gift_card: node.isGiftCard,
  };
}

/** Products changed in Shopify after what we hold (a products/update that never came) go through saveProduct. */
export async function reconcileProducts(shop: string, admin: AdminGraphql, options: { now?: Date; pageSize?: number } = {}): Promise<{ checked: number; updated: number }> {
  let updated = 0;
  const pass = await reconcilePass(
    shop,
    "productsReconciledAt",
    options.now ?? new Date(),
    (search, after) => versionsPage(admin, PRODUCT_VERSIONS_QUERY, "products", search, after, options.pageSize ?? 250),
    `SELECT id, shopify_updated_at AS version FROM product WHERE shop = $1 AND id = ANY($2::text[])`,
    async (item, shopRow) => {
      const { product } = await adminQuery<{ product: ProductNode | null }>(admin, PRODUCT_QUERY, { id: item.gid });
      if (!product) return; // deleted since the scan
      const normalized = normalizeProduct(productPayloadFromAdmin(product), shopRow.currency);
      if ((await prisma.$transaction((tx) => saveProduct(tx, shop, normalized))) !== "stale") updated++;
    },
  );
  return { checked: pass?.checked ?? 0, updated };
}

// Every product id, 250 a page in id order: about 250 points a page.
export const PRODUCT_IDS_QUERY = `#graphql
query ReconcileProductIds($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes { legacyResourceId }
  }
}`;

interface ProductIdsPage {
  products: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ legacyResourceId: string }> };
}

/** Shopify's order of legacy ids (unsigned integers as decimal strings, no leading zeros). */
const byNumericId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
const NUMERIC_ID = /^[1-9][0-9]*$/;

/**
 * Products deleted in Shopify whose products/delete never came: a change search cannot
 * find what no longer exists, so every product id Shopify lists (in id order, page by
 * page) is walked alongside the live ones we hold, and ours that fall inside a listed
 * page's range without being on it are marked deleted (markProductsDeleted: store model,
 * recommendations, metafields). Memory is our id list, not Shopify's. What changed in the
 * last few minutes before the listing is left alone: it may not be listed yet.
 */
export async function reconcileDeletedProducts(shop: string, admin: AdminGraphql, options: { now?: Date; pageSize?: number } = {}): Promise<{ listed: number; deleted: number } | null> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  if (!row || row.uninstalledAt) return null;
  const unchangedSince = new Date((options.now ?? new Date()).getTime() - SETTLE_MS);
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM product WHERE shop = $1 AND deleted_at IS NULL`, [shop]);
  const ours = rows.map((r) => r.id).filter((id) => NUMERIC_ID.test(id)).sort(byNumericId);
  let next = 0;
  let listed = 0;
  let deleted = 0;
  let after: string | null = null;
  do {
    const { products }: ProductIdsPage = await adminQuery<ProductIdsPage>(admin, PRODUCT_IDS_QUERY, { first: options.pageSize ?? 250, after });
    const ids = products.nodes.map((node) => node.legacyResourceId);
    listed += ids.length;
    const onPage = new Set(ids);
    // The page covers ids up to its last one; the last page covers everything beyond.
    const upTo = products.pageInfo.hasNextPage ? ids[ids.length - 1] : null;
    const gone: string[] = [];
    for (; next < ours.length && (upTo === null || byNumericId(ours[next], upTo) <= 0); next++) {
      if (!onPage.has(ours[next])) gone.push(ours[next]);
    }
    if (gone.length) deleted += (await prisma.$transaction((tx) => markProductsDeleted(tx, shop, gone, unchangedSince))).length;
    after = products.pageInfo.hasNextPage ? products.pageInfo.endCursor : null;
  } while (after);
  return { listed, deleted };
}
