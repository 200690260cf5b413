import { readFileSync } from "node:fs";
import path from "node:path";
import {
  buildClientSchema,
  execute,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type SelectionSetNode,
} from "graphql";
import {
  customerGid,
  legacyId,
  orderGid,
  productGid,
  variantGid,
  type SimCustomer,
  type SimOrder,
  type SimProduct,
  type SimStore,
} from "./store";

/**
 * The Admin GraphQL endpoint of the simulator. Every document is validated
 * against Shopify's real introspection schema for the requested version before it
 * runs; execution uses graphql-js over that same schema with resolvers for the
 * fields Pathwise uses. A field we do not implement answers an error, never a
 * made-up value.
 */
export function fixturesDir(): string {
  return process.env.SHOPIFY_FIXTURES_DIR ?? path.resolve(import.meta.dirname, "..", "..", "shared", "fixtures", "shopify");
}

const schemaCache = new Map<string, GraphQLSchema>();
export function loadAdminSchema(version: string): GraphQLSchema | null {
  if (schemaCache.has(version)) return schemaCache.get(version)!;
  try {
    const json = JSON.parse(readFileSync(path.join(fixturesDir(), `admin-schema-${version}.json`), "utf8"));
    const schema = buildClientSchema((json.data ?? json) as IntrospectionQuery);
    schemaCache.set(version, schema);
    return schema;
  } catch {
    return null;
  }
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
}

interface Connection<T> {
  edges: Array<{ node: T; cursor: string }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const encodeCursor = (index: number) => Buffer.from(`idx:${index}`).toString("base64");
const decodeCursor = (cursor: string | undefined | null) => (cursor ? Number(Buffer.from(cursor, "base64").toString().slice(4)) : -1);

/** first/after paging over an in-memory list (unbounded when `unbounded`, as bulk operations read). */
function connection<T>(items: T[], args: { first?: number; after?: string; last?: number; before?: string }, unbounded = false): Connection<T> {
  const start = decodeCursor(args.after) + 1;
  const limit = unbounded ? items.length : Math.min(args.first ?? args.last ?? 50, 250);
  const slice = items.slice(start, start + limit);
  return {
    edges: slice.map((node, offset) => ({ node, cursor: encodeCursor(start + offset) })),
    nodes: slice,
    pageInfo: {
      hasNextPage: start + limit < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? encodeCursor(start) : null,
      endCursor: slice.length ? encodeCursor(start + slice.length - 1) : null,
    },
  };
}

/** Shopify's search syntax, the parts we use: `updated_at:>'…'`, `created_at:>=…`, `status:active`. */
function applySearch<T extends { createdAt: Date; updatedAt: Date }>(items: T[], query: string | undefined, status?: (item: T) => string): T[] {
  if (!query) return items;
  let result = items;
  for (const term of query.split(/\s+AND\s+|\s+/i).filter(Boolean)) {
    const match = /^(updated_at|created_at|status):(>=|<=|>|<)?'?([^']+)'?$/.exec(term);
    if (!match) continue;
    const [, field, op = "=", raw] = match;
    if (field === "status") {
      result = result.filter((item) => status?.(item).toLowerCase() === raw.toLowerCase());
      continue;
    }
    const bound = new Date(raw).getTime();
    const key = field === "updated_at" ? "updatedAt" : "createdAt";
    result = result.filter((item) => {
      const value = item[key].getTime();
      return op === ">" ? value > bound : op === ">=" ? value >= bound : op === "<" ? value < bound : op === "<=" ? value <= bound : value === bound;
    });
  }
  return result;
}

const money = (minor: number, currency: string) => ({ amount: (minor / 100).toFixed(2), currencyCode: currency });

export interface AdminApiContext {
  store: SimStore;
  origin: string;
  apiKey: string;
  bulk: BulkOperations;
  unbounded: boolean;
}

export class BulkOperations {
  readonly operations = new Map<string, { id: string; status: string; query: string; createdAt: Date; completeAt: number; objectCount: number; jsonl: string; fileSize: number }>();
  current: string | null = null;
}

