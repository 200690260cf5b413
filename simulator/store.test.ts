import { describe, expect, it } from "vitest";
import { seedStore } from "./store";

const NOW = new Date("2026-11-24T12:00:00Z");

function coPurchasePairs(store: ReturnType<typeof seedStore>) {
  const pairs = new Map<string, number>();
  for (const order of store.orders) {
    const ids = [...new Set(order.lineItems.map((line) => line.productId))].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.set(`${ids[i]}:${ids[j]}`, (pairs.get(`${ids[i]}:${ids[j]}`) ?? 0) + 1);
  }
  return [...pairs.entries()].sort((x, y) => y[1] - x[1]);
}

describe("seeded party-supplies store", () => {
  it("is deterministic for a seed and clock, and different for another seed", () => {
    const a = seedStore({ seed: 7, now: NOW });
    const b = seedStore({ seed: 7, now: NOW });
    const c = seedStore({ seed: 8, now: NOW });
    const fingerprint = (store: typeof a) =>
      store.orders.map((order) => `${order.createdAt.toISOString()}|${order.cartToken}|${order.lineItems.map((line) => `${line.variantId}x${line.quantity}`).join()}|${order.discountCodes}`).join("\n");
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(a.customers.map((customer) => [customer.email, customer.marketingState])).toEqual(b.customers.map((customer) => [customer.email, customer.marketingState]));
    expect(fingerprint(c)).not.toBe(fingerprint(a));
  });

  it("seeds well under a second", () => {
    const started = performance.now();
    const store = seedStore({ seed: 3, now: NOW });
    const elapsed = performance.now() - started;
    expect(store.orders.length).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(1000);
  });

  it("has the shop, catalog, customers and history the brief asks for", () => {
    const store = seedStore({ seed: 1, now: NOW });
    expect(store.shop).toMatchObject({ domain: "pathwise-party.myshopify.com", currency: "USD", ianaTimezone: "America/New_York", primaryLocale: "en" });
    expect(store.shop.address.address1).toBeTruthy();
    expect(store.products.length).toBeGreaterThanOrEqual(60);
    expect(new Set(store.products.map((product) => product.handle)).size).toBe(store.products.length);
    expect(store.products.filter((product) => product.status === "DRAFT").length).toBeGreaterThanOrEqual(2);
    expect(store.products.filter((product) => product.status === "ARCHIVED").length).toBeGreaterThanOrEqual(2);
    expect(store.products.filter((product) => product.giftCard)).toHaveLength(1);
    expect(store.products.some((product) => product.variants.every((variant) => variant.inventoryQuantity === 0))).toBe(true);
    expect(store.products.some((product) => product.variants.length > 1 && product.variants.some((variant) => variant.inventoryQuantity === 0))).toBe(true);
    for (const handle of ["gold-number-balloons", "birthday-candles-24", "witch-costume", "face-paint-kit", "chocolate-party-cake", "unicorn-cake", "cupcake-set-12", "confetti-poppers-6", "party-streamers", "party-hats-8", "gift-bags-kraft", "pinata-star"]) {
      expect(store.products.map((product) => product.handle)).toContain(handle);
    }
    expect(store.customers.length).toBeGreaterThanOrEqual(300);
    expect(new Set(store.customers.map((customer) => customer.locale))).toEqual(new Set(["en", "ko", "th"]));
    expect(new Set(store.customers.map((customer) => customer.marketingState))).toEqual(new Set(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"]));
    expect(store.customers.filter((customer) => customer.marketingState !== "NOT_SUBSCRIBED").every((customer) => customer.marketingUpdatedAt instanceof Date)).toBe(true);

    expect(store.orders.length).toBeGreaterThanOrEqual(3000);
    const yearAgo = NOW.getTime() - 366 * 86_400_000;
    expect(store.orders.every((order) => order.createdAt.getTime() >= yearAgo && order.createdAt <= NOW)).toBe(true);
    expect(store.orders.every((order) => order.lineItems.length > 0 && order.checkoutToken.length === 32 && order.cartToken.length === 32)).toBe(true);
    expect(new Set(store.orders.map((order) => order.checkoutToken)).size).toBe(store.orders.length);
    const discounted = store.orders.filter((order) => order.discountCodes.length);
    expect(discounted.length).toBeGreaterThan(100);
    expect(discounted.every((order) => order.totalDiscount > 0)).toBe(true);
    const delivered = store.fulfillments.filter((fulfillment) => fulfillment.shipmentStatus === "delivered");
    expect(delivered.length).toBeGreaterThan(1000);
    expect(delivered.every((fulfillment) => fulfillment.updatedAt > fulfillment.createdAt)).toBe(true);
    expect(new Set(store.fulfillments.map((fulfillment) => fulfillment.shipmentStatus))).toContain("in_transit");
    // Popularity skew: the best seller sells several times more than the median product.
    const sold = new Map<number, number>();
    for (const order of store.orders) for (const line of order.lineItems) sold.set(line.productId, (sold.get(line.productId) ?? 0) + 1);
    const counts = [...sold.values()].sort((x, y) => y - x);
    expect(counts[0]).toBeGreaterThan(3 * counts[Math.floor(counts.length / 2)]);
    // Draft and archived products are not sold.
    const unsellable = new Set(store.products.filter((product) => product.status !== "ACTIVE").map((product) => product.id));
    expect(store.orders.some((order) => order.lineItems.some((line) => unsellable.has(line.productId)))).toBe(false);
  });

  it("has themed co-purchase structure: the top pairs are thematically related", () => {
    const store = seedStore({ seed: 11, now: NOW });
    const theme = new Map(store.products.map((product) => [product.id, product.theme]));
    const related: Record<string, string[]> = { birthday: ["birthday", "cake"], cake: ["cake", "birthday"], halloween: ["halloween"], celebration: ["celebration"], kids: ["kids", "birthday"], wedding: ["wedding"] };
    const top = coPurchasePairs(store).slice(0, 25);
    const thematic = top.filter(([key]) => {
      const [x, y] = key.split(":").map(Number);
      return related[theme.get(x)!]?.includes(theme.get(y)!);
    });
    expect(thematic.length).toBeGreaterThanOrEqual(22);
    // Halloween costumes come with face paint and masks more than with cakes.
    const byHandle = new Map(store.products.map((product) => [product.handle, product.id]));
    const together = (a: string, b: string) =>
      store.orders.filter((order) => order.lineItems.some((line) => line.productId === byHandle.get(a)) && order.lineItems.some((line) => line.productId === byHandle.get(b))).length;
    expect(together("witch-costume", "face-paint-kit")).toBeGreaterThan(3 * together("witch-costume", "chocolate-party-cake"));
    expect(together("birthday-candles-24", "chocolate-party-cake")).toBeGreaterThan(3 * together("birthday-candles-24", "vampire-teeth"));
  });

  it("is seasonal: Halloween sells in October", () => {
    const store = seedStore({ seed: 5, now: NOW });
    const halloween = new Set(store.products.filter((product) => product.theme === "halloween").map((product) => product.id));
    const shareIn = (month: number) => {
      const orders = store.orders.filter((order) => order.createdAt.getUTCMonth() === month);
      return orders.filter((order) => order.lineItems.some((line) => halloween.has(line.productId))).length / orders.length;
    };
    expect(shareIn(9)).toBeGreaterThan(2 * shareIn(3));
  });

  it("looks up by id and follows appended records", () => {
    const store = seedStore({ seed: 2, now: NOW, orderCount: 50 });
    const order = store.orders[10];
    expect(store.find.order(order.id)).toBe(order);
    expect(store.find.variant(order.lineItems[0].variantId)?.variant.id).toBe(order.lineItems[0].variantId);
    const added = { ...order, id: store.nextId(), name: "#9999" };
    store.orders.push(added);
    expect(store.find.order(added.id)).toBe(added);
    if (order.customerId) expect(store.find.ordersOf(order.customerId)).toContain(added);
    expect(store.find.discount("party10")?.code).toBe("PARTY10");
  });
});
