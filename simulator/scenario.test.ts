import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppReceiver, type AppReceiver } from "./app-receiver";
import { Clock, createSimulator, type Simulator } from "./index";

const SHOP = "scenario-test.myshopify.com";
const API_KEY = "sim-scenario-key";
const API_SECRET = "sim-scenario-secret";
const shopify = shopifyApi({ apiKey: API_KEY, apiSecretKey: API_SECRET, apiVersion: ApiVersion.October26, hostName: "pathwise.test", isEmbeddedApp: true, logger: { level: 0 } });
const DAY = 86_400_000;

describe("Clock", () => {
  it("runs at start + real elapsed × speed, and jumps on advance", async () => {
    const start = new Date("2026-10-01T09:00:00Z");
    const clock = new Clock(3600, start);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = clock.now().getTime() - start.getTime();
    // 50 ms real at 3600× is three simulated minutes (timers are not exact).
    expect(elapsed).toBeGreaterThanOrEqual(40 * 3600);
    expect(elapsed).toBeLessThan(400 * 3600);
    const before = clock.now().getTime();
    const jumped: number[] = [];
    clock.onAdvance = (ms) => void jumped.push(ms);
    const realStart = Date.now();
    await clock.advance(2 * DAY);
    expect(Date.now() - realStart).toBeLessThan(1000);
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(2 * DAY);
    expect(jumped).toEqual([2 * DAY]);
  });
});

describe("the party-week scenario", () => {
  let receiver: AppReceiver;
  let simulator: Simulator;
  let bodies: Array<{ topic: string; triggeredAt: Date; body: Record<string, unknown> & { token?: string; cart_token?: string; checkout_token?: string } }>;
  let realMs: number;

  beforeAll(async () => {
    receiver = await startAppReceiver();
    simulator = createSimulator({ appUrl: receiver.url, apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP, clockSpeed: 86_400, webhookRetries: 0 });
    await simulator.start();
    const started = Date.now();
    await simulator.runScenario();
    realMs = Date.now() - started;
    bodies = receiver.requests.map((request) => ({
      topic: String(request.headers["x-shopify-topic"]),
      triggeredAt: new Date(String(request.headers["x-shopify-triggered-at"])),
      body: JSON.parse(request.rawBody),
    }));
  });
  afterAll(async () => {
    await simulator.stop();
    await receiver.close();
  });

  it("delivers every step as a signed webhook the app would accept", async () => {
    expect(receiver.requests.length).toBeGreaterThanOrEqual(25);
    expect(simulator.webhookDeliveries.every((delivery) => delivery.status === 200)).toBe(true);
    for (const request of receiver.requests) {
      const result = await shopify.webhooks.validate({ rawBody: request.rawBody, rawRequest: receiver.toRequest(request) });
      expect(result.valid).toBe(true);
    }
    expect(new Set(bodies.map((entry) => entry.topic))).toEqual(
      new Set([
        "carts/create",
        "carts/update",
        "checkouts/create",
        "checkouts/update",
        "orders/create",
        "orders/paid",
        "fulfillments/create",
        "fulfillments/update",
        "customers_email_marketing_consent/update",
        "customers/update",
        "customers/create",
        "products/update",
      ]),
    );
  });

  it("links carts, checkouts and orders by token, as Shopify does", () => {
    const cartTokens = new Set(bodies.filter((entry) => entry.topic === "carts/create").map((entry) => entry.body.token));
    const checkouts = bodies.filter((entry) => entry.topic === "checkouts/create");
    for (const checkout of checkouts) expect(cartTokens).toContain(checkout.body.cart_token);
    const orders = bodies.filter((entry) => entry.topic === "orders/create");
    expect(orders.length).toBeGreaterThanOrEqual(3);
    for (const order of orders) {
      const checkout = checkouts.find((entry) => entry.body.token === order.body.checkout_token);
      expect(checkout).toBeDefined();
      expect(order.body.cart_token).toBe(checkout!.body.cart_token);
      expect(order.body).not.toHaveProperty("checkout_id");
    }
    // A guest checkout without an email, and a checkout updated several times.
    expect(checkouts.some((entry) => entry.body.email === null && entry.body.customer === null)).toBe(true);
    const updates = bodies.filter((entry) => entry.topic === "checkouts/update");
    const perToken = new Map<string, string[]>();
    for (const update of updates) perToken.set(update.body.token!, [...(perToken.get(update.body.token!) ?? []), String(update.body.updated_at)]);
    const busiest = [...perToken.values()].sort((a, b) => b.length - a.length)[0];
    expect(busiest.length).toBeGreaterThanOrEqual(3);
    expect([...busiest].sort()).toEqual(busiest);
  });

  it("runs on the accelerated clock: days of shopping in seconds, timestamps from simulated time", () => {
    const times = bodies.map((entry) => entry.triggeredAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.at(-1)! - times[0]).toBeGreaterThan(2 * DAY);
    expect(realMs).toBeLessThan(10_000);
    const delivered = bodies.find((entry) => entry.topic === "fulfillments/update")!;
    expect(delivered.body.shipment_status).toBe("delivered");
    expect(new Date(String(delivered.body.updated_at)).getTime()).toBe(delivered.triggeredAt.getTime());
  });

  it("keeps a readable timeline and updates the store it serves", () => {
    const log = simulator.scenarioLog;
    expect(log.some((entry) => entry.action.startsWith("browses"))).toBe(true);
    expect(log.filter((entry) => entry.topic).length).toBe(receiver.requests.length);
    expect(log.every((entry) => entry.status === undefined || entry.status === 200)).toBe(true);
    const orders = bodies.filter((entry) => entry.topic === "orders/create").map((entry) => entry.body.id);
    for (const id of orders) expect(simulator.store.find.order(Number(id))).toBeDefined();
    expect(simulator.store.consentChanges.map((change) => change.state)).toEqual(expect.arrayContaining(["UNSUBSCRIBED", "SUBSCRIBED"]));
  });
});