/** Builds the GraphQL view of the store: plain objects whose functions are field resolvers. */
function productNode(product: SimProduct, context: AdminApiContext) {
  const currency = context.store.shop.currency;
  const minPrice = Math.min(...product.variants.map((variant) => variant.price));
  const metafieldsOf = () => context.store.metafields.filter((metafield) => metafield.ownerId === productGid(product.id));
  return {
    __typename: "Product",
    id: productGid(product.id),
    legacyResourceId: String(product.id),
    title: product.title,
    handle: product.handle,
    productType: product.productType,
    vendor: product.vendor,
    tags: product.tags,
    status: product.status,
    isGiftCard: product.giftCard,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
    totalInventory: product.variants.reduce((sum, variant) => sum + variant.inventoryQuantity, 0),
    tracksInventory: true,
    onlineStoreUrl: `https://${context.store.shop.domain}/products/${product.handle}`,
    featuredImage: { __typename: "Image", id: `gid://shopify/ProductImage/${product.id}`, url: product.imageUrl, altText: product.title, width: 600, height: 600 },
    featuredMedia: null,
    priceRangeV2: { minVariantPrice: money(minPrice, currency), maxVariantPrice: money(Math.max(...product.variants.map((v) => v.price)), currency) },
    collections: (args: { first?: number; after?: string }) =>
      connection([{ __typename: "Collection", id: `gid://shopify/Collection/${product.theme}`, handle: product.theme, title: product.theme }], args, context.unbounded),
    variants: (args: { first?: number; after?: string }) =>
      connection(
        product.variants.map((variant) => ({
          __typename: "ProductVariant",
          id: variantGid(variant.id),
          legacyResourceId: String(variant.id),
          title: variant.title,
          price: (variant.price / 100).toFixed(2),
          sku: variant.sku,
          inventoryQuantity: variant.inventoryQuantity,
          availableForSale: product.status === "ACTIVE" && variant.inventoryQuantity > 0,
          product: () => productNode(product, context),
        })),
        args,
        context.unbounded,
      ),
    metafield: (args: { namespace?: string; key: string }) => {
      const namespace = resolveNamespace(args.namespace ?? "", context.apiKey);
      const found = metafieldsOf().find((metafield) => metafield.namespace === namespace && metafield.key === args.key);
      return found ? metafieldNode(found) : null;
    },
    metafields: (args: { first?: number; after?: string; namespace?: string }) =>
      connection(
        metafieldsOf()
          .filter((metafield) => !args.namespace || metafield.namespace === resolveNamespace(args.namespace, context.apiKey))
          .map(metafieldNode),
        args,
        context.unbounded,
      ),
  };
}

function metafieldNode(metafield: SimStore["metafields"][number]) {
  return {
    __typename: "Metafield",
    id: `gid://shopify/Metafield/${metafield.id}`,
    namespace: metafield.namespace,
    key: metafield.key,
    type: metafield.type,
    value: metafield.value,
    jsonValue: JSON.parse(metafield.type.startsWith("list.") || metafield.type === "json" ? metafield.value : JSON.stringify(metafield.value)),
    ownerType: "PRODUCT",
    updatedAt: metafield.updatedAt.toISOString(),
    createdAt: metafield.updatedAt.toISOString(),
    compareDigest: String(metafield.updatedAt.getTime()),
  };
}

/** `$app:pathwise` is the app-reserved namespace `app--{app id}--pathwise`. */
export function resolveNamespace(namespace: string, apiKey: string): string {
  if (namespace.startsWith("$app:")) return `app--${appNumericId(apiKey)}--${namespace.slice(5)}`;
  if (namespace === "$app") return `app--${appNumericId(apiKey)}`;
  return namespace;
}
function appNumericId(apiKey: string): number {
  let hash = 0;
  for (const char of apiKey) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 100000 + (hash % 900000);
}

