import { parseCrontab } from "graphile-worker";
import { describe, expect, it } from "vitest";
import prisma, { pool } from "../../app/db.server";
import { checkSettings, crontab, taskList } from "../../app/jobs/tasks.server";
import "../../app/features.server";
import { cartCheckoutRetentionDays, PRUNE_STORE_TASK, pruneCartsAndCheckouts } from "../../app/store/retention.server";

const SHOP = "store-retention.myshopify.com";
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe("cart and checkout retention", () => {
  it("deletes carts and checkouts unchanged for the window, but not a checkout whose flow run is still going, nor recent or undated ones", async () => {
    await prisma.cart.createMany({
      data: [
        { shop: SHOP, token: "cart-old", shopifyUpdatedAt: ago(120) },
        { shop: SHOP, token: "cart-old-created-only", shopifyCreatedAt: ago(100) },
        { shop: SHOP, token: "cart-recent", shopifyUpdatedAt: ago(10) },
        { shop: SHOP, token: "cart-undated" },
      ],
    });
    await prisma.checkout.createMany({
      data: [
        { shop: SHOP, token: "chk-abandoned", email: "gone@example.com", shopifyUpdatedAt: ago(95) },
        { shop: SHOP, token: "chk-completed", email: "bought@example.com", completedAt: ago(91), orderId: "1", shopifyUpdatedAt: ago(91) },
        { shop: SHOP, token: "chk-ended-run", email: "ended@example.com", shopifyUpdatedAt: ago(200) },
        { shop: SHOP, token: "chk-open-run", email: "waiting@example.com", shopifyUpdatedAt: ago(200) },
        { shop: SHOP, token: "chk-recent", email: "fresh@example.com", shopifyUpdatedAt: ago(5) },
      ],
    });
    await prisma.flowRun.createMany({
      data: [
        { id: "run-ended", shop: SHOP, flowKey: "abandoned_checkout", subjectKey: "chk-ended-run", anchorAt: ago(200), state: "completed", endedAt: ago(150) },
        { id: "run-open", shop: SHOP, flowKey: "abandoned_checkout", subjectKey: "chk-open-run", anchorAt: ago(200), state: "waiting" },
      ],
    });

    expect(await pruneCartsAndCheckouts(pool, { olderThan: ago(90) })).toEqual({ carts: 2, checkouts: 3 });

    expect((await prisma.cart.findMany({ where: { shop: SHOP }, select: { token: true } })).map((c) => c.token).sort()).toEqual(["cart-recent", "cart-undated"]);
    expect((await prisma.checkout.findMany({ where: { shop: SHOP }, select: { token: true } })).map((c) => c.token).sort()).toEqual(["chk-open-run", "chk-recent"]);
    // The runs themselves (figures, attribution) are untouched.
    expect(await prisma.flowRun.count({ where: { shop: SHOP } })).toBe(2);
    expect(await pruneCartsAndCheckouts(pool, { olderThan: ago(90) })).toEqual({ carts: 0, checkouts: 0 });
  });

  it("runs daily on the worker's crontab as a registered task", () => {
    const [item] = parseCrontab(crontab()).filter((entry) => entry.task === PRUNE_STORE_TASK);
    expect(item.match({ min: 20, hour: 4, date: 2, month: 12, dow: 3 })).toBe(true);
    expect(item.match({ min: 0, hour: 4, date: 2, month: 12, dow: 3 })).toBe(false);
    expect(taskList()[PRUNE_STORE_TASK]).toBeTypeOf("function");
  });

  it("reads its window from CART_CHECKOUT_RETENTION_DAYS, refuses a bad one, and a worker checks it before starting", () => {
    expect(cartCheckoutRetentionDays(undefined)).toBe(90);
    expect(cartCheckoutRetentionDays("45")).toBe(45);
    expect(() => cartCheckoutRetentionDays("7")).toThrow(/at least 30/);
    expect(() => cartCheckoutRetentionDays("a season")).toThrow(/CART_CHECKOUT_RETENTION_DAYS/);
    const previous = process.env.CART_CHECKOUT_RETENTION_DAYS;
    process.env.CART_CHECKOUT_RETENTION_DAYS = "7";
    try {
      expect(() => checkSettings()).toThrow(/CART_CHECKOUT_RETENTION_DAYS/);
    } finally {
      if (previous === undefined) delete process.env.CART_CHECKOUT_RETENTION_DAYS;
      else process.env.CART_CHECKOUT_RETENTION_DAYS = previous;
    }
    expect(() => checkSettings()).not.toThrow();
  });
});

