import { BASKET_RECIPES, CATALOG, FIRST_NAMES, KOREAN_NAMES, LAST_NAMES, THAI_NAMES, VENDOR_BY_THEME, seasonalWeight, type CatalogProduct, type Theme } from "./catalog";

/** A deterministic PRNG (mulberry32): the same seed always builds the same store. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    weighted: <T>(items: readonly T[], weight: (item: T) => number): T => {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let roll = next() * total;
      for (const item of items) {
        roll -= weight(item);
        if (roll <= 0) return item;
      }
      return items[items.length - 1];
    },
    hex: (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(""),
  };
}
export type Random = ReturnType<typeof createRandom>;

export interface SimVariant {
  id: number;
  title: string;
  price: number; // minor units
  inventoryQuantity: number;
  sku: string;
}

export interface SimProduct {
  id: number;
  handle: string;
  title: string;
  productType: string;
  vendor: string;
  theme: Theme;
  tags: string[];
  status: "ACTIVE" | "DRAFT" | "ARCHIVED";
  giftCard: boolean;
  variants: SimVariant[];
  imageUrl: string;
  createdAt: Date;
  updatedAt: Date;
  popularity: number;
  /** Colour of its generated image. */
  colour: string;
}

export type MarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED";

export interface SimCustomer {
  id: number;
  email: string;
  phone: string | null;
  firstName: string;
  lastName: string;
  locale: string;
  marketingState: MarketingState;
  marketingUpdatedAt: Date | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface SimLineItem {
  id: number;
  productId: number;
  variantId: number;
  title: string;
  variantTitle: string;
  quantity: number;
  price: number;
  sku: string;
  giftCard: boolean;
}

export interface SimOrder {
  id: number;
  name: string;
  customerId: number | null;
  email: string | null;
  lineItems: SimLineItem[];
  discountCodes: string[];
  /** Total discount from the codes, in minor units. */
  totalDiscount: number;
  checkoutToken: string;
  cartToken: string;
  createdAt: Date;
  updatedAt: Date;
  financialStatus: "paid" | "pending" | "refunded";
  fulfillmentStatus: "fulfilled" | null;
  customerLocale: string;
  /** The currency the customer saw when it differs from the shop's: `rate` of its units per shop unit. */
  presentment?: { currency: string; rate: number };
}

export interface SimFulfillment {
  id: number;
  orderId: number;
  status: "success" | "pending";
  shipmentStatus: "confirmed" | "in_transit" | "out_for_delivery" | "delivered" | null;
  trackingCompany: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimShop {
  id: number;
  domain: string;
  name: string;
  email: string;
  currency: string;
  ianaTimezone: string;
  primaryLocale: string;
  address: { address1: string; address2: string | null; city: string; province: string; zip: string; country: string; countryCode: string };
}

export interface SimMetafield {
  id: number;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: Date;
}

export interface SimDiscount {
  id: number;
  code: string;
  title: string;
  /** Fraction off (0.1 = 10 %); null when the discount is a fixed amount. */
  percentage: number | null;
  /** Fixed amount off the order in minor units; null for a percentage. */
  amount: number | null;
  usageLimit: number | null;
  usageCount: number;
  appliesOncePerCustomer: boolean;
  startsAt: string;
  endsAt: string | null;
  /** Customer GIDs the code is restricted to; empty = everyone. */
  customerIds: string[];
  createdBy: "seed" | "app";
}

export interface SimMetafieldDefinition {
  id: number;
  name: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: string;
  storefrontAccess: string | null;
}

export interface SimStore {
  shop: SimShop;
  products: SimProduct[];
  customers: SimCustomer[];
  orders: SimOrder[];
  fulfillments: SimFulfillment[];
  metafields: SimMetafield[];
  metafieldDefinitions: SimMetafieldDefinition[];
  discounts: SimDiscount[];
  consentChanges: Array<{ customerId: number; state: MarketingState; at: Date; source: string }>;
  nextId: () => number;
  /** O(1) lookups by numeric id; they follow pushes to the arrays above. */
  find: StoreLookups;
}

export interface StoreLookups {
  product(id: number): SimProduct | undefined;
  variant(id: number): { product: SimProduct; variant: SimVariant } | undefined;
  customer(id: number): SimCustomer | undefined;
  order(id: number): SimOrder | undefined;
  fulfillmentsOf(orderId: number): SimFulfillment[];
  ordersOf(customerId: number): SimOrder[];
  discount(code: string): SimDiscount | undefined;
}

/** A map rebuilt whenever its source array changes length (the store only ever appends). */
function follow<T, K, V>(list: () => T[], build: (items: T[]) => Map<K, V>): (key: K) => V | undefined {
  let size = -1;
  let map = new Map<K, V>();
  return (key) => {
    const items = list();
    if (items.length !== size) {
      map = build(items);
      size = items.length;
    }
    return map.get(key);
  };
}

function group<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const bucket = map.get(k);
    if (bucket) bucket.push(item);
    else map.set(k, [item]);
  }
  return map;
}