function customerNode(customer: SimCustomer, context: AdminApiContext) {
  return {
    __typename: "Customer",
    id: customerGid(customer.id),
    legacyResourceId: String(customer.id),
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName: `${customer.firstName} ${customer.lastName}`,
    locale: customer.locale,
    tags: customer.tags,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
    email: customer.email,
    defaultEmailAddress: {
      __typename: "CustomerEmailAddress",
      emailAddress: customer.email,
      marketingState: customer.marketingState,
      marketingUpdatedAt: customer.marketingUpdatedAt?.toISOString() ?? null,
      marketingOptInLevel: customer.marketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
    },
    emailMarketingConsent: {
      marketingState: customer.marketingState,
      consentUpdatedAt: customer.marketingUpdatedAt?.toISOString() ?? null,
      marketingOptInLevel: customer.marketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
    },
    numberOfOrders: String(context.store.orders.filter((order) => order.customerId === customer.id).length),
  };
}

function orderNode(order: SimOrder, context: AdminApiContext) {
  const currency = context.store.shop.currency;
  const subtotal = order.lineItems.reduce((sum, line) => sum + line.price * line.quantity, 0);
  const customer = order.customerId ? context.store.customers.find((candidate) => candidate.id === order.customerId) : null;
  const fulfillments = context.store.fulfillments.filter((fulfillment) => fulfillment.orderId === order.id);
  return {
    __typename: "Order",
    id: orderGid(order.id),
    legacyResourceId: String(order.id),
    name: order.name,
    email: order.email,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    processedAt: order.createdAt.toISOString(),
    cancelledAt: null,
    test: false,
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    discountCodes: order.discountCodes,
    displayFinancialStatus: order.financialStatus.toUpperCase(),
    displayFulfillmentStatus: order.fulfillmentStatus ? "FULFILLED" : "UNFULFILLED",
    customerLocale: order.customerLocale,
    subtotalPriceSet: { shopMoney: money(subtotal, currency), presentmentMoney: money(subtotal, currency) },
    totalPriceSet: { shopMoney: money(subtotal, currency), presentmentMoney: money(subtotal, currency) },
    customer: customer ? customerNode(customer, context) : null,
    fulfillments: () =>
      fulfillments.map((fulfillment) => ({
        __typename: "Fulfillment",
        id: `gid://shopify/Fulfillment/${fulfillment.id}`,
        status: fulfillment.status.toUpperCase(),
        displayStatus: fulfillment.shipmentStatus === "delivered" ? "DELIVERED" : fulfillment.shipmentStatus === "in_transit" ? "IN_TRANSIT" : "CONFIRMED",
        deliveredAt: fulfillment.shipmentStatus === "delivered" ? fulfillment.updatedAt.toISOString() : null,
        createdAt: fulfillment.createdAt.toISOString(),
        updatedAt: fulfillment.updatedAt.toISOString(),
      })),
    lineItems: (args: { first?: number; after?: string }) =>
      connection(
        order.lineItems.map((line) => {
          const product = context.store.products.find((candidate) => candidate.id === line.productId);
          return {
            __typename: "LineItem",
            id: `gid://shopify/LineItem/${line.id}`,
            title: line.title,
            name: `${line.title} - ${line.variantTitle}`,
            variantTitle: line.variantTitle,
            quantity: line.quantity,
            currentQuantity: line.quantity,
            sku: line.sku,
            isGiftCard: line.giftCard,
            originalUnitPriceSet: { shopMoney: money(line.price, currency), presentmentMoney: money(line.price, currency) },
            product: product ? productNode(product, context) : null,
            variant: { __typename: "ProductVariant", id: variantGid(line.variantId), legacyResourceId: String(line.variantId), title: line.variantTitle },
          };
        }),
        args,
        context.unbounded,
      ),
  };
}

type Resolvers = Record<string, unknown>;

