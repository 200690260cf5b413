import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../../simulator/index";
import { seedStore } from "../../simulator/store";

// The app reaches the simulator only through configuration: set it before the app's modules load.
let simulator: Simulator;
let appServer: Server;
let appUrl: string;

beforeAll(async () => {
  appServer = createServer(async (req, res) => {
    // A thin Node adapter in front of the app's real webhook route and app proxy auth.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
    const request = new Request(`${appUrl}${req.url}`, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
    let response: Response;
    try {
      if (req.url?.startsWith("/webhooks")) {
        const { action } = await import("../../app/routes/webhooks");
        response = await action({ request, params: {}, context: {} } as never);
      } else {
        const { authenticate } = await import("../../app/shopify.server");
        const { session } = await authenticate.public.appProxy(request);
        response = new Response(JSON.stringify({ shop: session?.shop ?? null }), { status: 200 });
      }
    } catch (thrown) {
      response = thrown instanceof Response ? thrown : new Response(String(thrown), { status: 500 });
    }
    res.writeHead(response.status, { "content-type": "text/plain" });
    res.end(await response.text());
  });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  const address = appServer.address();
  appUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  simulator = createSimulator({
    appUrl,
    apiKey: process.env.SHOPIFY_API_KEY!,
    apiSecret: process.env.SHOPIFY_API_SECRET!,
    shop: "sim-test.myshopify.com",
    webhookRetries: 0,
  });
  const { origin } = await simulator.start();
  process.env.SHOPIFY_ADMIN_API_ORIGIN = origin;
});

afterAll(async () => {
  await simulator?.stop();
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
});

describe("the seeded store", () => {
  it("is a deterministic party-supplies shop with 60+ products and 3,000+ orders", () => {
    const a = seedStore({ seed: 7, now: new Date("2026-11-01T00:00:00Z") });
    const b = seedStore({ seed: 7, now: new Date("2026-11-01T00:00:00Z") });
    expect(a.products.length).toBeGreaterThanOrEqual(60);
    expect(a.orders.length).toBeGreaterThanOrEqual(3000);
    expect(a.orders.map((o) => o.lineItems.map((l) => l.productId).join())).toEqual(b.orders.map((o) => o.lineItems.map((l) => l.productId).join()));
    expect(new Set(a.customers.map((c) => c.locale))).toEqual(new Set(["en", "ko", "th"]));
    expect(new Set(a.customers.map((c) => c.marketingState))).toEqual(new Set(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"]));
    expect(a.products.some((p) => p.giftCard)).toBe(true);
    expect(a.fulfillments.some((f) => f.shipmentStatus === "delivered")).toBe(true);
  });

  it("has co-purchase structure: products are bought mostly with their own theme", () => {
    const store = seedStore({ seed: 11 });
    const theme = new Map(store.products.map((p) => [p.id, p.theme]));
    const pairs = new Map<string, number>();
    for (const order of store.orders) {
      const ids = [...new Set(order.lineItems.map((l) => l.productId))].sort();
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.set(`${ids[i]}:${ids[j]}`, (pairs.get(`${ids[i]}:${ids[j]}`) ?? 0) + 1);
    }
    const top = [...pairs.entries()].sort((x, y) => y[1] - x[1]).slice(0, 20);
    const sameTheme = top.filter(([key]) => {
      const [x, y] = key.split(":").map(Number);
      return theme.get(x) === theme.get(y);
    });
    expect(sameTheme.length).toBeGreaterThanOrEqual(16);
  });
});

describe("Admin API contract", () => {
  it("token exchange through the app's real authentication stores an offline session; queries are valid against the schema", async () => {
    const { authenticate } = await import("../../app/shopify.server");
    const shop = "sim-test.myshopify.com";
    const token = simulator.createSessionToken();
    const request = new Request(`${process.env.SHOPIFY_APP_URL}/app?embedded=1&shop=${shop}&host=${Buffer.from(`admin.shopify.com/store/sim-test`).toString("base64url")}&id_token=${token}`, {
      headers: { "user-agent": "Mozilla/5.0 Chrome/130" },
    });
    const { admin, session } = await authenticate.admin(request);
    expect(session.shop).toBe(shop);
    expect(session.accessToken).toMatch(/^shpat_/);
    const response = await admin.graphql(`#graphql
      query { shop { name currencyCode ianaTimezone } products(first: 3) { nodes { id title handle } } }`);
    const body = await response.json();
    expect(body.data.shop.name).toMatch(/Confetti/);
    expect(body.data.products.nodes).toHaveLength(3);
    expect(simulator.invalidQueries).toEqual([]);
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).currency).toBe("USD");
  });

  it("refuses a session token signed with another secret", async () => {
    const forged = simulator.createSessionToken({ apiSecret: "not-the-secret" });
    const response = await fetch(`${simulator.origin}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: process.env.SHOPIFY_API_KEY, client_secret: process.env.SHOPIFY_API_SECRET, grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: forged }),
    });
    expect(response.status).toBe(400);
  });

  async function adminCall(query: string, variables?: Record<string, unknown>, token = simulator.issueAccessToken()) {
    const response = await fetch(`${simulator.origin}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token, "x-shopify-shop-domain": "sim-test.myshopify.com" },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: await response.json() };
  }

  it("rejects an unknown access token with 401 and records invalid queries", async () => {
    expect((await adminCall("{ shop { name } }", undefined, "shpat_nope")).status).toBe(401);
    const before = simulator.invalidQueries.length;
    const { body } = await adminCall("{ shop { notAField } }");
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(simulator.invalidQueries.length).toBe(before + 1);
    simulator.invalidQueries.length = before;
  });

  it("runs bulk operations to a JSONL file with child lines carrying __parentId", async () => {
    const { body } = await adminCall(`mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } } }`, {
      query: `{ orders { edges { node { id createdAt lineItems { edges { node { id quantity product { id } } } } } } } }`,
    });
    const id = body.data.bulkOperationRunQuery.bulkOperation.id;
    let url: string | null = null;
    for (let i = 0; i < 50 && !url; i++) {
      const poll = await adminCall(`query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { status url objectCount } } }`, { id });
      url = poll.body.data.node.status === "COMPLETED" ? poll.body.data.node.url : null;
      if (!url) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lines = (await (await fetch(url!)).text()).trim().split("\n").map((line) => JSON.parse(line));
    const orders = lines.filter((line) => !line.__parentId);
    const children = lines.filter((line) => line.__parentId);
    expect(orders.length).toBe(simulator.store.orders.length);
    expect(children.length).toBe(simulator.store.orders.reduce((sum, order) => sum + order.lineItems.length, 0));
    expect(children[0].product.id).toMatch(/^gid:\/\/shopify\/Product\//);
    expect(orders.map((o) => o.id)).toContain(children[0].__parentId);
  });

  it("validates metafieldsSet like Shopify: at most 25, product references must exist", async () => {
    const mutation = `mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { key namespace value } userErrors { field message code } } }`;
    const product = simulator.store.products[0];
    const other = simulator.store.products[1];
    const input = (value: string) => ({ ownerId: `gid://shopify/Product/${product.id}`, namespace: "$app:pathwise", key: "also_bought", type: "list.product_reference", value });
    const tooMany = await adminCall(mutation, { metafields: Array.from({ length: 26 }, () => input("[]")) });
    expect(tooMany.body.data.metafieldsSet.userErrors[0].message).toMatch(/25/);
    const bad = await adminCall(mutation, { metafields: [input(JSON.stringify(["gid://shopify/Product/1"]))] });
    expect(bad.body.data.metafieldsSet.userErrors[0].field).toEqual(["metafields", "0", "value"]);
    const good = await adminCall(mutation, { metafields: [input(JSON.stringify([`gid://shopify/Product/${other.id}`]))] });
    expect(good.body.data.metafieldsSet.userErrors).toEqual([]);
    expect(good.body.data.metafieldsSet.metafields[0].namespace).toMatch(/^app--\d+--pathwise$/);
  });
});

describe("webhooks and app proxy signed by the simulator", () => {
  it("are accepted by the app's real authentication; a forged one is refused", async () => {
    const { installShop } = await import("../support/shopify");
    await installShop("sim-test.myshopify.com");
    const customer = simulator.store.customers[0];
    const [ok] = await simulator.sendWebhook("customers/update", { id: customer.id, email: customer.email, updated_at: new Date().toISOString() });
    expect(ok.status).toBe(200);
    const [forged] = await simulator.sendWebhook("customers/update", { id: customer.id }, { secret: "wrong" });
    expect(forged.status).toBe(401);
    const [first, again] = await simulator.sendWebhook("customers/update", { id: customer.id }, { duplicates: 1 });
    expect(first.eventId).toBe(again.eventId);
    expect(again.responseText).toMatch(/duplicate/);
  });

  it("app proxy requests verify with authenticate.public.appProxy, tampered ones do not", async () => {
    const url = simulator.appProxyUrl("/recommendations", { product_ids: "1,2" });
    const ok = await fetch(url.replace(appUrl, appUrl));
    expect(ok.status).toBe(200);
    const tampered = await fetch(url.replace("product_ids=1%2C2", "product_ids=1%2C3"));
    expect(tampered.status).toBe(400);
  });
});
