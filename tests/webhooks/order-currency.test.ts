import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { seedStore, type SimOrder, type SimStore } from "../../simulator/store";
import { orderPayload } from "../../simulator/webhooks";
import { deliver, drainJobs, installShop } from "../support/shopify";

// Orders are kept in the shop's money: an order's bare amounts and its *_set.shop_money
// are in the shop currency, whatever currency the customer was shown.
const JPY_SHOP = "yen-shop.myshopify.com";
const USD_SHOP = "dollar-shop.myshopify.com";
let yenStore: SimStore;
let dollarStore: SimStore;

beforeAll(async () => {
  yenStore = seedStore({ shop: JPY_SHOP, currency: "JPY", orderCount: 3, customerCount: 3 });
  dollarStore = seedStore({ shop: USD_SHOP, currency: "USD", orderCount: 3, customerCount: 3 });
  await installShop(JPY_SHOP, { currency: "JPY" });
  await installShop(USD_SHOP, { currency: "USD" });
});

function simOrder(store: SimStore, id: number, presentment?: SimOrder["presentment"]): SimOrder {
  const base = store.orders[0];
  return {
    ...base,
    id,
    name: `#${id}`,
    discountCodes: [],
    totalDiscount: 0,
    lineItems: [{ ...base.lineItems[0], id: id + 1, quantity: 2, price: 1500 }],
    presentment,
  };
}

async function deliverOrder(shop: string, body: unknown) {
  const response = await deliver({ shop, topic: "orders/create", body });
  expect(response.status).toBe(200);
  await drainJobs();
}

describe("order money is stored in the shop's currency", () => {
  it("a JPY shop's order presented in USD: ¥3,000 is 3000 JPY, not 300000 USD", async () => {
    const order = simOrder(yenStore, 8_100_001, { currency: "USD", rate: 0.0067 });
    const body = orderPayload(yenStore, order, "orders/create");
    // The simulator sends what Shopify sends: bare amounts in shop money, presentment in *_set.
    expect(body).toMatchObject({ currency: "JPY", presentment_currency: "USD", total_price: "3000" });
    expect(body.total_price_set).toEqual({ shop_money: { amount: "3000", currency_code: "JPY" }, presentment_money: { amount: "20.10", currency_code: "USD" } });
    await deliverOrder(JPY_SHOP, body);

    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: JPY_SHOP, id: String(order.id) } }, include: { lines: true } });
    expect(stored).toMatchObject({ currency: "JPY", totalMinor: 3000, subtotalMinor: 3000 });
    expect(stored.lines.map((line) => line.priceMinor)).toEqual([1500]);
  });

  it("a JPY shop's order in JPY (zero decimals) keeps whole yen", async () => {
    const order = simOrder(yenStore, 8_100_011);
    await deliverOrder(JPY_SHOP, orderPayload(yenStore, order, "orders/create"));
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: JPY_SHOP, id: String(order.id) } }, include: { lines: true } });
    expect(stored).toMatchObject({ currency: "JPY", totalMinor: 3000 });
    expect(stored.lines.map((line) => line.priceMinor)).toEqual([1500]);
  });

  it("a USD shop's order presented in EUR is stored in USD, preferring shop_money over the bare amount", async () => {
    const order = simOrder(dollarStore, 8_100_021, { currency: "EUR", rate: 0.9 });
    const body = orderPayload(dollarStore, order, "orders/create") as Record<string, any>;
    await deliverOrder(USD_SHOP, body);
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: USD_SHOP, id: String(order.id) } }, include: { lines: true } });
    expect(stored).toMatchObject({ currency: "USD", totalMinor: 3000, subtotalMinor: 3000 });
    expect(stored.lines.map((line) => line.priceMinor)).toEqual([1500]);

    // When both are present, the *_set.shop_money amount and code are the ones kept.
    const setOnly = {
      ...body,
      id: 8_100_031,
      total_price: "999.99",
      total_price_set: { ...body.total_price_set, shop_money: { amount: "30.00", currency_code: "USD" } },
      line_items: body.line_items.map((line: Record<string, any>) => ({ ...line, price: "1.00" })),
    };
    await deliverOrder(USD_SHOP, setOnly);
    const fromSet = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: USD_SHOP, id: "8100031" } }, include: { lines: true } });
    expect(fromSet).toMatchObject({ currency: "USD", totalMinor: 3000 });
    expect(fromSet.lines.map((line) => line.priceMinor)).toEqual([1500]);
  });
});
