import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { saveFlow } from "../../app/flows/abandoned-checkout.server";
import { defaultAbandonedCheckoutSettings } from "../../app/flows/settings";
import { ABANDONED_CHECKOUT } from "../../app/flows/settings";
import { installShop, jobCount, samplePayload, deliverAndProcess } from "../support/shopify";

// Deliveries arrive out of order: a checkout or cart whose order came first is completed by it.
const SHOP = "late-checkout.myshopify.com";

beforeAll(async () => {
  await installShop(SHOP);
  await saveFlow(SHOP, true, defaultAbandonedCheckoutSettings());
});

const process = (topic: string, body: unknown) => deliverAndProcess({ shop: SHOP, topic, body });

describe("a checkout or cart that arrives after its order", () => {
  it("is linked to the order and completed, and no abandoned-checkout run starts for it", async () => {
    const orderCreatedAt = "2026-11-20T10:05:00.000Z";
    await process("orders/create", {
      ...samplePayload("orders/create"),
      id: 8_700_001,
      checkout_token: "late-chk-1",
      cart_token: "late-cart-1",
      created_at: orderCreatedAt,
      updated_at: orderCreatedAt,
    });
    const jobsBefore = await jobCount();
    await process("checkouts/create", {
      ...samplePayload("checkouts/create"),
      token: "late-chk-1",
      cart_token: "late-cart-1",
      email: "late@example.com",
      completed_at: null,
      created_at: "2026-11-20T10:00:00Z",
      updated_at: "2026-11-20T10:01:00Z",
    });
    await process("carts/update", { ...samplePayload("carts/update"), token: "late-cart-1", updated_at: "2026-11-20T09:59:00Z" });

    const checkout = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "late-chk-1" } } });
    expect(checkout.orderId).toBe("8700001");
    expect(checkout.completedAt?.toISOString()).toBe(orderCreatedAt);
    const cart = await prisma.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "late-cart-1" } } });
    expect(cart.orderId).toBe("8700001");
    expect(await prisma.checkout.count({ where: { shop: SHOP, completedAt: null, orderId: null } })).toBe(0);
    expect(await prisma.flowRun.count({ where: { shop: SHOP, flowKey: ABANDONED_CHECKOUT } })).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);

    // A later update of the checkout without completed_at leaves it completed.
    await process("checkouts/update", { ...samplePayload("checkouts/update"), token: "late-chk-1", cart_token: "late-cart-1", email: "late@example.com", completed_at: null, updated_at: "2026-11-20T10:06:00Z" });
    const again = await prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: "late-chk-1" } } });
    expect([again.orderId, again.completedAt?.toISOString()]).toEqual(["8700001", orderCreatedAt]);
    expect(await prisma.flowRun.count({ where: { shop: SHOP, flowKey: ABANDONED_CHECKOUT } })).toBe(0);
  });

  it("a checkout of the order's cart (another checkout token) is linked through the cart token; an unrelated one stays open", async () => {
    await process("orders/create", { ...samplePayload("orders/create"), id: 8_700_002, checkout_token: null, cart_token: "late-cart-2" });
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: "late-chk-2", cart_token: "late-cart-2", email: null });
    await process("checkouts/create", { ...samplePayload("checkouts/create"), token: "late-chk-3", cart_token: "other-cart", email: "open@example.com", completed_at: null });
    const [linked, open] = await Promise.all(
      ["late-chk-2", "late-chk-3"].map((token) => prisma.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token } } })),
    );
    expect(linked.orderId).toBe("8700002");
    expect(linked.completedAt).not.toBeNull();
    expect([open.orderId, open.completedAt]).toEqual([null, null]);
    // The flow is live here: the open checkout with an email does start a run.
    expect(await prisma.flowRun.count({ where: { shop: SHOP, flowKey: ABANDONED_CHECKOUT, subjectKey: "late-chk-3" } })).toBe(1);
  });
});
