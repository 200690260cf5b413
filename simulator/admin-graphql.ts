import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sharedDir } from "./shared-dir";
import {
  buildClientSchema,
  execute,
  getNamedType,
  GraphQLError,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import {
  customerGid,
  discountAmount,
  legacyId,
  orderGid,
  orderSubtotal,
  productGid,
  variantGid,
  type SimCustomer,
  type SimDiscount,
  type SimFulfillment,
  type SimMetafield,
  type SimOrder,
  type SimProduct,
  type SimStore,
  type SimVariant,
} from "./store";

/**
 * The Admin GraphQL endpoint of the simulator. Every document is validated
 * against Shopify's real introspection schema for the requested version before it
 * runs; execution uses graphql-js over that same schema with one field resolver
 * that reads our plain objects. A field we do not implement answers an error,
 * never a made-up value or a silent null.
 */
export function fixturesDir(): string {
  return process.env.SHOPIFY_FIXTURES_DIR ?? path.join(sharedDir(), "fixtures", "shopify");
}

const schemaCache = new Map<string, GraphQLSchema | null>();
export function loadAdminSchema(version: string): GraphQLSchema | null {
  if (!/^\d{4}-\d{2}$/.test(version)) return null;
  if (schemaCache.has(version)) return schemaCache.get(version)!;
  let schema: GraphQLSchema | null = null;
  try {
    const json = JSON.parse(readFileSync(path.join(fixturesDir(), `admin-schema-${version}.json`), "utf8"));
    schema = buildClientSchema((json.data ?? json) as IntrospectionQuery);
  } catch {
    schema = null;
  }
  schemaCache.set(version, schema);
  return schema;
}

export interface GraphqlLogEntry {
  version: string;
  shop: string;
  operationName: string | null;
  query: string;
  variables: Record<string, unknown> | undefined;
  valid: boolean;
  errors: string[];
  cost: number;
  at: Date;
}

export const MAX_PAGE_SIZE = 250;
export const MAX_SINGLE_QUERY_COST = 1000;

// ---------------------------------------------------------------------------
// Paging and search

type PageArgs = { first?: number | null; after?: string | null; last?: number | null; before?: string | null; reverse?: boolean | null };
type SortedPageArgs = PageArgs & { sortKey?: string | null };

const encodeCursor = (index: number) => Buffer.from(`idx:${index}`).toString("base64");
function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64").toString();
  if (!text.startsWith("idx:") || !Number.isInteger(Number(text.slice(4)))) throw new GraphQLError(`Invalid cursor: ${cursor}`);
  return Number(text.slice(4));
}

/**
 * A top-level resource connection in its sortKey's order (ID when none is given, as
 * Shopify does), with cursors that name the last item's sort position rather than its
 * index: like Shopify's, a cursor stays valid when items are created or deleted between
 * two pages, so paging skips nothing that existed throughout.
 */
function sortedConnection<T extends { id: number; createdAt: Date; updatedAt: Date }>(
  items: T[],
  args: SortedPageArgs,
  context: AdminApiContext,
  toNode: (item: T) => unknown,
) {
  const at = (date: Date) => String(date.getTime()).padStart(15, "0");
  const id = (item: T) => String(item.id).padStart(20, "0");
  const keyOf =
    args.sortKey === "UPDATED_AT" ? (item: T) => `${at(item.updatedAt)}:${id(item)}`
    : args.sortKey === "CREATED_AT" ? (item: T) => `${at(item.createdAt)}:${id(item)}`
    : id;
  const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const list = args.reverse ? keyed.reverse() : keyed;
  const keyIn = (cursor: string) => {
    const text = Buffer.from(cursor, "base64").toString();
    if (!text.startsWith("key:")) throw new GraphQLError(`Invalid cursor: ${cursor}`);
    return text.slice(4);
  };
  // Past the cursor's position in the list's direction, whether or not its item still exists.
  const beyond = (key: string, orAt: boolean) => {
    const index = list.findIndex((entry) => (args.reverse ? entry.key < key || (orAt && entry.key === key) : entry.key > key || (orAt && entry.key === key)));
    return index === -1 ? list.length : index;
  };
  const from = args.after ? beyond(keyIn(args.after), false) : 0;
  const to = args.before ? beyond(keyIn(args.before), true) : list.length;
  const window = list.slice(from, Math.max(from, to));
  const page = connection(window, { first: args.first, last: args.last }, context, (entry) => toNode(entry.item));
  const cursorOf = (cursor: string | null) => (cursor === null ? null : Buffer.from(`key:${window[decodeCursor(cursor)].key}`).toString("base64"));
  return {
    ...page,
    edges: page.edges.map((edge) => ({ node: edge.node, cursor: cursorOf(edge.cursor) })),
    pageInfo: {
      ...page.pageInfo,
      hasNextPage: page.pageInfo.hasNextPage || to < list.length,
      hasPreviousPage: page.pageInfo.hasPreviousPage || from > 0,
      startCursor: cursorOf(page.pageInfo.startCursor),
      endCursor: cursorOf(page.pageInfo.endCursor),
    },
  };
}

/**
 * first/after and last/before paging over an in-memory list. Nodes are built only
 * for the page (`toNode`), so asking for 10 orders does not build 3,000.
 */