export function createLookups(store: Omit<SimStore, "find" | "nextId">): StoreLookups {
  const product = follow(() => store.products, (items) => new Map(items.map((item) => [item.id, item])));
  const variant = follow(
    () => store.products,
    (items) => new Map(items.flatMap((item) => item.variants.map((v) => [v.id, { product: item, variant: v }] as const))),
  );
  const customer = follow(() => store.customers, (items) => new Map(items.map((item) => [item.id, item])));
  const order = follow(() => store.orders, (items) => new Map(items.map((item) => [item.id, item])));
  const fulfillments = follow(() => store.fulfillments, (items) => group(items, (item) => item.orderId));
  const byCustomer = follow(() => store.orders, (items) => group(items, (item) => item.customerId));
  const discount = follow(() => store.discounts, (items) => new Map(items.map((item) => [item.code.toLowerCase(), item])));
  return {
    product,
    variant,
    customer,
    order,
    fulfillmentsOf: (orderId) => fulfillments(orderId) ?? [],
    ordersOf: (customerId) => byCustomer(customerId) ?? [],
    discount: (code) => discount(code.toLowerCase()),
  };
}

const DAY = 86_400_000;

export interface SeedOptions {
  shop?: string;
  seed?: number;
  orderCount?: number;
  customerCount?: number;
  now?: Date;
  imageOrigin?: string;
  /** The shop's currency (USD); catalog prices are taken as its minor units. */
  currency?: string;
}

