import { CATALOG, FIRST_NAMES, KOREAN_NAMES, LAST_NAMES, THAI_NAMES, THEME_AFFINITY, type CatalogProduct, type Theme } from "./catalog";

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
}

export type MarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED";

export interface SimCustomer {
  id: number;
  email: string;
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
  checkoutToken: string;
  cartToken: string;
  createdAt: Date;
  updatedAt: Date;
  financialStatus: "paid" | "pending" | "refunded";
  fulfillmentStatus: "fulfilled" | null;
  customerLocale: string;
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
  percentage: number;
  usageLimit: number | null;
  endsAt: string | null;
  customerIds: string[];
}

export interface SimStore {
  shop: SimShop;
  products: SimProduct[];
  customers: SimCustomer[];
  orders: SimOrder[];
  fulfillments: SimFulfillment[];
  metafields: SimMetafield[];
  discounts: SimDiscount[];
  consentChanges: Array<{ customerId: number; state: MarketingState; at: Date; source: string }>;
  nextId: () => number;
}

const DAY = 86_400_000;

export interface SeedOptions {
  shop?: string;
  seed?: number;
  orderCount?: number;
  customerCount?: number;
  now?: Date;
  imageOrigin?: string;
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
    currency: "USD",
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
      price: entry.price + index * Math.round(entry.price * 0.25),
      inventoryQuantity: entry.soldOut ? 0 : random.int(5, 200),
      sku: `${entry.handle.toUpperCase().slice(0, 10)}-${index + 1}`,
    }));
    return {
      id,
      handle: entry.handle,
      title: entry.title,
      productType: entry.productType,
      vendor: "Confetti & Co.",
      theme: entry.theme,
      tags: [entry.theme, ...(entry.tags ?? [])],
      status: entry.status ?? "ACTIVE",
      giftCard: Boolean(entry.giftCard),
      variants,
      imageUrl: `${imageOrigin}/images/${entry.handle}.svg`,
      createdAt,
      updatedAt: new Date(now.getTime() - random.int(1, 60) * DAY),
      popularity: entry.popularity,
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
    customers.push({
      id: nextId(),
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
      firstName,
      lastName,
      locale,
      marketingState,
      marketingUpdatedAt: marketingState === "NOT_SUBSCRIBED" ? null : createdAt,
      tags: [],
      createdAt,
      updatedAt: createdAt,
    });
  }

  const sellable = products.filter((product) => product.status === "ACTIVE");
  const byTheme = new Map<Theme, SimProduct[]>();
  for (const product of sellable) byTheme.set(product.theme, [...(byTheme.get(product.theme) ?? []), product]);
  const themes = [...byTheme.keys()].filter((theme) => theme !== "gift");

  // Seasonality: Halloween in October, celebration (New Year) around December,
  // weddings in early summer; birthdays, cakes and kids' parties all year.
  const themeWeight = (theme: Theme, month: number) => {
    if (theme === "halloween") return month === 9 ? 6 : month === 8 ? 2 : 0.4;
    if (theme === "celebration") return month === 11 || month === 0 ? 4 : 1;
    if (theme === "wedding") return month >= 4 && month <= 7 ? 2 : 0.6;
    if (theme === "birthday") return 3;
    if (theme === "kids") return 1.6;
    return 1.8;
  };

  const orderCount = options.orderCount ?? 3200;
  const orders: SimOrder[] = [];
  const fulfillments: SimFulfillment[] = [];
  for (let i = 0; i < orderCount; i++) {
    const createdAt = new Date(now.getTime() - (365 * (1 - i / orderCount)) * DAY - random.int(0, 3600_000));
    const month = createdAt.getUTCMonth();
    const theme = random.weighted(themes, (t) => themeWeight(t, month));
    const basket = new Map<number, { product: SimProduct; quantity: number }>();
    const size = Math.min(7, 1 + Math.floor(-Math.log(1 - random.next()) * 2.2));
    for (let k = 0; k < size; k++) {
      // Mostly the basket's theme, sometimes an affine theme, rarely anything.
      const roll = random.next();
      const pool =
        roll < 0.72
          ? byTheme.get(theme)!
          : roll < 0.92 && THEME_AFFINITY[theme].length
            ? byTheme.get(random.pick(THEME_AFFINITY[theme]))!
            : sellable.filter((product) => !product.giftCard);
      const product = random.weighted(pool, (candidate) => candidate.popularity);
      const existing = basket.get(product.id);
      if (existing) existing.quantity += 1;
      else basket.set(product.id, { product, quantity: random.next() < 0.8 ? 1 : random.int(2, 4) });
    }
    if (random.next() < 0.02) {
      const giftCard = products.find((product) => product.giftCard)!;
      basket.set(giftCard.id, { product: giftCard, quantity: 1 });
    }
    const customer = random.next() < 0.85 ? random.pick(customers) : null;
    const lineItems: SimLineItem[] = [...basket.values()].map(({ product, quantity }) => {
      const variant = random.pick(product.variants);
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
    const order: SimOrder = {
      id,
      name: `#${1001 + i}`,
      customerId: customer?.id ?? null,
      email: customer?.email ?? `guest.${i}@example.com`,
      lineItems,
      discountCodes: random.next() < 0.12 ? [random.pick(["PARTY10", "WELCOME15", "CONFETTI5"])] : [],
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

  return { shop, products, customers, orders, fulfillments, metafields: [], discounts: [], consentChanges: [], nextId };
}

export const productGid = (id: number | string) => `gid://shopify/Product/${id}`;
export const variantGid = (id: number | string) => `gid://shopify/ProductVariant/${id}`;
export const customerGid = (id: number | string) => `gid://shopify/Customer/${id}`;
export const orderGid = (id: number | string) => `gid://shopify/Order/${id}`;
export const legacyId = (gid: string) => Number(gid.split("/").pop());