function connection<T>(items: T[], args: PageArgs, context: AdminApiContext, toNode: (item: T) => unknown) {
  const list = args.reverse ? [...items].reverse() : items;
  let start = 0;
  let end = list.length;
  if (!context.unbounded) {
    if (args.first == null && args.last == null) throw new GraphQLError("you must provide one of first or last");
    for (const [name, value] of [["first", args.first], ["last", args.last]] as const) {
      if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`);
    }
  }
  if (args.after) start = decodeCursor(args.after) + 1;
  if (args.before) end = Math.min(end, decodeCursor(args.before));
  if (!context.unbounded) {
    if (args.first != null) end = Math.min(end, start + args.first);
    if (args.last != null) start = Math.max(start, end - args.last);
  }
  const slice = list.slice(start, Math.max(start, end));
  const nodes = slice.map(toNode);
  return {
    edges: nodes.map((node, offset) => ({ node, cursor: encodeCursor(start + offset) })),
    nodes,
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: start + slice.length < list.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? encodeCursor(start) : null,
      endCursor: slice.length ? encodeCursor(start + slice.length - 1) : null,
    },
  };
}

/**
 * The parts of Shopify's search syntax the app uses: `updated_at:>'2026-01-01T00:00:00Z'`,
 * `created_at:>=…`, `status:active`, `email:…`, `tag:…`, `product_type:…`, `id:>123`,
 * terms joined by spaces or AND. Terms on fields we do not know are ignored, as a
 * free-text term would match broadly on Shopify.
 */
export function searchFilter<T>(query: string | null | undefined, fields: Record<string, (item: T) => string | number | Date | string[] | null>): (item: T) => boolean {
  if (!query) return () => true;
  const terms: Array<(item: T) => boolean> = [];
  const pattern = /(-?)([a-z_]+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))/gi;
  for (const match of query.matchAll(pattern)) {
    const [, negate, field, op = "", single, double, bare] = match;
    const read = fields[field.toLowerCase()];
    if (!read) continue;
    const raw = single ?? double ?? bare ?? "";
    const test = (item: T) => {
      const value = read(item);
      if (value === null) return false;
      if (Array.isArray(value)) return value.some((entry) => entry.toLowerCase() === raw.toLowerCase());
      const left = value instanceof Date ? value.getTime() : value;
      const right = value instanceof Date ? new Date(raw).getTime() : typeof value === "number" ? Number(raw) : raw.toLowerCase();
      const l = typeof left === "string" ? left.toLowerCase() : left;
      if (op === ">") return l > right;
      if (op === ">=") return l >= right;
      if (op === "<") return l < right;
      if (op === "<=") return l <= right;
      return l === right;
    };
    terms.push(negate ? (item) => !test(item) : test);
  }
  return (item) => terms.every((term) => term(item));
}

/** Decimal text for minor units in a currency: 1999 USD -> "19.99", 1500 JPY -> "1500". */
const decimalIn = (minor: number, currencyCode: string) => {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
  return (minor / 10 ** digits).toFixed(digits);
};
const money = (minor: number, currencyCode: string) => ({ __typename: "MoneyV2", amount: decimalIn(minor, currencyCode), currencyCode });
const moneyBag = (minor: number, currencyCode: string) => ({ __typename: "MoneyBag", shopMoney: money(minor, currencyCode), presentmentMoney: money(minor, currencyCode) });

// ---------------------------------------------------------------------------
// Context and bulk operations

export interface BulkOperationRecord {
  id: string;
  query: string;
  createdAt: Date;
  startedAt: number;
  /** When it completes; known once the result has been counted (just after the operation starts). */
  completeAt: number;
  counted: boolean;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
  failure: string | null;
  /** Lengths of the store's lists when the operation ran: the file shows that moment. */
  snapshot: Snapshot;
  canceled: boolean;
  /** The scopes of the token that started it: the file shows what that token could read. */
  scopes?: string[];
}

type Snapshot = { products: number; customers: number; orders: number };

export class BulkOperations {
  readonly operations = new Map<string, BulkOperationRecord>();
  /** Shopify allows up to five bulk queries at once per shop (API 2026-01+). */
  readonly maxConcurrent = 5;
  current: string | null = null;
  running(): BulkOperationRecord[] {
    const now = Date.now();
    return [...this.operations.values()].filter((operation) => !operation.canceled && !operation.failure && (!operation.counted || now < operation.completeAt));
  }
}

export interface AdminApiContext {
  store: SimStore;
  origin: string;
  apiKey: string;
  bulk: BulkOperations;
  /** Bulk queries read connections whole, without first/last. */
  unbounded: boolean;
  snapshot?: Snapshot;
  /** The access token's granted scopes; absent: every scope (internal callers). */
  scopes?: string[];
}

const ORDER_WINDOW_MS = 60 * 86_400_000;
/**
 * Orders the token may read: without read_all_orders Shopify exposes only the last
 * 60 days of orders (shopify.dev, Order object: "Only the last 60 days' worth of
 * orders from a store are accessible ... by default").
 */
function readableOrders(orders: SimOrder[], context: AdminApiContext): SimOrder[] {
  if (!context.scopes || context.scopes.includes("read_all_orders")) return orders;
  const since = Date.now() - ORDER_WINDOW_MS;
  return orders.filter((order) => order.createdAt.getTime() >= since);
}

const limited = <T>(items: T[], length: number | undefined) => (length === undefined ? items : items.slice(0, length));

// ---------------------------------------------------------------------------
// Resource objects: plain objects whose function-valued fields take the field's arguments.

/** The app-reserved namespace `$app:pathwise` is stored as `app--{app id}--pathwise`. */
export function resolveNamespace(namespace: string, apiKey: string): string {
  if (namespace.startsWith("$app:")) return `app--${appNumericId(apiKey)}--${namespace.slice(5)}`;
  if (namespace === "$app") return `app--${appNumericId(apiKey)}`;
  return namespace;
}
export function appNumericId(apiKey: string): number {
  let hash = 0;
  for (const char of apiKey) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 100000 + (hash % 900000);
}

function ownerTypeOf(ownerId: string): string | null {
  const kind = /^gid:\/\/shopify\/([A-Za-z]+)\/\d+$/.exec(ownerId)?.[1];
  return ({ Product: "PRODUCT", ProductVariant: "PRODUCTVARIANT", Customer: "CUSTOMER", Order: "ORDER", Shop: "SHOP" } as Record<string, string>)[kind ?? ""] ?? null;
}

function metafieldsOwnedBy(context: AdminApiContext, ownerId: string) {
  return context.store.metafields.filter((metafield) => metafield.ownerId === ownerId);
}

function metafieldFields(ownerId: string, context: AdminApiContext) {
  return {
    metafield: (args: { namespace?: string | null; key: string }) => {
      const namespace = resolveNamespace(args.namespace ?? "$app", context.apiKey);
      const found = metafieldsOwnedBy(context, ownerId).find((metafield) => metafield.namespace === namespace && metafield.key === args.key);
      return found ? metafieldNode(found, context) : null;
    },
    metafields: (args: PageArgs & { namespace?: string | null; keys?: string[] | null }) => {
      const namespace = args.namespace ? resolveNamespace(args.namespace, context.apiKey) : null;
      const keys = args.keys?.map((key) => {
        const dot = key.lastIndexOf(".");
        return `${resolveNamespace(key.slice(0, dot), context.apiKey)}.${key.slice(dot + 1)}`;
      });
      const items = metafieldsOwnedBy(context, ownerId).filter(
        (metafield) => (!namespace || metafield.namespace === namespace) && (!keys || keys.includes(`${metafield.namespace}.${metafield.key}`)),
      );
      return connection(items, args, context, (metafield) => metafieldNode(metafield, context));
    },
  };
}

export function metafieldDigest(metafield: Pick<SimMetafield, "type" | "value">): string {
  return createHash("sha256").update(`${metafield.type}\n${metafield.value}`).digest("hex");
}

function metafieldJsonValue(metafield: SimMetafield): unknown {
  const { type, value } = metafield;
  if (type.startsWith("list.") || type === "json" || type === "money" || type === "rating" || type === "dimension" || type === "weight" || type === "volume") return JSON.parse(value);
  if (type === "number_integer" || type === "number_decimal") return Number(value);
  if (type === "boolean") return value === "true";
  return value;
}

function metafieldNode(metafield: SimMetafield, context: AdminApiContext) {
  const referenced = () => {
    if (!metafield.type.endsWith("product_reference")) return [];
    const ids: string[] = metafield.type.startsWith("list.") ? JSON.parse(metafield.value) : [metafield.value];
    return ids.map((id) => context.store.find.product(legacyId(id))).filter((product): product is SimProduct => Boolean(product));
  };
  return {
    __typename: "Metafield",
    id: `gid://shopify/Metafield/${metafield.id}`,
    legacyResourceId: String(metafield.id),
    namespace: metafield.namespace,
    key: metafield.key,
    type: metafield.type,
    value: metafield.value,
    jsonValue: metafieldJsonValue(metafield),
    ownerType: ownerTypeOf(metafield.ownerId),
    owner: () => nodeById(metafield.ownerId, context),
    updatedAt: metafield.updatedAt.toISOString(),
    createdAt: metafield.updatedAt.toISOString(),
    compareDigest: metafieldDigest(metafield),
    description: null,
    reference: () => (metafield.type.startsWith("list.") ? null : (referenced().map((product) => productNode(product, context))[0] ?? null)),
    references: (args: PageArgs) => (metafield.type.startsWith("list.") ? connection(referenced(), args, context, (product) => productNode(product, context)) : null),
  };
}

function variantNode(product: SimProduct, variant: SimVariant, context: AdminApiContext) {
  const currency = context.store.shop.currency;
  const gid = variantGid(variant.id);
  return {
    __typename: "ProductVariant",
    id: gid,
    legacyResourceId: String(variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    price: decimalIn(variant.price, currency),
    contextualPricing: () => ({ __typename: "ProductVariantContextualPricing", price: money(variant.price, currency), compareAtPrice: null }),
    compareAtPrice: null,
    sku: variant.sku,
    barcode: null,
    position: product.variants.indexOf(variant) + 1,
    inventoryQuantity: variant.inventoryQuantity,
    inventoryPolicy: "DENY",
    availableForSale: product.status === "ACTIVE" && variant.inventoryQuantity > 0,
    selectedOptions: [{ __typename: "SelectedOption", name: product.variants.length > 1 ? "Option" : "Title", value: variant.title }],
    taxable: !product.giftCard,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
    image: null,
    product: () => productNode(product, context),
    ...metafieldFields(gid, context),
  };
}

export function productNode(product: SimProduct, context: AdminApiContext) {
  const currency = context.store.shop.currency;
  const prices = product.variants.map((variant) => variant.price);
  const gid = productGid(product.id);
  const image = { __typename: "Image", id: `gid://shopify/ProductImage/${product.id}`, url: product.imageUrl, src: product.imageUrl, altText: product.title, width: 600, height: 600 };
  return {
    __typename: "Product",
    id: gid,
    legacyResourceId: String(product.id),
    title: product.title,
    handle: product.handle,
    description: `${product.title} from ${product.vendor}.`,
    descriptionHtml: `<p>${product.title} from ${product.vendor}.</p>`,
    productType: product.productType,
    vendor: product.vendor,
    tags: product.tags,
    status: product.status,
    isGiftCard: product.giftCard,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
    publishedAt: product.status === "ACTIVE" ? product.createdAt.toISOString() : null,
    totalInventory: product.variants.reduce((sum, variant) => sum + variant.inventoryQuantity, 0),
    tracksInventory: !product.giftCard,
    hasOnlyDefaultVariant: product.variants.length === 1,
    onlineStoreUrl: product.status === "ACTIVE" ? `https://${context.store.shop.domain}/products/${product.handle}` : null,
    featuredImage: image,
    images: (args: PageArgs) => connection([image], args, context, (item) => item),
    priceRangeV2: { __typename: "ProductPriceRangeV2", minVariantPrice: money(Math.min(...prices), currency), maxVariantPrice: money(Math.max(...prices), currency) },
    variantsCount: { __typename: "Count", count: product.variants.length, precision: "EXACT" },
    collections: (args: PageArgs) =>
      connection([product.theme], args, context, (theme) => ({ __typename: "Collection", id: `gid://shopify/Collection/${themeCollectionId(theme)}`, handle: theme, title: theme[0].toUpperCase() + theme.slice(1) })),
    variants: (args: PageArgs) => connection(product.variants, args, context, (variant) => variantNode(product, variant, context)),
    ...metafieldFields(gid, context),
  };
}

function themeCollectionId(theme: string): number {
  return 400_000 + [...theme].reduce((sum, char) => sum + char.charCodeAt(0), 0);
}

function customerNode(customer: SimCustomer, context: AdminApiContext) {
  const gid = customerGid(customer.id);
  const orders = () => context.store.find.ordersOf(customer.id);
  const optIn = customer.marketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null;
  return {
    __typename: "Customer",
    id: gid,
    legacyResourceId: String(customer.id),
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName: `${customer.firstName} ${customer.lastName}`,
    locale: customer.locale,
    tags: customer.tags,
    note: null,
    state: "ENABLED",
    verifiedEmail: true,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
    email: customer.email,
    phone: customer.phone,
    defaultEmailAddress: {
      __typename: "CustomerEmailAddress",
      emailAddress: customer.email,
      marketingState: customer.marketingState,
      marketingUpdatedAt: customer.marketingUpdatedAt?.toISOString() ?? null,
      marketingOptInLevel: optIn,
      validFormat: true,
    },
    emailMarketingConsent: {
      __typename: "CustomerEmailMarketingConsentState",
      marketingState: customer.marketingState,
      consentUpdatedAt: customer.marketingUpdatedAt?.toISOString() ?? null,
      marketingOptInLevel: optIn,
    },
    numberOfOrders: () => String(orders().length),
    amountSpent: () => money(orders().reduce((sum, order) => sum + orderSubtotal(order) - order.totalDiscount, 0), context.store.shop.currency),
    orders: (args: PageArgs) => connection(orders(), args, context, (order) => orderNode(order, context)),
    ...metafieldFields(gid, context),
  };
}

function fulfillmentNode(fulfillment: SimFulfillment) {
  const displayStatus = { delivered: "DELIVERED", in_transit: "IN_TRANSIT", out_for_delivery: "OUT_FOR_DELIVERY", confirmed: "CONFIRMED" } as const;
  return {
    __typename: "Fulfillment",
    id: `gid://shopify/Fulfillment/${fulfillment.id}`,
    legacyResourceId: String(fulfillment.id),
    name: null,
    status: fulfillment.status.toUpperCase(),
    displayStatus: fulfillment.shipmentStatus ? displayStatus[fulfillment.shipmentStatus] : "FULFILLED",
    deliveredAt: fulfillment.shipmentStatus === "delivered" ? fulfillment.updatedAt.toISOString() : null,
    inTransitAt: fulfillment.shipmentStatus === "in_transit" || fulfillment.shipmentStatus === "delivered" ? fulfillment.createdAt.toISOString() : null,
    createdAt: fulfillment.createdAt.toISOString(),
    updatedAt: fulfillment.updatedAt.toISOString(),
    trackingInfo: () => [{ __typename: "FulfillmentTrackingInfo", company: fulfillment.trackingCompany, number: `1Z${fulfillment.id}`, url: null }],
  };
}

function orderNode(order: SimOrder, context: AdminApiContext) {
  const currency = context.store.shop.currency;
  const subtotal = orderSubtotal(order);
  const total = subtotal - order.totalDiscount;
  const gid = orderGid(order.id);
  return {
    __typename: "Order",
    id: gid,
    legacyResourceId: String(order.id),
    name: order.name,
    email: order.email,
    phone: null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    processedAt: order.createdAt.toISOString(),
    cancelledAt: null,
    cancelReason: null,
    closed: false,
    closedAt: null,
    confirmed: true,
    test: false,
    tags: [],
    note: null,
    sourceName: "web",
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    checkoutToken: order.checkoutToken,
    cartToken: order.cartToken,
    discountCode: order.discountCodes[0] ?? null,
    discountCodes: order.discountCodes,
    displayFinancialStatus: order.financialStatus.toUpperCase(),
    displayFulfillmentStatus: order.fulfillmentStatus ? "FULFILLED" : "UNFULFILLED",
    customerLocale: order.customerLocale,
    subtotalPriceSet: moneyBag(total, currency),
    totalPriceSet: moneyBag(total, currency),
    currentTotalPriceSet: moneyBag(total, currency),
    totalDiscountsSet: moneyBag(order.totalDiscount, currency),
    totalTaxSet: moneyBag(0, currency),
    totalShippingPriceSet: moneyBag(0, currency),
    customer: () => {
      const customer = order.customerId ? context.store.find.customer(order.customerId) : undefined;
      return customer ? customerNode(customer, context) : null;
    },
    fulfillments: (args: { first?: number | null }) =>
      context.store.find
        .fulfillmentsOf(order.id)
        .slice(0, args.first ?? undefined)
        .map(fulfillmentNode),
    lineItems: (args: PageArgs) =>
      connection(order.lineItems, args, context, (line) => {
        const found = context.store.find.variant(line.variantId);
        return {
          __typename: "LineItem",
          id: `gid://shopify/LineItem/${line.id}`,
          title: line.title,
          name: `${line.title} - ${line.variantTitle}`,
          variantTitle: line.variantTitle,
          quantity: line.quantity,
          currentQuantity: line.quantity,
          sku: line.sku,
          vendor: found?.product.vendor ?? null,
          isGiftCard: line.giftCard,
          requiresShipping: !line.giftCard,
          originalUnitPriceSet: moneyBag(line.price, currency),
          discountedUnitPriceSet: moneyBag(line.price, currency),
          originalTotalSet: moneyBag(line.price * line.quantity, currency),
          product: () => (found ? productNode(found.product, context) : null),
          variant: () => (found ? variantNode(found.product, found.variant, context) : null),
        };
      }),
    ...metafieldFields(gid, context),
  };
}

function discountNode(discount: SimDiscount, context: AdminApiContext) {
  const now = Date.now();
  const status = discount.endsAt && new Date(discount.endsAt).getTime() < now ? "EXPIRED" : new Date(discount.startsAt).getTime() > now ? "SCHEDULED" : "ACTIVE";
  const value =
    discount.percentage !== null
      ? { __typename: "DiscountPercentage", percentage: discount.percentage }
      : { __typename: "DiscountAmount", amount: money(discount.amount ?? 0, context.store.shop.currency), appliesOnEachItem: false };
  return {
    __typename: "DiscountCodeNode",
    id: `gid://shopify/DiscountCodeNode/${discount.id}`,
    codeDiscount: {
      __typename: "DiscountCodeBasic",
      title: discount.title,
      status,
      startsAt: discount.startsAt,
      endsAt: discount.endsAt,
      usageLimit: discount.usageLimit,
      asyncUsageCount: discount.usageCount,
      appliesOncePerCustomer: discount.appliesOncePerCustomer,
      createdAt: discount.startsAt,
      customerGets: { __typename: "DiscountCustomerGets", value, items: { __typename: "AllDiscountItems", allItems: true } },
      codes: (args: PageArgs) =>
        connection([discount], args, context, (item) => ({ __typename: "DiscountRedeemCode", id: `gid://shopify/DiscountRedeemCode/${item.id}`, code: item.code, asyncUsageCount: item.usageCount })),
      codesCount: { __typename: "Count", count: 1, precision: "EXACT" },
    },
  };
}

function shopNode(store: SimStore) {
  const shop = store.shop;
  return {
    __typename: "Shop",
    id: `gid://shopify/Shop/${shop.id}`,
    name: shop.name,
    email: shop.email,
    contactEmail: shop.email,
    myshopifyDomain: shop.domain,
    url: `https://${shop.domain}`,
    currencyCode: shop.currency,
    enabledPresentmentCurrencies: [shop.currency],
    ianaTimezone: shop.ianaTimezone,
    timezoneAbbreviation: "EST",
    timezoneOffset: "-0500",
    timezoneOffsetMinutes: -300,
    weightUnit: "POUNDS",
    primaryDomain: { __typename: "Domain", id: "gid://shopify/Domain/1", host: shop.domain, url: `https://${shop.domain}`, sslEnabled: true },
    billingAddress: {
      __typename: "ShopAddress",
      id: "gid://shopify/ShopAddress/1",
      address1: shop.address.address1,
      address2: shop.address.address2,
      city: shop.address.city,
      province: shop.address.province,
      provinceCode: "NY",
      zip: shop.address.zip,
      country: shop.address.country,
      countryCodeV2: shop.address.countryCode,
      company: shop.name,
      phone: null,
      formatted: () => [shop.name, shop.address.address1, shop.address.address2, `${shop.address.city} NY ${shop.address.zip}`, shop.address.country].filter(Boolean),
    },
    currencyFormats: { __typename: "CurrencyFormats", moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD" },
  };
}

function nodeById(id: string, context: AdminApiContext): unknown {
  const { store } = context;
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(id);
  if (!match) return null;
  const [, kind, raw] = match;
  const numeric = Number(raw);
  switch (kind) {
    case "Product": {
      const product = store.find.product(numeric);
      return product ? productNode(product, context) : null;
    }
    case "ProductVariant": {
      const found = store.find.variant(numeric);
      return found ? variantNode(found.product, found.variant, context) : null;
    }
    case "Customer": {
      const customer = store.find.customer(numeric);
      return customer ? customerNode(customer, context) : null;
    }
    case "Order": {
      const order = store.find.order(numeric);
      return order ? orderNode(order, context) : null;
    }
    case "BulkOperation":
      return bulkNode(id, context);
    case "DiscountCodeNode": {
      const discount = store.discounts.find((candidate) => candidate.id === numeric);
      return discount ? discountNode(discount, context) : null;
    }
    case "Metafield": {
      const metafield = store.metafields.find((candidate) => candidate.id === numeric);
      return metafield ? metafieldNode(metafield, context) : null;
    }
    default:
      return null;
  }
}

function bulkNode(id: string, context: AdminApiContext) {
  const operation = context.bulk.operations.get(id);
  if (!operation) return null;
  const now = Date.now();
  const status = operation.canceled
    ? "CANCELED"
    : operation.failure
      ? "FAILED"
      : operation.counted && now >= operation.completeAt
        ? "COMPLETED"
        : now - operation.startedAt < 50
          ? "CREATED"
          : "RUNNING";
  const done = status === "COMPLETED";
  const progress = done ? 1 : operation.counted ? Math.max(0, (now - operation.startedAt) / Math.max(1, operation.completeAt - operation.startedAt)) : 0;
  return {
    __typename: "BulkOperation",
    id: operation.id,
    status,
    type: "QUERY",
    errorCode: operation.failure ? "INTERNAL_SERVER_ERROR" : null,
    createdAt: operation.createdAt.toISOString(),
    completedAt: done ? new Date(operation.completeAt).toISOString() : null,
    objectCount: String(done ? operation.objectCount : Math.floor(operation.objectCount * Math.min(progress, 0.99))),
    rootObjectCount: String(done ? operation.rootObjectCount : Math.floor(operation.rootObjectCount * Math.min(progress, 0.99))),
    fileSize: done ? String(operation.fileSize) : null,
    url: done ? `${context.origin}/bulk/${encodeURIComponent(operation.id)}.jsonl` : null,
    partialDataUrl: null,
    query: operation.query,
  };
}

// ---------------------------------------------------------------------------
// Metafield validation (the Admin API's rules for metafieldsSet)

const KNOWN_TYPES = new Set(
  [
    "boolean", "color", "date", "date_time", "dimension", "id", "json", "link", "money", "multi_line_text_field", "number_decimal", "number_integer",
    "rating", "rich_text_field", "single_line_text_field", "url", "volume", "weight", "product_reference", "variant_reference", "collection_reference",
    "customer_reference", "file_reference", "page_reference", "metaobject_reference",
  ].flatMap((type) => (["boolean", "json", "money", "multi_line_text_field", "rich_text_field", "id"].includes(type) ? [type] : [type, `list.${type}`])),
);
const LIST_LIMIT = 128;
const JSON_LIMIT = 128 * 1024;

/** Returns the problem with a value for a type, or null. */
function valueProblem(type: string, value: string, store: SimStore): string | null {
  const isList = type.startsWith("list.");
  const base = isList ? type.slice(5) : type;
  const single = (item: unknown): string | null => {
    switch (base) {
      case "product_reference":
        return typeof item === "string" && /^gid:\/\/shopify\/Product\/\d+$/.test(item) ? (store.find.product(legacyId(item)) ? null : `Value references a product that does not exist: ${item}.`) : "Value must be a product reference (gid://shopify/Product/…).";
      case "variant_reference":
        return typeof item === "string" && /^gid:\/\/shopify\/ProductVariant\/\d+$/.test(item) && store.find.variant(legacyId(item)) ? null : "Value must reference an existing product variant.";
      case "customer_reference":
        return typeof item === "string" && /^gid:\/\/shopify\/Customer\/\d+$/.test(item) && store.find.customer(legacyId(item)) ? null : "Value must reference an existing customer.";
      case "number_integer":
        return Number.isInteger(Number(item)) && String(item).trim() !== "" ? null : "Value must be an integer.";
      case "number_decimal":
        return Number.isFinite(Number(item)) && String(item).trim() !== "" ? null : "Value must be a decimal number.";
      case "boolean":
        return item === "true" || item === "false" || item === true || item === false ? null : "Value must be true or false.";
      case "single_line_text_field":
        return typeof item === "string" && !item.includes("\n") ? null : "Value must be a single line of text.";
      case "url":
        return typeof item === "string" && /^(https?|mailto|sms|tel):/.test(item) ? null : "Value must be a valid URL.";
      case "date":
        return typeof item === "string" && /^\d{4}-\d{2}-\d{2}$/.test(item) ? null : "Value must be a date (YYYY-MM-DD).";
      case "date_time":
        return typeof item === "string" && !Number.isNaN(Date.parse(item)) ? null : "Value must be an ISO 8601 date and time.";
      default:
        return typeof item === "string" || !isList ? null : "Value is invalid.";
    }
  };
  if (base === "json") {
    if (Buffer.byteLength(value) > JSON_LIMIT) return "Value is too large: JSON values are limited to 128 KB.";
    try {
      JSON.parse(value);
      return null;
    } catch {
      return "Value must be valid JSON.";
    }
  }
  if (!isList) return single(value);
  let items: unknown;
  try {
    items = JSON.parse(value);
  } catch {
    return "Value must be a JSON array.";
  }
  if (!Array.isArray(items)) return "Value must be a JSON array.";
  if (items.length > LIST_LIMIT) return `Value has ${items.length} items; lists hold at most ${LIST_LIMIT}.`;
  for (const item of items) {
    const problem = single(item);
    if (problem) return problem;
  }
  return null;
}

function ownerExists(ownerId: string, store: SimStore): boolean {
  const type = ownerTypeOf(ownerId);
  const id = legacyId(ownerId);
  if (type === "PRODUCT") return Boolean(store.find.product(id));
  if (type === "PRODUCTVARIANT") return Boolean(store.find.variant(id));
  if (type === "CUSTOMER") return Boolean(store.find.customer(id));
  if (type === "ORDER") return Boolean(store.find.order(id));
  if (type === "SHOP") return id === store.shop.id;
  return false;
}

type UserError = { __typename: string; field: string[] | null; message: string; code: string | null; elementIndex?: number | null };

// ---------------------------------------------------------------------------
// Root fields

function rootValue(context: AdminApiContext): Record<string, unknown> {
  const { store } = context;
  const userError = (typename: string, field: string[] | null, message: string, code: string | null, elementIndex?: number): UserError => ({
    __typename: typename,
    field,
    message,
    code,
    ...(elementIndex === undefined ? {} : { elementIndex }),
  });
  const snapshot = context.snapshot;
  const productSearch = (query?: string | null) =>
    searchFilter<SimProduct>(query, {
      updated_at: (p) => p.updatedAt,
      created_at: (p) => p.createdAt,
      status: (p) => p.status,
      handle: (p) => p.handle,
      product_type: (p) => p.productType,
      vendor: (p) => p.vendor,
      tag: (p) => p.tags,
      id: (p) => p.id,
      gift_card: (p) => String(p.giftCard),
    });
  return {
    shop: () => shopNode(store),
    shopLocales: () => [{ __typename: "ShopLocale", locale: store.shop.primaryLocale, primary: true, published: true, name: "English" }],

    products: (args: SortedPageArgs & { query?: string | null }) => {
      const filter = productSearch(args.query);
      return sortedConnection(limited(store.products, snapshot?.products).filter(filter), args, context, (product) => productNode(product, context));
    },
    product: (args: { id: string }) => nodeOfKind(args.id, "Product", context),
    productVariants: (args: PageArgs & { query?: string | null }) => {
      const filter = searchFilter<{ product: SimProduct; variant: SimVariant }>(args.query, {
        product_id: (v) => v.product.id,
        sku: (v) => v.variant.sku,
        updated_at: (v) => v.product.updatedAt,
        id: (v) => v.variant.id,
        product_status: (v) => v.product.status,
      });
      const all = limited(store.products, snapshot?.products).flatMap((product) => product.variants.map((variant) => ({ product, variant })));
      return connection(all.filter(filter), args, context, ({ product, variant }) => variantNode(product, variant, context));
    },
    productVariant: (args: { id: string }) => nodeOfKind(args.id, "ProductVariant", context),
    customers: (args: SortedPageArgs & { query?: string | null }) => {
      const filter = searchFilter<SimCustomer>(args.query, {
        updated_at: (c) => c.updatedAt,
        created_at: (c) => c.createdAt,
        email: (c) => c.email,
        id: (c) => c.id,
        tag: (c) => c.tags,
        email_marketing_state: (c) => c.marketingState,
        customer_locale: (c) => c.locale,
      });
      return sortedConnection(limited(store.customers, snapshot?.customers).filter(filter), args, context, (customer) => customerNode(customer, context));
    },
    customer: (args: { id: string }) => nodeOfKind(args.id, "Customer", context),
    orders: (args: SortedPageArgs & { query?: string | null }) => {
      const filter = searchFilter<SimOrder>(args.query, {
        updated_at: (o) => o.updatedAt,
        created_at: (o) => o.createdAt,
        processed_at: (o) => o.createdAt,
        email: (o) => o.email,
        id: (o) => o.id,
        name: (o) => o.name,
        customer_id: (o) => o.customerId,
        financial_status: (o) => o.financialStatus,
        fulfillment_status: (o) => (o.fulfillmentStatus === "fulfilled" ? "shipped" : "unshipped"),
        checkout_token: (o) => o.checkoutToken,
        cart_token: (o) => o.cartToken,
        discount_code: (o) => o.discountCodes,
      });
      return sortedConnection(readableOrders(limited(store.orders, snapshot?.orders), context).filter(filter), args, context, (order) => orderNode(order, context));
    },
    order: (args: { id: string }) => nodeOfKind(args.id, "Order", context),
    node: (args: { id: string }) => nodeById(args.id, context),
    nodes: (args: { ids: string[] }) => args.ids.map((id) => nodeById(id, context)),
    codeDiscountNodeByCode: (args: { code: string }) => {
      const discount = store.find.discount(args.code);
      return discount ? discountNode(discount, context) : null;
    },

    currentBulkOperation: (args: { type?: string | null }) => (args.type && args.type !== "QUERY" ? null : context.bulk.current ? bulkNode(context.bulk.current, context) : null),
    bulkOperation: (args: { id: string }) => bulkNode(args.id, context),

    bulkOperationRunQuery: (args: { query: string }) => {
      const fail = (message: string, code: string) => ({ bulkOperation: null, userErrors: [userError("BulkOperationUserError", ["query"], message, code)] });
      if (context.bulk.running().length >= context.bulk.maxConcurrent) {
        return fail(`A maximum of ${context.bulk.maxConcurrent} bulk query operations can run at the same time for this app and shop.`, "LIMIT_REACHED");
      }
      const prepared = bulkDocument(args.query);
      if ("error" in prepared) return fail(prepared.error, "INVALID");
      const snapshotNow: Snapshot = { products: store.products.length, customers: store.customers.length, orders: store.orders.length };
      const id = `gid://shopify/BulkOperation/${store.nextId()}`;
      const startedAt = Date.now();
      const record: BulkOperationRecord = {
        id,
        query: args.query,
        createdAt: new Date(startedAt),
        startedAt,
        completeAt: Number.POSITIVE_INFINITY,
        counted: false,
        objectCount: 0,
        rootObjectCount: 0,
        fileSize: 0,
        failure: null,
        snapshot: snapshotNow,
        canceled: false,
        scopes: context.scopes,
      };
      context.bulk.operations.set(id, record);
      context.bulk.current = id;
      // The work happens after the mutation has answered, as on Shopify; the file itself is generated when downloaded.
      setImmediate(() => {
        const counted = countBulkQuery(args.query, { ...context, unbounded: true, snapshot: snapshotNow });
        if ("error" in counted) record.failure = counted.error;
        else Object.assign(record, counted, { counted: true, completeAt: Date.now() + Math.min(1000, 100 + counted.objectCount / 50) });
      });
      return { bulkOperation: bulkNode(id, context), userErrors: [] };
    },
    bulkOperationCancel: (args: { id: string }) => {
      const operation = context.bulk.operations.get(args.id);
      if (!operation) return { bulkOperation: null, userErrors: [userError("UserError", ["id"], "Bulk operation does not exist", null)] };
      if (context.bulk.running().includes(operation)) operation.canceled = true;
      return { bulkOperation: bulkNode(args.id, context), userErrors: [] };
    },

    metafieldsSet: (args: { metafields: Array<{ ownerId: string; namespace?: string | null; key: string; type?: string | null; value: string; compareDigest?: string | null }> }) => {
      const fail = (errors: UserError[]) => ({ metafields: null, userErrors: errors });
      const error = (index: number | null, field: string, message: string, code: string) =>
        userError("MetafieldsSetUserError", index === null ? ["metafields"] : ["metafields", String(index), field], message, code, index ?? undefined);
      if (args.metafields.length > 25) return fail([error(null, "", "Exceeded the maximum metafields input limit of 25.", "LESS_THAN_OR_EQUAL_TO")]);
      const errors: UserError[] = [];
      const ownAppPrefix = `app--${appNumericId(context.apiKey)}`;
      const resolved = args.metafields.map((input, index) => {
        const namespace = resolveNamespace(input.namespace ?? "$app", context.apiKey);
        const ownerType = ownerTypeOf(input.ownerId);
        const definition = store.metafieldDefinitions.find((d) => d.ownerType === ownerType && d.namespace === namespace && d.key === input.key);
        const type = input.type ?? definition?.type ?? null;
        const existing = store.metafields.find((m) => m.ownerId === input.ownerId && m.namespace === namespace && m.key === input.key);
        if (!ownerType || !ownerExists(input.ownerId, store)) errors.push(error(index, "ownerId", "Owner does not exist.", "INVALID"));
        if (namespace.startsWith("app--") && namespace !== ownAppPrefix && !namespace.startsWith(`${ownAppPrefix}--`)) {
          errors.push(error(index, "namespace", "Access to this namespace and key on Metafields for this resource type is not allowed.", "APP_NOT_AUTHORIZED"));
        }
        if (namespace.length < 3) errors.push(error(index, "namespace", "Namespace is too short (minimum is 3 characters)", "TOO_SHORT"));
        if (namespace.length > 255) errors.push(error(index, "namespace", "Namespace is too long (maximum is 255 characters)", "TOO_LONG"));
        if (input.key.length < 2) errors.push(error(index, "key", "Key is too short (minimum is 2 characters)", "TOO_SHORT"));
        else if (input.key.length > 64) errors.push(error(index, "key", "Key is too long (maximum is 64 characters)", "TOO_LONG"));
        else if (!/^[a-zA-Z0-9_-]+$/.test(input.key)) errors.push(error(index, "key", "Key contains one or more invalid characters.", "INVALID"));
        if (!type) errors.push(error(index, "type", "Type can't be blank.", "BLANK"));
        else if (!KNOWN_TYPES.has(type)) errors.push(error(index, "type", `Type '${type}' is not a valid metafield type.`, "INVALID_TYPE"));
        else if (definition && definition.type !== type) errors.push(error(index, "type", `Type must be '${definition.type}' (set by the metafield definition).`, "INVALID_TYPE"));
        else {
          const problem = valueProblem(type, input.value, store);
          if (problem) errors.push(error(index, "value", problem, "INVALID_VALUE"));
        }
        if (input.compareDigest !== undefined) {
          const current = existing ? metafieldDigest(existing) : null;
          if (input.compareDigest !== current) {
            errors.push(error(index, "compareDigest", "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.", "STALE_OBJECT"));
          }
        }
        return { input, namespace, type: type ?? "", existing };
      });
      // Atomic like Shopify: one bad input and nothing is written.
      if (errors.length) return fail(errors);
      const now = new Date();
      const written = resolved.map(({ input, namespace, type, existing }) => {
        if (existing) {
          Object.assign(existing, { type, value: input.value, updatedAt: now });
          return metafieldNode(existing, context);
        }
        const created: SimMetafield = { id: store.nextId(), ownerId: input.ownerId, namespace, key: input.key, type, value: input.value, updatedAt: now };
        store.metafields.push(created);
        return metafieldNode(created, context);
      });
      return { metafields: written, userErrors: [] };
    },

    // Deletes by owner, namespace and key; a metafield that does not exist gets null in
    // deletedMetafields and no error (as Shopify documents). Another app's reserved namespace is refused.
    metafieldsDelete: (args: { metafields: Array<{ ownerId: string; namespace: string; key: string }> }) => {
      if (!args.metafields.length) return { deletedMetafields: null, userErrors: [userError("UserError", ["metafields"], "At least one metafield identifier must be specified.", null)] };
      const ownAppPrefix = `app--${appNumericId(context.apiKey)}`;
      const errors = args.metafields.flatMap((input, index) => {
        const namespace = resolveNamespace(input.namespace, context.apiKey);
        return namespace.startsWith("app--") && namespace !== ownAppPrefix && !namespace.startsWith(`${ownAppPrefix}--`)
          ? [userError("UserError", ["metafields", String(index), "namespace"], "Access to this namespace and key on Metafields for this resource type is not allowed.", null)]
          : [];
      });
      if (errors.length) return { deletedMetafields: null, userErrors: errors };
      const deletedMetafields = args.metafields.map((input) => {
        const namespace = resolveNamespace(input.namespace, context.apiKey);
        const index = store.metafields.findIndex((m) => m.ownerId === input.ownerId && m.namespace === namespace && m.key === input.key);
        if (index < 0) return null;
        store.metafields.splice(index, 1);
        return { __typename: "MetafieldIdentifier", ownerId: input.ownerId, namespace, key: input.key };
      });
      return { deletedMetafields, userErrors: [] };
    },

    metafieldDefinitionCreate: (args: { definition: { name: string; namespace?: string | null; key: string; type: string; ownerType: string; access?: { storefront?: string | null } | null } }) => {
      const input = args.definition;
      const fail = (field: string, message: string, code: string) => ({
        createdDefinition: null,
        userErrors: [userError("MetafieldDefinitionCreateUserError", ["definition", field], message, code)],
      });
      const namespace = resolveNamespace(input.namespace ?? "$app", context.apiKey);
      if (!input.name.trim()) return fail("name", "Name can't be blank", "BLANK");
      if (!KNOWN_TYPES.has(input.type)) return fail("type", `Type '${input.type}' is not a valid metafield type.`, "INCLUSION");
      if (!/^[a-zA-Z0-9_-]{2,64}$/.test(input.key)) return fail("key", "Key is invalid (2 to 64 letters, digits, _ or -)", "INVALID_CHARACTER");
      if (store.metafieldDefinitions.some((d) => d.ownerType === input.ownerType && d.namespace === namespace && d.key === input.key)) {
        return fail("key", "Key is in use for Product metafields on the 'namespace' namespace.", "TAKEN");
      }
      const definition = { id: store.nextId(), name: input.name, namespace, key: input.key, type: input.type, ownerType: input.ownerType, storefrontAccess: input.access?.storefront ?? null };
      store.metafieldDefinitions.push(definition);
      return {
        createdDefinition: {
          __typename: "MetafieldDefinition",
          id: `gid://shopify/MetafieldDefinition/${definition.id}`,
          name: definition.name,
          namespace: definition.namespace,
          key: definition.key,
          type: { __typename: "MetafieldDefinitionType", name: definition.type, category: definition.type.includes("reference") ? "REFERENCE" : "TEXT" },
          ownerType: definition.ownerType,
          access: { __typename: "MetafieldAccess", storefront: definition.storefrontAccess ?? "NONE", admin: "MERCHANT_READ_WRITE" },
        },
        userErrors: [],
      };
    },

    customerEmailMarketingConsentUpdate: (args: { input: { customerId: string; emailMarketingConsent: { marketingState: string; marketingOptInLevel?: string | null; consentUpdatedAt?: string | null } } }) => {
      const fail = (field: string[], message: string, code: string) => ({ customer: null, userErrors: [userError("CustomerEmailMarketingConsentUpdateUserError", field, message, code)] });
      const customer = store.find.customer(legacyId(args.input.customerId));
      if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(args.input.customerId) || !customer) return fail(["input", "customerId"], "Customer not found", "INVALID");
      const consent = args.input.emailMarketingConsent;
      if (!["SUBSCRIBED", "UNSUBSCRIBED", "NOT_SUBSCRIBED", "PENDING"].includes(consent.marketingState)) {
        return fail(["input", "emailMarketingConsent", "marketingState"], `Marketing state ${consent.marketingState} cannot be set through the API`, "INCLUSION");
      }
      const at = consent.consentUpdatedAt ? new Date(consent.consentUpdatedAt) : new Date();
      if (at.getTime() > Date.now() + 60_000) return fail(["input", "emailMarketingConsent", "consentUpdatedAt"], "Consent updated at cannot be in the future", "INVALID");
      const state = consent.marketingState === "PENDING" ? "NOT_SUBSCRIBED" : (consent.marketingState as SimCustomer["marketingState"]);
      customer.marketingState = state;
      customer.marketingUpdatedAt = at;
      customer.updatedAt = new Date();
      store.consentChanges.push({ customerId: customer.id, state, at, source: "admin_api" });
      return { customer: customerNode(customer, context), userErrors: [] };
    },

    discountCodeBasicCreate: (args: { basicCodeDiscount: Record<string, unknown> }) => {
      const input = args.basicCodeDiscount as {
        title?: string | null;
        code?: string | null;
        startsAt?: string | null;
        endsAt?: string | null;
        usageLimit?: number | null;
        appliesOncePerCustomer?: boolean | null;
        customerGets?: { value?: { percentage?: number | null; discountAmount?: { amount: string | number; appliesOnEachItem?: boolean } | null } | null; items?: unknown } | null;
        customerSelection?: { all?: boolean | null; customers?: { add?: string[] | null } | null } | null;
        context?: { all?: string | null; customers?: { add?: string[] | null } | null } | null;
      };
      const fail = (field: string[], message: string, code: string) => ({ codeDiscountNode: null, userErrors: [userError("DiscountUserError", ["basicCodeDiscount", ...field], message, code)] });
      if (!input.title?.trim()) return fail(["title"], "Title can't be blank", "BLANK");
      if (!input.code?.trim()) return fail(["code"], "Code can't be blank", "BLANK");
      if (input.code.length > 255) return fail(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG");
      if (!input.startsAt) return fail(["startsAt"], "Starts at can't be blank", "BLANK");
      if (input.endsAt && new Date(input.endsAt) <= new Date(input.startsAt)) return fail(["endsAt"], "Ends at needs to be after starts_at", "INVALID");
      if (!input.customerGets?.items) return fail(["customerGets", "items"], "Items must be specified", "BLANK");
      const percentage = input.customerGets.value?.percentage ?? null;
      const fixed = input.customerGets.value?.discountAmount ? Math.round(Number(input.customerGets.value.discountAmount.amount) * 100) : null;
      if (percentage === null && fixed === null) return fail(["customerGets", "value"], "Value must be specified", "BLANK");
      if (percentage !== null && (percentage <= 0 || percentage > 1)) return fail(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE");
      if (fixed !== null && !(fixed > 0)) return fail(["customerGets", "value", "discountAmount", "amount"], "Value must be greater than 0", "GREATER_THAN");
      if (input.usageLimit != null && input.usageLimit < 1) return fail(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN");
      if (store.find.discount(input.code)) return fail(["code"], "Code must be unique. Please try a different code.", "TAKEN");
      const discount: SimDiscount = {
        id: store.nextId(),
        code: input.code,
        title: input.title,
        percentage,
        amount: fixed,
        usageLimit: input.usageLimit ?? null,
        usageCount: 0,
        appliesOncePerCustomer: Boolean(input.appliesOncePerCustomer),
        startsAt: input.startsAt,
        endsAt: input.endsAt ?? null,
        customerIds: input.context?.customers?.add ?? input.customerSelection?.customers?.add ?? [],
        createdBy: "app",
      };
      store.discounts.push(discount);
      return { codeDiscountNode: discountNode(discount, context), userErrors: [] };
    },

    discountCodeBasicUpdate: (args: { id: string; basicCodeDiscount: Record<string, unknown> }) => {
      // What the app changes on its own discounts: the dates (other fields are left as they are).
      const input = args.basicCodeDiscount as { startsAt?: string | null; endsAt?: string | null };
      const fail = (field: string[], message: string, code: string) => ({ codeDiscountNode: null, userErrors: [userError("DiscountUserError", field, message, code)] });
      const discount = store.discounts.find((candidate) => `gid://shopify/DiscountCodeNode/${candidate.id}` === args.id);
      if (!discount) return fail(["id"], "Discount does not exist", "INVALID");
      const startsAt = input.startsAt ?? discount.startsAt;
      const endsAt = input.endsAt === undefined ? discount.endsAt : input.endsAt;
      if (endsAt && new Date(endsAt) <= new Date(startsAt)) return fail(["basicCodeDiscount", "endsAt"], "Ends at needs to be after starts_at", "INVALID");
      discount.startsAt = startsAt;
      discount.endsAt = endsAt;
      return { codeDiscountNode: discountNode(discount, context), userErrors: [] };
    },

    tagsAdd: (args: { id: string; tags: string[] }) => changeTags(args.id, args.tags, "add", context, userError),
    tagsRemove: (args: { id: string; tags: string[] }) => changeTags(args.id, args.tags, "remove", context, userError),
  };
}

function nodeOfKind(id: string, kind: string, context: AdminApiContext) {
  return id.startsWith(`gid://shopify/${kind}/`) ? nodeById(id, context) : null;
}

function changeTags(
  id: string,
  tags: string[],
  mode: "add" | "remove",
  context: AdminApiContext,
  userError: (typename: string, field: string[] | null, message: string, code: string | null) => UserError,
) {
  const { store } = context;
  const type = ownerTypeOf(id);
  const target =
    type === "CUSTOMER" ? store.find.customer(legacyId(id)) : type === "PRODUCT" ? store.find.product(legacyId(id)) : null;
  if (!target) return { node: null, userErrors: [userError("UserError", ["id"], "Resource not found", null)] };
  const cleaned = tags.flatMap((tag) => tag.split(",")).map((tag) => tag.trim()).filter(Boolean);
  target.tags = mode === "add" ? [...new Set([...target.tags, ...cleaned])] : target.tags.filter((tag) => !cleaned.includes(tag));
  target.updatedAt = new Date();
  return { node: nodeById(id, context), userErrors: [] };
}

// ---------------------------------------------------------------------------
// Execution

/** Reads our objects: a missing property is a field the simulator does not implement, which is an error. */
const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, contextValue, info) => {
  if (source === null || typeof source !== "object" || !(info.fieldName in source)) {
    const where = info.parentType.name === "QueryRoot" || info.parentType.name === "Mutation" ? `root field ${info.fieldName}` : `${info.parentType.name}.${info.fieldName}`;
    throw new GraphQLError(`The Pathwise simulator does not implement ${where}`, { extensions: { code: "NOT_IMPLEMENTED_BY_SIMULATOR" } });
  }
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === "function" ? value(args, contextValue, info) : value;
};

const typeResolver = (value: unknown) => (value as { __typename?: string }).__typename;

function run(schema: GraphQLSchema, document: DocumentNode, context: AdminApiContext, variables?: Record<string, unknown>, operationName?: string | null) {
  return execute({ schema, document, rootValue: rootValue(context), variableValues: variables, operationName: operationName ?? undefined, fieldResolver, typeResolver });
}

// ---------------------------------------------------------------------------
// Bulk queries: Shopify's JSONL (connection children on their own lines with __parentId)

function bulkDocument(query: string): { document: DocumentNode; schema: GraphQLSchema } | { error: string } {
  const schema = loadAdminSchema("2026-10")!;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const errors = validate(schema, document);
  if (errors.length) return { error: errors.map((error) => error.message).join("; ") };
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.operation !== "query") return { error: "Bulk operations support queries only." };
  // Shopify's rules: at least one connection, at most five, nested at most two levels deep.
  let connections = 0;
  let deepest = 0;
  const walk = (set: SelectionSetNode | undefined, depth: number) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD && selection.selectionSet) {
        const isConnection = selection.selectionSet.selections.some((child) => child.kind === Kind.FIELD && (child.name.value === "edges" || child.name.value === "nodes"));
        if (isConnection) {
          connections++;
          deepest = Math.max(deepest, depth + 1);
          walk(selection.selectionSet, depth + 1);
        } else walk(selection.selectionSet, depth);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, depth);
    }
  };
  walk(operation.selectionSet, 0);
  if (connections === 0) return { error: "Bulk queries must contain at least one connection." };
  if (connections > 5) return { error: "Bulk queries cannot contain more than 5 connections." };
  if (deepest > 3) return { error: "Bulk queries cannot contain connections with a nesting depth greater than 2." };
  return { document, schema };
}