/** Builds the party-supplies store with its order history. */
export function seedStore(options: SeedOptions = {}): SimStore {
  const random = createRandom(options.seed ?? 20261124);
  const now = options.now ?? new Date();
  let idCounter = 7_000_000_000;
  const nextId = () => ++idCounter;
  const domain = options.shop ?? "pathwise-party.myshopify.com";
  const imageOrigin = options.imageOrigin ?? "http://127.0.0.1";

  const shop: SimShop = {
    id: 60_000_001,
    domain,
    name: "Confetti & Co. Party Supplies",
    email: "hello@confetti-and-co.example",
    currency: options.currency ?? "USD",
    ianaTimezone: "America/New_York",
    primaryLocale: "en",
    address: { address1: "120 Balloon Street", address2: "Suite 4", city: "Brooklyn", province: "New York", zip: "11201", country: "United States", countryCode: "US" },
  };

  const products = CATALOG.map((entry: CatalogProduct): SimProduct => {
    const id = nextId();
    const createdAt = new Date(now.getTime() - 400 * DAY);
    const variants = (entry.variants ?? ["Default Title"]).map((title, index) => ({
      id: nextId(),
      title,
      price: entry.giftCard ? [2500, 5000, 10000][index] ?? entry.price : entry.price + index * Math.round(entry.price * 0.25),
      inventoryQuantity: entry.soldOut || entry.soldOutVariants?.includes(title) ? 0 : random.int(5, 200),
      sku: `${entry.handle.toUpperCase().slice(0, 10)}-${index + 1}`,
    }));
    return {
      id,
      handle: entry.handle,
      title: entry.title,
      productType: entry.productType,
      vendor: entry.vendor ?? VENDOR_BY_THEME[entry.theme],
      theme: entry.theme,
      tags: [...new Set([entry.theme, entry.productType.toLowerCase().replace(/[^a-z0-9]+/g, "-"), ...(entry.tags ?? [])])],
      status: entry.status ?? "ACTIVE",
      giftCard: Boolean(entry.giftCard),
      variants,
      imageUrl: `${imageOrigin}/images/${entry.handle}.svg`,
      createdAt,
      updatedAt: new Date(now.getTime() - random.int(1, 60) * DAY),
      popularity: entry.popularity,
      colour: entry.colour,
    };
  });

  const customerCount = options.customerCount ?? 400;
  const customers: SimCustomer[] = [];
  for (let i = 0; i < customerCount; i++) {
    const roll = random.next();
    const locale = roll < 0.7 ? "en" : roll < 0.85 ? "ko" : "th";
    const firstName = locale === "ko" ? random.pick(KOREAN_NAMES) : locale === "th" ? random.pick(THAI_NAMES) : random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const consentRoll = random.next();
    const marketingState: MarketingState = consentRoll < 0.62 ? "SUBSCRIBED" : consentRoll < 0.9 ? "NOT_SUBSCRIBED" : "UNSUBSCRIBED";
    const createdAt = new Date(now.getTime() - random.int(30, 500) * DAY);
    // Subscribed at sign-up; unsubscribed some time later; never asked = no consent time.
    const marketingUpdatedAt =
      marketingState === "SUBSCRIBED" ? createdAt : marketingState === "UNSUBSCRIBED" ? new Date(createdAt.getTime() + random.int(1, 25) * DAY) : null;
    customers.push({
      id: nextId(),
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
      phone: null,
      firstName,
      lastName,
      locale,
      marketingState,
      marketingUpdatedAt,
      tags: i % 9 === 0 ? ["vip"] : [],
      createdAt,
      updatedAt: marketingUpdatedAt && marketingUpdatedAt > createdAt ? marketingUpdatedAt : createdAt,
    });
  }

  const sellable = products.filter((product) => product.status === "ACTIVE");
  const anyProduct = sellable.filter((product) => !product.giftCard);
  const giftCardProduct = products.find((product) => product.giftCard)!;
  // Codes the merchant already runs; historical orders use some of them.
  const discounts: SimDiscount[] = [
    { code: "PARTY10", percentage: 0.1, amount: null },
    { code: "WELCOME15", percentage: 0.15, amount: null },
    { code: "CONFETTI5", percentage: null, amount: 500 },
  ].map((discount) => ({
    id: nextId(),
    title: discount.code,
    usageLimit: null,
    usageCount: 0,
    appliesOncePerCustomer: false,
    startsAt: new Date(now.getTime() - 400 * DAY).toISOString(),
    endsAt: null,
    customerIds: [],
    createdBy: "seed",
    ...discount,
  }));

  const recipes = BASKET_RECIPES.map((recipe) => ({
    recipe,
    slots: recipe.slots
      .map((slot) => ({ p: slot.p, products: slot.handles.map((handle) => sellable.find((product) => product.handle === handle)).filter((product): product is SimProduct => Boolean(product)) }))
      .filter((slot) => slot.products.length),
  }));
  const recipeWeights = Array.from({ length: 12 }, (_, month) => recipes.map(({ recipe }) => seasonalWeight(recipe, month)));

  const orderCount = options.orderCount ?? 3200;
  const orders: SimOrder[] = [];
  const fulfillments: SimFulfillment[] = [];
  for (let i = 0; i < orderCount; i++) {
    const createdAt = new Date(now.getTime() - (365 * (1 - i / orderCount)) * DAY - random.int(0, 3600_000));
    const month = createdAt.getUTCMonth();
    const recipeIndex = random.weighted(recipes.map((_, index) => index), (index) => recipeWeights[month][index]);
    const { slots } = recipes[recipeIndex];
    const basket = new Map<number, { product: SimProduct; quantity: number }>();
    const add = (product: SimProduct) => {
      const existing = basket.get(product.id);
      if (existing) existing.quantity += 1;
      else basket.set(product.id, { product, quantity: random.next() < 0.8 ? 1 : random.int(2, 4) });
    };
    // Squared weights inside a slot: a few best sellers, a long tail (a real shop's skew).
    const pickIn = (products: SimProduct[]) => random.weighted(products, (candidate) => candidate.popularity ** 2);
    for (const slot of slots) if (random.next() < slot.p) add(pickIn(slot.products));
    if (!basket.size) add(pickIn(slots[0].products));
    // Now and then something unrelated (an impulse buy) rides along.
    if (random.next() < 0.25) add(pickIn(anyProduct));
    if (random.next() < 0.02) basket.set(giftCardProduct.id, { product: giftCardProduct, quantity: 1 });
    const customer = random.next() < 0.85 ? random.pick(customers) : null;
    const lineItems: SimLineItem[] = [...basket.values()].map(({ product, quantity }) => {
      const inStock = product.variants.filter((candidate) => candidate.inventoryQuantity > 0);
      const variant = random.pick(inStock.length ? inStock : product.variants);
      return {
        id: nextId(),
        productId: product.id,
        variantId: variant.id,
        title: product.title,
        variantTitle: variant.title,
        quantity,
        price: variant.price,
        sku: variant.sku,
        giftCard: product.giftCard,
      };
    });
    const id = nextId();
    const ageDays = (now.getTime() - createdAt.getTime()) / DAY;
    const subtotal = lineItems.reduce((sum, line) => sum + line.price * line.quantity, 0);
    const discount = random.next() < 0.12 ? random.pick(discounts) : null;
    if (discount) discount.usageCount++;
    const order: SimOrder = {
      id,
      name: `#${1001 + i}`,
      customerId: customer?.id ?? null,
      email: customer?.email ?? `guest.${i}@example.com`,
      lineItems,
      discountCodes: discount ? [discount.code] : [],
      totalDiscount: discount ? discountAmount(discount, subtotal) : 0,
      checkoutToken: random.hex(32),
      cartToken: random.hex(32),
      createdAt,
      updatedAt: createdAt,
      financialStatus: "paid",
      fulfillmentStatus: ageDays > 2 ? "fulfilled" : null,
      customerLocale: customer?.locale ?? "en",
    };
    orders.push(order);
    if (order.fulfillmentStatus) {
      const shippedAt = new Date(createdAt.getTime() + random.int(1, 2) * DAY);
      const delivered = ageDays > 6 && random.next() < 0.9;
      fulfillments.push({
        id: nextId(),
        orderId: id,
        status: "success",
        shipmentStatus: delivered ? "delivered" : ageDays > 4 ? "in_transit" : "confirmed",
        trackingCompany: random.pick(["UPS", "USPS", "FedEx"]),
        createdAt: shippedAt,
        updatedAt: delivered ? new Date(shippedAt.getTime() + random.int(2, 5) * DAY) : shippedAt,
      });
    }
  }

  const store: SimStore = { shop, products, customers, orders, fulfillments, metafields: [], metafieldDefinitions: [], discounts, consentChanges: [], nextId, find: null! };
  store.find = createLookups(store);
  return store;
}

/** What a code takes off a subtotal (minor units), never more than the subtotal. */
export function discountAmount(discount: Pick<SimDiscount, "percentage" | "amount">, subtotal: number): number {
  const off = discount.percentage !== null ? Math.round(subtotal * discount.percentage) : (discount.amount ?? 0);
  return Math.min(subtotal, off);
}

export const orderSubtotal = (order: SimOrder) => order.lineItems.reduce((sum, line) => sum + line.price * line.quantity, 0);
export const orderTotal = (order: SimOrder) => orderSubtotal(order) - order.totalDiscount;

export const productGid = (id: number | string) => `gid://shopify/Product/${id}`;
export const variantGid = (id: number | string) => `gid://shopify/ProductVariant/${id}`;
export const customerGid = (id: number | string) => `gid://shopify/Customer/${id}`;
export const orderGid = (id: number | string) => `gid://shopify/Order/${id}`;
export const legacyId = (gid: string) => Number(gid.split("/").pop());