describe("recommendation model settings", () => {
  it("a worker refuses to start with a RECS_MODEL_CONCURRENCY that is not a whole number from 1 to 64", () => {
    const previous = process.env.RECS_MODEL_CONCURRENCY;
    try {
      for (const bad of ["0", "2.5", "many", "65"]) {
        process.env.RECS_MODEL_CONCURRENCY = bad;
        expect(() => checkSettings()).toThrow(/RECS_MODEL_CONCURRENCY/);
      }
      process.env.RECS_MODEL_CONCURRENCY = "4";
      expect(() => checkSettings()).not.toThrow();
    } finally {
      if (previous === undefined) delete process.env.RECS_MODEL_CONCURRENCY;
      else process.env.RECS_MODEL_CONCURRENCY = previous;
    }
  });
});

describe("order retention", () => {
  it("deletes orders placed before the window with their lines and fulfillments, but not one a flow run still waits on", async () => {
    const { orderRetentionDays, pruneOrders } = await import("../../app/store/retention.server");
    const shop = "order-retention.myshopify.com";
    const order = (id: string, placedDaysAgo: number) => ({ shop, id, email: `${id}@example.com`, shopifyCreatedAt: ago(placedDaysAgo) });
    await prisma.order.createMany({ data: [order("old", 800), order("old-waited-on", 800), order("kept", 700), order("recent", 3)] });
    await prisma.orderLine.createMany({ data: ["old", "old-waited-on", "kept"].map((orderId) => ({ shop, orderId, lineId: `${orderId}-1`, productId: "p1", title: "Confetti", quantity: 1, priceMinor: 500 })) });
    await prisma.fulfillment.createMany({ data: [{ shop, id: "f-old", orderId: "old" }, { shop, id: "f-kept", orderId: "kept" }] });
    await prisma.flowRun.create({ data: { id: "run-waiting-on-old", shop, flowKey: "cross_sell", subjectKey: "old-waited-on", anchorAt: ago(10), state: "waiting" } });

    expect(await pruneOrders(pool, { olderThan: ago(orderRetentionDays()) })).toEqual({ orders: 1, fulfillments: 1 });
    expect((await prisma.order.findMany({ where: { shop }, select: { id: true } })).map((o) => o.id).sort()).toEqual(["kept", "old-waited-on", "recent"]);
    expect(await prisma.orderLine.count({ where: { shop, orderId: "old" } })).toBe(0);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(2);
    expect((await prisma.fulfillment.findMany({ where: { shop }, select: { id: true } })).map((f) => f.id)).toEqual(["f-kept"]);
    expect(await pruneOrders(pool, { olderThan: ago(orderRetentionDays()) })).toEqual({ orders: 0, fulfillments: 0 });
  });

  it("runs daily as a registered task, and refuses a window shorter than what the recommendations learn from", async () => {
    const { orderRetentionDays, PRUNE_ORDERS_TASK } = await import("../../app/store/retention.server");
    const [item] = parseCrontab(crontab()).filter((entry) => entry.task === PRUNE_ORDERS_TASK);
    expect(item.match({ min: 30, hour: 4, date: 2, month: 12, dow: 3 })).toBe(true);
    expect(taskList()[PRUNE_ORDERS_TASK]).toBeTypeOf("function");
    expect(orderRetentionDays(undefined)).toBe(730);
    expect(orderRetentionDays("1095")).toBe(1095);
    expect(() => orderRetentionDays("365")).toThrow(/at least 400/);
    const previous = process.env.ORDER_RETENTION_DAYS;
    process.env.ORDER_RETENTION_DAYS = "90";
    try {
      expect(() => checkSettings()).toThrow(/ORDER_RETENTION_DAYS/);
    } finally {
      if (previous === undefined) delete process.env.ORDER_RETENTION_DAYS;
      else process.env.ORDER_RETENTION_DAYS = previous;
    }
  });
});