/** Yields the JSONL lines of a bulk query, one object at a time. */
function* bulkLines(query: string, context: AdminApiContext): Generator<{ line: string; root: boolean }> {
  const prepared = bulkDocument(query);
  if ("error" in prepared) return;
  const result = run(prepared.schema, prepared.document, context) as { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
  if (result.errors?.length) throw new Error(result.errors.map((error) => error.message).join("; "));
  const isConnection = (value: unknown): value is { edges?: Array<{ node: Record<string, unknown> }>; nodes?: Array<Record<string, unknown>> } =>
    Boolean(value && typeof value === "object" && !Array.isArray(value) && ("edges" in value || "nodes" in value));
  const childrenOf = (value: { edges?: Array<{ node: Record<string, unknown> }>; nodes?: Array<Record<string, unknown>> }) => value.edges?.map((edge) => edge.node) ?? value.nodes ?? [];
  function* emit(node: Record<string, unknown>, parentId: string | undefined): Generator<{ line: string; root: boolean }> {
    const own: Record<string, unknown> = {};
    const children: Array<Record<string, unknown>> = [];
    for (const [key, value] of Object.entries(node)) {
      if (isConnection(value)) children.push(...childrenOf(value));
      else own[key] = value;
    }
    if (parentId) own.__parentId = parentId;
    yield { line: JSON.stringify(own), root: !parentId };
    for (const child of children) yield* emit(child, own.id as string | undefined);
  }
  for (const value of Object.values(result.data ?? {})) {
    if (isConnection(value)) for (const node of childrenOf(value)) yield* emit(node, undefined);
  }
}

function countBulkQuery(query: string, context: AdminApiContext): { objectCount: number; rootObjectCount: number; fileSize: number } | { error: string } {
  const prepared = bulkDocument(query);
  if ("error" in prepared) return prepared;
  let objectCount = 0;
  let rootObjectCount = 0;
  let fileSize = 0;
  try {
    for (const { line, root } of bulkLines(query, context)) {
      objectCount++;
      if (root) rootObjectCount++;
      fileSize += Buffer.byteLength(line) + 1;
    }
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { objectCount, rootObjectCount, fileSize };
}

/** The result file of a completed bulk operation, generated line by line from the snapshot it ran on. */
export function* bulkResultLines(operation: BulkOperationRecord, context: Omit<AdminApiContext, "unbounded" | "snapshot">): Generator<string> {
  for (const { line } of bulkLines(operation.query, { ...context, unbounded: true, snapshot: operation.snapshot, scopes: operation.scopes })) yield `${line}\n`;
}

// ---------------------------------------------------------------------------
// Cost (Shopify's calculated query cost, simplified) and the leaky bucket

/**
 * Scalars and enums cost 0, objects 1, connections 2 plus their page size times
 * the cost of one node, mutations 10. With `data`, page sizes are what came back
 * (the actual cost); without, what was asked (the requested cost).
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, data?: Record<string, unknown> | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const intArg = (field: FieldNode, name: string): number | null => {
    const argument = field.arguments?.find((arg) => arg.name.value === name);
    if (!argument) return null;
    const value: ValueNode = argument.value;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const resolved = variables[value.name.value];
      return typeof resolved === "number" ? resolved : null;
    }
    return null;
  };
  const fieldsOf = (set: SelectionSetNode, typeName: string): FieldNode[] => {
    const out: FieldNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || selection.typeCondition.name.value === typeName || !schema.getType(typeName)) out.push(...fieldsOf(selection.selectionSet, typeName));
        else out.push(...fieldsOf(selection.selectionSet, selection.typeCondition.name.value));
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) out.push(...fieldsOf(fragment.selectionSet, fragment.typeCondition.name.value));
      }
    }
    return out;
  };
  const fieldType = (parent: string, name: string): GraphQLOutputType | null => {
    const type = schema.getType(parent);
    if (!type || !("getFields" in type)) return null;
    return (type.getFields() as Record<string, { type: GraphQLOutputType }>)[name]?.type ?? null;
  };
  const selectionCost = (set: SelectionSetNode, typeName: string, value: unknown, measured: boolean): number => {
    let total = 0;
    for (const field of fieldsOf(set, typeName)) {
      if (!field.selectionSet) continue;
      const type = fieldType(typeName, field.name.value);
      if (!type) {
        total += 1;
        continue;
      }
      const named = getNamedType(type);
      if (isLeafType(named)) continue;
      const key = field.alias?.value ?? field.name.value;
      const child = measured ? (value as Record<string, unknown> | null | undefined)?.[key] : undefined;
      if (measured && (child === null || child === undefined)) continue;
      const unwrapped = isNonNullType(type) ? type.ofType : type;
      if (named.name.endsWith("Connection")) {
        const nodeType = named.name.replace(/Connection$/, "");
        const nodeSets: SelectionSetNode[] = [];
        for (const inner of fieldsOf(field.selectionSet, named.name)) {
          if (inner.name.value === "nodes" && inner.selectionSet) nodeSets.push(inner.selectionSet);
          if (inner.name.value === "edges" && inner.selectionSet) {
            for (const edgeField of fieldsOf(inner.selectionSet, `${nodeType}Edge`)) if (edgeField.name.value === "node" && edgeField.selectionSet) nodeSets.push(edgeField.selectionSet);
          }
        }
        const perNode = (item: unknown) => Math.max(0, ...nodeSets.map((set) => 1 + selectionCost(set, concreteType(nodeType, item), item, measured)));
        if (measured) {
          const connection = child as { edges?: Array<{ node: unknown }>; nodes?: unknown[] };
          const items = connection.edges?.map((edge) => edge.node) ?? connection.nodes ?? [];
          total += 2 + items.reduce((sum: number, item) => sum + perNode(item), 0);
        } else {
          total += 2 + (intArg(field, "first") ?? intArg(field, "last") ?? 1) * perNode(undefined);
        }
      } else if (isListType(unwrapped)) {
        const each = (item: unknown) => 1 + selectionCost(field.selectionSet!, concreteType(named.name, item), item, measured);
        total += measured ? (child as unknown[]).reduce((sum: number, item) => sum + each(item), 0) : (intArg(field, "first") ?? 1) * each(undefined);
      } else {
        total += 1 + selectionCost(field.selectionSet, concreteType(named.name, child), child, measured);
      }
    }
    return total;
  };
  const concreteType = (name: string, value: unknown) => {
    const typename = (value as { __typename?: string } | null | undefined)?.__typename;
    return typename && schema.getType(typename) ? typename : name;
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === "mutation") total += 10 * fieldsOf(definition.selectionSet, schema.getMutationType()?.name ?? "Mutation").length;
    else total += selectionCost(definition.selectionSet, schema.getQueryType()?.name ?? "QueryRoot", data, data !== undefined);
  }
  return Math.max(1, total);
}

/** The leaky bucket Shopify throttles with (per app and shop). */
export class CostBucket {
  private available: number;
  private updated = Date.now();
  constructor(
    private maximum = 1000,
    private restoreRate = 50,
  ) {
    this.available = maximum;
  }
  /** A different plan's limits from now on (tests of pacing), starting full. */
  configure(maximum: number, restoreRate: number) {
    this.maximum = maximum;
    this.restoreRate = restoreRate;
    this.available = maximum;
    this.updated = Date.now();
  }
  private refill() {
    const now = Date.now();
    this.available = Math.min(this.maximum, this.available + ((now - this.updated) / 1000) * this.restoreRate);
    this.updated = now;
  }
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }
  refund(points: number) {
    this.refill();
    this.available = Math.min(this.maximum, this.available + Math.max(0, points));
  }
  status() {
    this.refill();
    return { maximumAvailable: this.maximum, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }
}

export interface ExecuteResult {
  status: number;
  body: unknown;
  logEntry: GraphqlLogEntry;
}

// Apps send the same few documents again and again: remember each one's parse and validation.
const checkedDocuments = new Map<string, { document: DocumentNode; validation: readonly GraphQLError[] }>();
function parseAndValidate(schema: GraphQLSchema, version: string, query: string): { document: DocumentNode; validation: readonly GraphQLError[] } | { parseError: GraphQLError } {
  const key = `${version}\n${query}`;
  const cached = checkedDocuments.get(key);
  if (cached) return cached;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { parseError: error as GraphQLError };
  }
  const checked = { document, validation: validate(schema, document) };
  if (checkedDocuments.size >= 500) checkedDocuments.delete(checkedDocuments.keys().next().value!);
  checkedDocuments.set(key, checked);
  return checked;
}

/** Validates against the version's real schema, charges the bucket, executes, refunds the difference. */
export async function executeAdminGraphql(
  request: { version: string; query: string; variables?: Record<string, unknown>; operationName?: string | null; shop: string },
  context: AdminApiContext,
  bucket: CostBucket,
): Promise<ExecuteResult> {
  const logEntry: GraphqlLogEntry = {
    version: request.version,
    shop: request.shop,
    operationName: request.operationName ?? null,
    query: request.query,
    variables: request.variables,
    valid: false,
    errors: [],
    cost: 0,
    at: new Date(),
  };
  const schema = loadAdminSchema(request.version);
  if (!schema) {
    logEntry.errors = [`Unknown API version ${request.version}`];
    return { status: 404, body: { errors: "Not Found" }, logEntry };
  }
  const checked = parseAndValidate(schema, request.version, request.query);
  if ("parseError" in checked) {
    const parseError = checked.parseError;
    logEntry.errors = [parseError.message];
    return { status: 200, body: { errors: [{ message: parseError.message, locations: parseError.locations, extensions: { code: "PARSE_ERROR" } }] }, logEntry };
  }
  const { document, validation } = checked;
  if (validation.length) {
    logEntry.errors = validation.map((error) => error.message);
    return {
      status: 200,
      body: { errors: validation.map((error) => ({ message: error.message, locations: error.locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) },
      logEntry,
    };
  }
  logEntry.valid = true;
  const requested = queryCost(schema, document, request.variables);
  logEntry.cost = requested;
  if (requested > MAX_SINGLE_QUERY_COST) {
    return {
      status: 200,
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_SINGLE_QUERY_COST },
          },
        ],
      },
      logEntry,
    };
  }
  if (!bucket.take(requested)) {
    logEntry.errors = ["Throttled"];
    return {
      status: 200,
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      logEntry,
    };
  }
  const result = await run(schema, document, context, request.variables, request.operationName);
  const actual = Math.min(requested, queryCost(schema, document, request.variables, result.data ?? null));
  bucket.refund(requested - actual);
  if (result.errors?.length) logEntry.errors = result.errors.map((error) => error.message);
  return {
    status: 200,
    body: { ...result, extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } } },
    logEntry,
  };
}