describe("recovery codes made by the app are usable later", () => {
  it("Ava's returning order applies the code the app created for her", async () => {
    const receiver = await startAppReceiver();
    const simulator = createSimulator({ appUrl: receiver.url, apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP, clockSpeed: 86_400, webhookRetries: 0 });
    const { origin } = await simulator.start();
    try {
      // The app, reminded by the abandoned checkout, creates a code for her through the Admin API.
      let codeMade = false;
      simulator.clock.onAdvance = async () => {
        const pending = simulator.scenarioLog.find((entry) => entry.action.startsWith("starts checkout with her email"));
        if (!pending || codeMade) return;
        codeMade = true;
        const customer = simulator.store.customers.find((candidate) => candidate.firstName === pending.shopper && candidate.marketingState === "SUBSCRIBED")!;
        const response = await fetch(`${origin}/admin/api/2026-10/graphql.json`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-shopify-access-token": simulator.issueAccessToken(), "x-shopify-shop-domain": SHOP },
          body: JSON.stringify({
            query: `mutation C($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { userErrors { message } } }`,
            variables: { d: { title: "Recovery", code: "BACK-AVA", startsAt: new Date(Date.now() - 1000).toISOString(), usageLimit: 1, customerSelection: { customers: { add: [`gid://shopify/Customer/${customer.id}`] } }, customerGets: { value: { percentage: 0.1 }, items: { all: true } } } },
          }),
        });
        expect(((await response.json()) as { data: { discountCodeBasicCreate: { userErrors: unknown[] } } }).data.discountCodeBasicCreate.userErrors).toEqual([]);
      };
      await simulator.runScenario();
      const withCode = receiver.requests.map((request) => JSON.parse(request.rawBody)).find((body) => body.discount_codes?.[0]?.code === "BACK-AVA");
      expect(withCode).toBeDefined();
      expect(Number(withCode.total_discounts)).toBeGreaterThan(0);
      expect(simulator.store.find.discount("BACK-AVA")!.usageCount).toBe(1);
    } finally {
      await simulator.stop();
      await receiver.close();
    }
  });
});