/** Query and mutation root fields. */
function rootValue(context: AdminApiContext, userErrors: (field: string[], message: string, code?: string) => unknown): Resolvers {
  const { store } = context;
  const shopObject = {
    __typename: "Shop",
    id: `gid://shopify/Shop/${store.shop.id}`,
    name: store.shop.name,
    email: store.shop.email,
    contactEmail: store.shop.email,
    myshopifyDomain: store.shop.domain,
    currencyCode: store.shop.currency,
    ianaTimezone: store.shop.ianaTimezone,
    timezoneAbbreviation: "EST",
    primaryDomain: { __typename: "Domain", id: "gid://shopify/Domain/1", host: store.shop.domain, url: `https://${store.shop.domain}` },
    billingAddress: { __typename: "ShopAddress", ...store.shop.address, countryCodeV2: store.shop.address.countryCode, phone: null, company: null },
    currencyFormats: { moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD" },
  };
  const bulkNode = (id: string) => {
    const operation = context.bulk.operations.get(id);
    if (!operation) return null;
    const done = Date.now() >= operation.completeAt;
    return {
      __typename: "BulkOperation",
      id: operation.id,
      status: done ? "COMPLETED" : "RUNNING",
      errorCode: null,
      createdAt: operation.createdAt.toISOString(),
      completedAt: done ? new Date(operation.completeAt).toISOString() : null,
      objectCount: String(done ? operation.objectCount : Math.floor(operation.objectCount / 2)),
      rootObjectCount: String(done ? operation.objectCount : 0),
      fileSize: done ? String(operation.fileSize) : null,
      url: done ? `${context.origin}/bulk/${encodeURIComponent(operation.id)}.jsonl` : null,
      partialDataUrl: null,
      query: operation.query,
      type: "QUERY",
    };
  };
  return {
    shop: () => shopObject,
    shopLocales: () => [{ __typename: "ShopLocale", locale: store.shop.primaryLocale, primary: true, published: true, name: "English" }],
    products: (args: { first?: number; after?: string; query?: string }) =>
      connection(applySearch(store.products, args.query, (product) => product.status).map((product) => productNode(product, context)), args, context.unbounded),
    product: (args: { id: string }) => {
      const product = store.products.find((candidate) => productGid(candidate.id) === args.id);
      return product ? productNode(product, context) : null;
    },
    customers: (args: { first?: number; after?: string; query?: string }) =>
      connection(applySearch(store.customers, args.query).map((customer) => customerNode(customer, context)), args, context.unbounded),
    customer: (args: { id: string }) => {
      const customer = store.customers.find((candidate) => customerGid(candidate.id) === args.id);
      return customer ? customerNode(customer, context) : null;
    },
    orders: (args: { first?: number; after?: string; query?: string }) =>
      connection(applySearch(store.orders, args.query).map((order) => orderNode(order, context)), args, context.unbounded),
    order: (args: { id: string }) => {
      const order = store.orders.find((candidate) => orderGid(candidate.id) === args.id);
      return order ? orderNode(order, context) : null;
    },
    currentBulkOperation: () => (context.bulk.current ? bulkNode(context.bulk.current) : null),
    bulkOperation: (args: { id: string }) => bulkNode(args.id),
    node: (args: { id: string }) => {
      if (args.id.startsWith("gid://shopify/BulkOperation/")) return bulkNode(args.id);
      if (args.id.startsWith("gid://shopify/Product/")) {
        const product = store.products.find((candidate) => candidate.id === legacyId(args.id));
        return product ? productNode(product, context) : null;
      }
      return null;
    },
    nodes: (args: { ids: string[] }) =>
      args.ids.map((id) => {
        const product = store.products.find((candidate) => productGid(candidate.id) === id);
        return product ? productNode(product, context) : null;
      }),

    bulkOperationRunQuery: (args: { query: string }) => {
      const running = context.bulk.current ? context.bulk.operations.get(context.bulk.current) : null;
      if (running && Date.now() < running.completeAt) {
        return { bulkOperation: null, userErrors: [userErrors(["query"], "A bulk query operation for this app and shop is already in progress", "OPERATION_IN_PROGRESS")] };
      }
      const id = `gid://shopify/BulkOperation/${store.nextId()}`;
      const { jsonl, objectCount, error } = runBulkQuery(args.query, context);
      if (error) return { bulkOperation: null, userErrors: [userErrors(["query"], error, "INVALID")] };
      context.bulk.operations.set(id, {
        id,
        status: "RUNNING",
        query: args.query,
        createdAt: new Date(),
        completeAt: Date.now() + Math.min(1500, 100 + objectCount / 20),
        objectCount,
        jsonl,
        fileSize: Buffer.byteLength(jsonl),
      });
      context.bulk.current = id;
      return { bulkOperation: bulkNode(id), userErrors: [] };
    },

    metafieldsSet: (args: { metafields: Array<{ ownerId: string; namespace?: string; key: string; type?: string; value: string }> }) => {
      if (args.metafields.length > 25) {
        return { metafields: null, userErrors: [userErrors(["metafields"], "Exceeded the maximum metafields input limit of 25.", "LESS_THAN_OR_EQUAL_TO")] };
      }
      const errors: unknown[] = [];
      args.metafields.forEach((input, index) => {
        const owner = store.products.find((product) => productGid(product.id) === input.ownerId);
        if (!owner) errors.push(userErrors(["metafields", String(index), "ownerId"], "Owner does not exist.", "INVALID"));
        if (!input.type) errors.push(userErrors(["metafields", String(index), "type"], "Type can't be blank.", "BLANK"));
        if (input.type === "list.product_reference") {
          let values: unknown;
          try {
            values = JSON.parse(input.value);
          } catch {
            values = null;
          }
          if (!Array.isArray(values)) {
            errors.push(userErrors(["metafields", String(index), "value"], "Value must be a JSON array of product GIDs.", "INVALID_VALUE"));
          } else if (values.length > 128) {
            errors.push(userErrors(["metafields", String(index), "value"], "Value has more than 128 items.", "INVALID_VALUE"));
          } else if (values.some((value) => typeof value !== "string" || !store.products.some((product) => productGid(product.id) === value))) {
            errors.push(userErrors(["metafields", String(index), "value"], "Value references a product that does not exist.", "INVALID_VALUE"));
          }
        }
      });
      if (errors.length) return { metafields: null, userErrors: errors };
      const written = args.metafields.map((input) => {
        const namespace = resolveNamespace(input.namespace ?? "$app", context.apiKey);
        let existing = store.metafields.find((metafield) => metafield.ownerId === input.ownerId && metafield.namespace === namespace && metafield.key === input.key);
        if (!existing) {
          existing = { id: store.nextId(), ownerId: input.ownerId, namespace, key: input.key, type: input.type!, value: input.value, updatedAt: new Date() };
          store.metafields.push(existing);
        } else {
          Object.assign(existing, { type: input.type, value: input.value, updatedAt: new Date() });
        }
        return metafieldNode(existing);
      });
      return { metafields: written, userErrors: [] };
    },

    metafieldDefinitionCreate: (args: { definition: { name: string; namespace: string; key: string; type: string; ownerType: string } }) => ({
      createdDefinition: {
        __typename: "MetafieldDefinition",
        id: `gid://shopify/MetafieldDefinition/${store.nextId()}`,
        name: args.definition.name,
        namespace: resolveNamespace(args.definition.namespace, context.apiKey),
        key: args.definition.key,
        type: { name: args.definition.type },
        ownerType: args.definition.ownerType,
      },
      userErrors: [],
    }),

    customerEmailMarketingConsentUpdate: (args: { input: { customerId: string; emailMarketingConsent: { marketingState: string; marketingOptInLevel?: string; consentUpdatedAt?: string } } }) => {
      const customer = store.customers.find((candidate) => customerGid(candidate.id) === args.input.customerId);
      if (!customer) return { customer: null, userErrors: [userErrors(["input", "customerId"], "Customer not found", "INVALID")] };
      const state = args.input.emailMarketingConsent.marketingState as SimCustomer["marketingState"];
      customer.marketingState = state;
      customer.marketingUpdatedAt = new Date(args.input.emailMarketingConsent.consentUpdatedAt ?? Date.now());
      customer.updatedAt = new Date();
      store.consentChanges.push({ customerId: customer.id, state, at: customer.marketingUpdatedAt, source: "app" });
      return { customer: customerNode(customer, context), userErrors: [] };
    },

    discountCodeBasicCreate: (args: { basicCodeDiscount: Record<string, unknown> }) => {
      const input = args.basicCodeDiscount as {
        title?: string;
        code?: string;
        startsAt?: string;
        endsAt?: string | null;
        usageLimit?: number | null;
        appliesOncePerCustomer?: boolean;
        customerGets?: { value?: { percentage?: number } };
        customerSelection?: { all?: boolean; customers?: { add?: string[] } };
      };
      const percentage = input.customerGets?.value?.percentage;
      if (!input.code) return { codeDiscountNode: null, userErrors: [userErrors(["basicCodeDiscount", "code"], "Code can't be blank", "BLANK")] };
      if (percentage === undefined || percentage <= 0 || percentage > 1) {
        return { codeDiscountNode: null, userErrors: [userErrors(["basicCodeDiscount", "customerGets", "value", "percentage"], "Percentage must be between 0 and 1", "INVALID")] };
      }
      if (store.discounts.some((discount) => discount.code.toLowerCase() === input.code!.toLowerCase())) {
        return { codeDiscountNode: null, userErrors: [userErrors(["basicCodeDiscount", "code"], "Code must be unique. Please try a different code.", "TAKEN")] };
      }
      const discount = {
        id: store.nextId(),
        code: input.code,
        title: input.title ?? input.code,
        percentage,
        usageLimit: input.usageLimit ?? null,
        endsAt: input.endsAt ?? null,
        customerIds: input.customerSelection?.customers?.add ?? [],
      };
      store.discounts.push(discount);
      return {
        codeDiscountNode: {
          __typename: "DiscountCodeNode",
          id: `gid://shopify/DiscountCodeNode/${discount.id}`,
          codeDiscount: {
            __typename: "DiscountCodeBasic",
            title: discount.title,
            status: "ACTIVE",
            startsAt: input.startsAt ?? new Date().toISOString(),
            endsAt: discount.endsAt,
            usageLimit: discount.usageLimit,
            appliesOncePerCustomer: Boolean(input.appliesOncePerCustomer),
            codes: (pageArgs: { first?: number }) => connection([{ __typename: "DiscountRedeemCode", id: `gid://shopify/DiscountRedeemCode/${discount.id}`, code: discount.code, asyncUsageCount: 0 }], pageArgs),
          },
        },
        userErrors: [],
      };
    },

    tagsAdd: (args: { id: string; tags: string[] }) => {
      const customer = store.customers.find((candidate) => customerGid(candidate.id) === args.id);
      if (!customer) return { node: null, userErrors: [userErrors(["id"], "Resource not found", "INVALID")] };
      customer.tags = [...new Set([...customer.tags, ...args.tags])];
      return { node: customerNode(customer, context), userErrors: [] };
    },
  };
}

/** Runs a bulk query over the whole store and writes Shopify's JSONL: nested connection nodes as their own lines with __parentId. */
function runBulkQuery(query: string, context: AdminApiContext): { jsonl: string; objectCount: number; error?: string } {
  const schema = loadAdminSchema("2026-10")!;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { jsonl: "", objectCount: 0, error: (error as Error).message };
  }
  const errors = validate(schema, document);
  if (errors.length) return { jsonl: "", objectCount: 0, error: errors.map((error) => error.message).join("; ") };
  const result = execute({
    schema,
    document,
    rootValue: rootValue({ ...context, unbounded: true }, (field, message) => ({ field, message })),
    typeResolver: (value) => (value as { __typename?: string }).__typename,
  }) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (result.errors?.length) return { jsonl: "", objectCount: 0, error: JSON.stringify(result.errors) };
  const lines: string[] = [];
  const emit = (node: Record<string, unknown>, parentId?: string) => {
    const own: Record<string, unknown> = {};
    const children: Array<Record<string, unknown>> = [];
    for (const [key, value] of Object.entries(node)) {
      if (value && typeof value === "object" && "edges" in (value as object)) {
        for (const edge of (value as { edges: Array<{ node: Record<string, unknown> }> }).edges) children.push(edge.node);
      } else if (value && typeof value === "object" && "nodes" in (value as object) && Array.isArray((value as { nodes: unknown }).nodes)) {
        children.push(...(value as { nodes: Array<Record<string, unknown>> }).nodes);
      } else {
        own[key] = value;
      }
    }
    if (parentId) own.__parentId = parentId;
    lines.push(JSON.stringify(own));
    for (const child of children) emit(child, own.id as string);
  };
  for (const value of Object.values(result.data ?? {})) {
    const root = value as { edges?: Array<{ node: Record<string, unknown> }>; nodes?: Array<Record<string, unknown>> };
    for (const node of root.edges?.map((edge) => edge.node) ?? root.nodes ?? []) emit(node);
  }
  return { jsonl: lines.join("\n") + (lines.length ? "\n" : ""), objectCount: lines.length };
}