/** Every key of the objects we build must be a field of that type in the schema (a typo would otherwise hide). */
export function implementedFieldsNotInSchema(schema: GraphQLSchema, store: SimStore, context: Omit<AdminApiContext, "store">): string[] {
  const full: AdminApiContext = { ...context, store };
  const product = store.products[0];
  const order = store.orders.find((candidate) => candidate.customerId && store.find.fulfillmentsOf(candidate.id).length)!;
  const samples: unknown[] = [
    shopNode(store),
    productNode(product, full),
    variantNode(product, product.variants[0], full),
    customerNode(store.customers[0], full),
    orderNode(order, full),
    fulfillmentNode(store.find.fulfillmentsOf(order.id)[0]),
    discountNode(store.discounts[0], full),
    (discountNode(store.discounts[0], full) as { codeDiscount: unknown }).codeDiscount,
    metafieldNode({ id: 1, ownerId: productGid(product.id), namespace: "app--1--x", key: "k", type: "single_line_text_field", value: "v", updatedAt: new Date() }, full),
  ];
  const problems: string[] = [];
  const check = (value: unknown) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    const typename = (value as { __typename?: string }).__typename;
    if (!typename) return;
    const type = schema.getType(typename);
    if (!type || !("getFields" in type)) return void problems.push(`${typename} is not an object type`);
    const fields = type.getFields() as Record<string, unknown>;
    for (const [key, child] of Object.entries(value)) {
      if (key === "__typename") continue;
      if (!(key in fields)) problems.push(`${typename}.${key}`);
      if (typeof child !== "function") check(child);
      if (Array.isArray(child)) child.forEach(check);
    }
  };
  samples.forEach(check);
  return problems;
}