/** A rough version of Shopify's calculated query cost: 1 per object, connections multiply by their page size. */
export function estimateCost(document: DocumentNode): number {
  const walk = (set: SelectionSetNode | undefined, multiplier: number): number => {
    if (!set) return 0;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) continue;
        const first = selection.arguments?.find((argument) => argument.name.value === "first" || argument.name.value === "last");
        const pageSize = first && first.value.kind === Kind.INT ? Number(first.value.value) : 1;
        cost += multiplier + walk(selection.selectionSet, multiplier * Math.max(1, pageSize));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += walk(selection.selectionSet, multiplier);
      }
    }
    return cost;
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total += (definition.operation === "mutation" ? 10 : 0) + walk(definition.selectionSet, 1);
  }
  return Math.max(1, total);
}

/** The leaky bucket Shopify throttles with (per app and shop). */
export class CostBucket {
  private available: number;
  private updated = Date.now();
  constructor(readonly maximum = 2000, readonly restoreRate = 100) {
    this.available = maximum;
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

/** Validates against the version's real schema, charges the bucket, executes. */
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
  };
  const schema = loadAdminSchema(request.version);
  if (!schema) {
    logEntry.errors = [`Unknown API version ${request.version}`];
    return { status: 404, body: { errors: `Not Found: API version ${request.version} is not supported` }, logEntry };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    logEntry.errors = [(error as Error).message];
    return { status: 200, body: { errors: [{ message: (error as Error).message, extensions: { code: "PARSE_ERROR" } }] }, logEntry };
  }
  const validation = validate(schema, document);
  if (validation.length) {
    logEntry.errors = validation.map((error) => error.message);
    return {
      status: 200,
      body: { errors: validation.map((error) => ({ message: error.message, locations: error.locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) },
      logEntry,
    };
  }
  logEntry.valid = true;
  const cost = estimateCost(document);
  logEntry.cost = cost;
  if (!bucket.take(cost)) {
    return {
      status: 200,
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      logEntry,
    };
  }
  const result = await execute({
    schema,
    document,
    variableValues: request.variables,
    operationName: request.operationName ?? undefined,
    rootValue: rootValue(context, (field, message, code) => ({ __typename: "UserError", field, message, code: code ?? null })),
    typeResolver: (value) => (value as { __typename?: string }).__typename,
  });
  if (result.errors?.length) logEntry.errors = result.errors.map((error) => error.message);
  return {
    status: 200,
    body: { ...result, extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: bucket.status() } } },
    logEntry,
  };
}
