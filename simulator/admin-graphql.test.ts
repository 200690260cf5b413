import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "./index";
import { implementedFieldsNotInSchema, loadAdminSchema, resolveNamespace } from "./admin-graphql";
import { seedStore } from "./store";

const SHOP = "graphql-test.myshopify.com";
const API_KEY = "sim-graphql-key";
let simulator: Simulator;
let origin: string;
let token: string;

beforeAll(async () => {
  simulator = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: "sim-graphql-secret", shop: SHOP, throttle: { maximum: 100_000, restoreRate: 100_000 } });
  ({ origin } = await simulator.start());
  token = simulator.issueAccessToken();
});
afterAll(() => simulator.stop());

async function admin(query: string, variables?: Record<string, unknown>, options: { token?: string; version?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${origin}/admin/api/${options.version ?? "2026-10"}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": options.token ?? token, "x-shopify-shop-domain": SHOP, ...options.headers },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

describe("Admin GraphQL against the real schema", () => {
  it("every field the simulator builds exists on its type in the 2026-10 schema", () => {
    const schema = loadAdminSchema("2026-10")!;
    expect(schema).toBeTruthy();
    const store = seedStore({ seed: 4, orderCount: 300 });
    expect(implementedFieldsNotInSchema(schema, store, { origin, apiKey: API_KEY, bulk: null!, unbounded: false })).toEqual([]);
  });

  it("answers a valid query with data and the cost extension, and logs it", async () => {
    const before = simulator.graphqlRequests.length;
    const { status, body } = await admin(`query ShopInfo {
      shop { name email contactEmail currencyCode ianaTimezone myshopifyDomain primaryDomain { url host }
        billingAddress { address1 city province zip country countryCodeV2 } }
    }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.shop).toMatchObject({ name: "Confetti & Co. Party Supplies", currencyCode: "USD", ianaTimezone: "America/New_York", myshopifyDomain: SHOP, primaryDomain: { host: SHOP } });
    expect(body.data.shop.billingAddress.countryCodeV2).toBe("US");
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: expect.any(Number), actualQueryCost: expect.any(Number), throttleStatus: { maximumAvailable: 100_000, restoreRate: 100_000 } });
    expect(simulator.graphqlRequests.slice(before).map((entry) => [entry.operationName ?? "ShopInfo", entry.valid])).toEqual([["ShopInfo", true]]);
  });

  it("without read_all_orders a token reads only the last 60 days of orders", async () => {
    const oldest = `{ orders(first: 1, sortKey: CREATED_AT) { nodes { createdAt } } }`;
    const ageDays = (body: { data: { orders: { nodes: Array<{ createdAt: string }> } } }) => (Date.now() - Date.parse(body.data.orders.nodes[0].createdAt)) / 86_400_000;
    expect(ageDays((await admin(oldest)).body)).toBeGreaterThan(300);
    const limited = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: "sim-graphql-secret", shop: SHOP, scopes: "read_orders,read_products", throttle: { maximum: 100_000, restoreRate: 100_000 } });
    const { origin: limitedOrigin } = await limited.start();
    try {
      const call = async (query: string, variables?: Record<string, unknown>) =>
        (await fetch(`${limitedOrigin}/admin/api/2026-10/graphql.json`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-shopify-access-token": limited.issueAccessToken(), "x-shopify-shop-domain": SHOP },
          body: JSON.stringify({ query, variables }),
        }).then((response) => response.json())) as { data: { orders: { nodes: Array<{ createdAt: string }> } } };
      expect(ageDays(await call(oldest))).toBeLessThanOrEqual(60);
    } finally {
      await limited.stop();
    }
  });

  it("rejects an invalid field like Shopify and records it in invalidQueries", async () => {
    const before = simulator.invalidQueries.length;
    const { status, body } = await admin(`{ shop { name notAField } }`);
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].message).toMatch(/Cannot query field "notAField" on type "Shop"/);
    expect(body.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(simulator.invalidQueries.slice(before)).toHaveLength(1);
    expect(simulator.invalidQueries.at(-1)!.query).toContain("notAField");
    // Wrong argument types are validation errors too.
    await admin(`{ products(first: "ten") { nodes { id } } }`);
    expect(simulator.invalidQueries.length).toBe(before + 2);
    simulator.invalidQueries.splice(before);
  });

  it("answers an error, not a silent null, for a field the simulator does not implement", async () => {
    const { body } = await admin(`{ shop { name plan { partnerDevelopment } } }`);
    expect(body.errors[0].message).toMatch(/does not implement Shop\.plan/);
    expect(body.errors[0].path).toEqual(["shop", "plan"]);
  });

  it("requires an access token it issued for this shop (401 like Shopify) and knows only its shop", async () => {
    expect((await admin(`{ shop { name } }`, undefined, { token: "shpat_unknown" })).status).toBe(401);
    expect((await admin(`{ shop { name } }`, undefined, { headers: { "x-shopify-shop-domain": "other.myshopify.com" } })).status).toBe(404);
    // The shop may come from the Host header instead of the rewrite header.
    // (fetch will not send a custom Host header; node:http will.)
    const viaHost = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(`${origin}/admin/api/2026-10/graphql.json`, { method: "POST", headers: { "content-type": "application/json", "x-shopify-access-token": token, host: SHOP } }, (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve(text));
      });
      request.on("error", reject);
      request.end(JSON.stringify({ query: "{ shop { myshopifyDomain } }" }));
    });
    expect(JSON.parse(viaHost).data.shop.myshopifyDomain).toBe(SHOP);
    expect((await admin(`{ shop { name } }`, undefined, { version: "2019-01" })).status).toBe(404);
  });

  it("pages products with first/after and filters on status and updated_at", async () => {
    const query = `query Page($after: String, $q: String) { products(first: 25, after: $after, query: $q) { nodes { id status updatedAt } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await admin(query, { after });
      seen.push(...body.data.products.nodes.map((node: { id: string }) => node.id));
      if (!body.data.products.pageInfo.hasNextPage) break;
      after = body.data.products.pageInfo.endCursor;
    }
    expect(seen).toEqual(simulator.store.products.map((product) => `gid://shopify/Product/${product.id}`));
    const drafts = await admin(query, { q: "status:draft" });
    expect(drafts.body.data.products.nodes.map((node: { status: string }) => node.status)).toEqual(simulator.store.products.filter((p) => p.status === "DRAFT").map(() => "DRAFT"));
    const cutoff = [...simulator.store.products].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[9].updatedAt;
    const recent = await admin(query, { q: `updated_at:>'${cutoff.toISOString()}'` });
    expect(recent.body.data.products.nodes).toHaveLength(simulator.store.products.filter((p) => p.updatedAt > cutoff).length);
    const missingFirst = await admin(`{ products { nodes { id } } }`);
    expect(missingFirst.body.errors[0].message).toBe("you must provide one of first or last");
  });

  it("serves customers with consent and locale, orders with line items, variants and node lookups", async () => {
    const customer = simulator.store.customers.find((c) => c.marketingState === "SUBSCRIBED")!;
    const { body } = await admin(
      `query C($id: ID!) { customer(id: $id) { id locale defaultEmailAddress { emailAddress marketingState marketingUpdatedAt } orders(first: 5) { nodes { id } } } }`,
      { id: `gid://shopify/Customer/${customer.id}` },
    );
    expect(body.data.customer).toMatchObject({ locale: customer.locale, defaultEmailAddress: { emailAddress: customer.email, marketingState: "SUBSCRIBED", marketingUpdatedAt: customer.marketingUpdatedAt!.toISOString() } });
    const order = simulator.store.orders.find((o) => o.discountCodes.length && o.customerId)!;
    const { body: orderBody } = await admin(
      `query O($id: ID!) { order(id: $id) { name discountCodes totalDiscountsSet { shopMoney { amount } } customer { id } lineItems(first: 10) { nodes { quantity product { id } variant { id } } } fulfillments { displayStatus } } }`,
      { id: `gid://shopify/Order/${order.id}` },
    );
    expect(orderBody.data.order.discountCodes).toEqual(order.discountCodes);
    expect(orderBody.data.order.totalDiscountsSet.shopMoney.amount).toBe((order.totalDiscount / 100).toFixed(2));
    expect(orderBody.data.order.lineItems.nodes.map((line: { variant: { id: string } }) => line.variant.id)).toEqual(order.lineItems.map((line) => `gid://shopify/ProductVariant/${line.variantId}`));
    const { body: variants } = await admin(`{ productVariants(first: 3) { nodes { id price product { id } } } }`);
    expect(variants.data.productVariants.nodes).toHaveLength(3);
    const { body: nodes } = await admin(`query N($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { handle } ... on Customer { locale } } }`, {
      ids: [`gid://shopify/Product/${simulator.store.products[0].id}`, `gid://shopify/Customer/${customer.id}`, "gid://shopify/Product/1"],
    });
    expect(nodes.data.nodes).toEqual([{ id: `gid://shopify/Product/${simulator.store.products[0].id}`, handle: simulator.store.products[0].handle }, { id: `gid://shopify/Customer/${customer.id}`, locale: customer.locale }, null]);
  });
});

describe("bulk operations", () => {
  it("go CREATED -> RUNNING/COMPLETED and yield Shopify's JSONL with __parentId child lines", async () => {
    const run = await admin(`mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } } }`, {
      query: `{ orders(query: "created_at:>='2000-01-01'") { edges { node { id name customer { id } lineItems { edges { node { id quantity product { id } } } } } } } }`,
    });
    expect(run.body.data.bulkOperationRunQuery.userErrors).toEqual([]);
    expect(run.body.data.bulkOperationRunQuery.bulkOperation.status).toBe("CREATED");
    const id = run.body.data.bulkOperationRunQuery.bulkOperation.id;
    const ordersAtStart = simulator.store.orders.length;
    // Orders placed after the operation started are not in its file.
    simulator.store.orders.push({ ...simulator.store.orders[0], id: simulator.store.nextId(), name: "#LATE" });
    const statuses = new Set<string>();
    let finished: { status: string; url: string; objectCount: string; rootObjectCount: string; fileSize: string } | null = null;
    for (let i = 0; i < 100 && !finished; i++) {
      const poll = await admin(`query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { status url objectCount rootObjectCount fileSize } } }`, { id });
      statuses.add(poll.body.data.node.status);
      if (poll.body.data.node.status === "COMPLETED") finished = poll.body.data.node;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(finished).not.toBeNull();
    const current = await admin(`{ currentBulkOperation { id status } }`);
    expect(current.body.data.currentBulkOperation).toEqual({ id, status: "COMPLETED" });
    const text = await (await fetch(finished!.url)).text();
    expect(Buffer.byteLength(text)).toBe(Number(finished!.fileSize));
    const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    const roots = lines.filter((line) => !line.__parentId);
    const children = lines.filter((line) => line.__parentId);
    expect(roots).toHaveLength(ordersAtStart);
    expect(Number(finished!.rootObjectCount)).toBe(ordersAtStart);
    expect(lines).toHaveLength(Number(finished!.objectCount));
    const expectedChildren = simulator.store.orders.slice(0, ordersAtStart).reduce((sum, order) => sum + order.lineItems.length, 0);
    expect(children).toHaveLength(expectedChildren);
    // Each child follows its parent; nested non-connection objects stay inline; no edges/node wrappers.
    let parent: string | null = null;
    for (const line of lines) {
      if (!line.__parentId) parent = line.id;
      else expect(line.__parentId).toBe(parent);
    }
    expect(roots[0]).not.toHaveProperty("lineItems");
    expect(children[0].product.id).toMatch(/^gid:\/\/shopify\/Product\/\d+$/);
    simulator.store.orders.pop();
  });

  it("refuses a bulk query without a connection and more than five at once", async () => {
    const mutation = `mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id } userErrors { message code } } }`;
    const bad = await admin(mutation, { query: `{ shop { name } }` });
    expect(bad.body.data.bulkOperationRunQuery.userErrors[0]).toMatchObject({ code: "INVALID" });
    const invalid = await admin(mutation, { query: `{ products { edges { node { nope } } } }` });
    expect(invalid.body.data.bulkOperationRunQuery.userErrors[0].message).toMatch(/Cannot query field "nope"/);
    // Six at once (one after another, the first may have finished ~100 ms later on a busy machine).
    const results = await Promise.all(Array.from({ length: 6 }, () => admin(mutation, { query: `{ products { edges { node { id } } } }` })));
    const codes = results.map((result) => result.body.data.bulkOperationRunQuery.userErrors[0]?.code ?? "OK");
    expect(codes.filter((code) => code === "LIMIT_REACHED").length).toBeGreaterThanOrEqual(1);
  });
});

describe("mutations", () => {
  const setMutation = `mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { namespace key type value compareDigest } userErrors { field message code elementIndex } } }`;
  const productGidAt = (index: number) => `gid://shopify/Product/${simulator.store.products[index].id}`;
  const input = (value: string, extra: Record<string, unknown> = {}) => ({ ownerId: productGidAt(0), namespace: "$app:pathwise", key: "also_bought", type: "list.product_reference", value, ...extra });

  it("metafieldsSet: at most 25, product references must exist, atomic", async () => {
    const tooMany = await admin(setMutation, { metafields: Array.from({ length: 26 }, () => input("[]")) });
    expect(tooMany.body.data.metafieldsSet.metafields).toBeNull();
    expect(tooMany.body.data.metafieldsSet.userErrors[0]).toMatchObject({ code: "LESS_THAN_OR_EQUAL_TO", message: expect.stringMatching(/25/) });
    const bad = await admin(setMutation, { metafields: [input(JSON.stringify([productGidAt(1)]), { ownerId: productGidAt(2) }), input(JSON.stringify(["gid://shopify/Product/1"]))] });
    expect(bad.body.data.metafieldsSet.userErrors).toEqual([expect.objectContaining({ field: ["metafields", "1", "value"], code: "INVALID_VALUE", elementIndex: 1 })]);
    expect(simulator.store.metafields.filter((m) => m.ownerId === productGidAt(2))).toEqual([]);
    const notList = await admin(setMutation, { metafields: [input(productGidAt(1))] });
    expect(notList.body.data.metafieldsSet.userErrors[0].code).toBe("INVALID_VALUE");
    const tooLong = await admin(setMutation, { metafields: [input(JSON.stringify(Array.from({ length: 129 }, () => productGidAt(1))))] });
    expect(tooLong.body.data.metafieldsSet.userErrors[0].message).toMatch(/128/);
    const noOwner = await admin(setMutation, { metafields: [input("[]", { ownerId: "gid://shopify/Product/42" })] });
    expect(noOwner.body.data.metafieldsSet.userErrors[0].field).toEqual(["metafields", "0", "ownerId"]);
    const foreign = await admin(setMutation, { metafields: [input("[]", { namespace: "app--1--theirs" })] });
    expect(foreign.body.data.metafieldsSet.userErrors[0].code).toBe("APP_NOT_AUTHORIZED");
    const batch = Array.from({ length: 25 }, (_, index) => input(JSON.stringify([productGidAt((index + 1) % 30), productGidAt((index + 2) % 30)]), { ownerId: productGidAt(index) }));
    const good = await admin(setMutation, { metafields: batch });
    expect(good.body.data.metafieldsSet.userErrors).toEqual([]);
    expect(good.body.data.metafieldsSet.metafields).toHaveLength(25);
    expect(good.body.data.metafieldsSet.metafields[0].namespace).toBe(resolveNamespace("$app:pathwise", API_KEY));
  });

  it("metafieldsDelete: deletes by owner, namespace and key; null for one that does not exist; another app's namespace refused", async () => {
    const deleteMutation = `mutation D($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) { deletedMetafields { ownerId namespace key } userErrors { field message } } }`;
    const owner = productGidAt(29);
    expect((await admin(setMutation, { metafields: [input(JSON.stringify([productGidAt(1)]), { ownerId: owner })] })).body.data.metafieldsSet.userErrors).toEqual([]);
    const id = { ownerId: owner, namespace: "$app:pathwise", key: "also_bought" };
    const foreign = await admin(deleteMutation, { metafields: [{ ...id, namespace: "app--1--theirs" }] });
    expect(foreign.body.data.metafieldsDelete.userErrors).toHaveLength(1);
    const deleted = await admin(deleteMutation, { metafields: [id, { ...id, ownerId: productGidAt(28) }] });
    expect(deleted.body.data.metafieldsDelete).toEqual({ deletedMetafields: [{ ...id, namespace: resolveNamespace("$app:pathwise", API_KEY) }, null], userErrors: [] });
    expect(simulator.store.metafields.filter((m) => m.ownerId === owner)).toEqual([]);
  });

  it("exposes app-owned metafields on Product.metafield and metafields, with references and compareDigest", async () => {
    const read = await admin(
      `query P($id: ID!) { product(id: $id) { metafield(namespace: "$app:pathwise", key: "also_bought") { type value jsonValue compareDigest references(first: 5) { nodes { ... on Product { id } } } } metafields(first: 5, namespace: "$app:pathwise") { nodes { key } } } }`,
      { id: productGidAt(0) },
    );
    const metafield = read.body.data.product.metafield;
    expect(metafield.type).toBe("list.product_reference");
    expect(metafield.jsonValue).toEqual([productGidAt(1), productGidAt(2)]);
    expect(metafield.references.nodes.map((node: { id: string }) => node.id)).toEqual([productGidAt(1), productGidAt(2)]);
    expect(read.body.data.product.metafields.nodes).toEqual([{ key: "also_bought" }]);
    const stale = await admin(setMutation, { metafields: [input(JSON.stringify([productGidAt(3)]), { compareDigest: "not-the-digest" })] });
    expect(stale.body.data.metafieldsSet.userErrors[0].code).toBe("STALE_OBJECT");
    const fresh = await admin(setMutation, { metafields: [input(JSON.stringify([productGidAt(3)]), { compareDigest: metafield.compareDigest })] });
    expect(fresh.body.data.metafieldsSet.userErrors).toEqual([]);
  });

  it("metafieldDefinitionCreate stores a definition and refuses a duplicate; the definition's type is enforced", async () => {
    const mutation = `mutation D($definition: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $definition) { createdDefinition { namespace key type { name } } userErrors { field message code } } }`;
    const definition = { name: "Pathwise score", namespace: "$app:pathwise", key: "score", type: "number_integer", ownerType: "PRODUCT" };
    const created = await admin(mutation, { definition });
    expect(created.body.data.metafieldDefinitionCreate.createdDefinition).toEqual({ namespace: resolveNamespace("$app:pathwise", API_KEY), key: "score", type: { name: "number_integer" } });
    const again = await admin(mutation, { definition });
    expect(again.body.data.metafieldDefinitionCreate.userErrors[0].code).toBe("TAKEN");
    const wrongType = await admin(setMutation, { metafields: [{ ownerId: productGidAt(0), namespace: "$app:pathwise", key: "score", type: "single_line_text_field", value: "high" }] });
    expect(wrongType.body.data.metafieldsSet.userErrors[0].code).toBe("INVALID_TYPE");
    const typed = await admin(setMutation, { metafields: [{ ownerId: productGidAt(0), namespace: "$app:pathwise", key: "score", value: "7" }] });
    expect(typed.body.data.metafieldsSet.metafields[0].type).toBe("number_integer");
  });

  it("customerEmailMarketingConsentUpdate changes consent and records the change", async () => {
    const customer = simulator.store.customers.find((c) => c.marketingState === "SUBSCRIBED")!;
    const at = new Date(Date.now() - 60_000).toISOString();
    const { body } = await admin(
      `mutation U($input: CustomerEmailMarketingConsentUpdateInput!) { customerEmailMarketingConsentUpdate(input: $input) { customer { id defaultEmailAddress { marketingState marketingUpdatedAt } } userErrors { field message code } } }`,
      { input: { customerId: `gid://shopify/Customer/${customer.id}`, emailMarketingConsent: { marketingState: "UNSUBSCRIBED", consentUpdatedAt: at } } },
    );
    expect(body.data.customerEmailMarketingConsentUpdate.customer.defaultEmailAddress).toEqual({ marketingState: "UNSUBSCRIBED", marketingUpdatedAt: at });
    expect(simulator.store.consentChanges.at(-1)).toMatchObject({ customerId: customer.id, state: "UNSUBSCRIBED", source: "admin_api" });
  });

  it("discountCodeBasicCreate stores a usable code, findable by code, unique", async () => {
    const mutation = `mutation C($discount: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $discount) { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status usageLimit codes(first: 1) { nodes { code } } } } } userErrors { field message code } } }`;
    const customer = simulator.store.customers[3];
    const discount = {
      title: "Come back",
      code: "BACK-TEST1",
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: { customers: { add: [`gid://shopify/Customer/${customer.id}`] } },
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
    };
    const created = await admin(mutation, { discount });
    expect(created.body.data.discountCodeBasicCreate.userErrors).toEqual([]);
    expect(created.body.data.discountCodeBasicCreate.codeDiscountNode.codeDiscount).toMatchObject({ status: "ACTIVE", usageLimit: 1, codes: { nodes: [{ code: "BACK-TEST1" }] } });
    expect(simulator.store.discounts.at(-1)).toMatchObject({ code: "BACK-TEST1", percentage: 0.1, customerIds: [`gid://shopify/Customer/${customer.id}`], createdBy: "app" });
    const taken = await admin(mutation, { discount: { ...discount, code: "back-test1" } });
    expect(taken.body.data.discountCodeBasicCreate.userErrors[0].code).toBe("TAKEN");
    const found = await admin(`{ codeDiscountNodeByCode(code: "BACK-TEST1") { id } }`);
    expect(found.body.data.codeDiscountNodeByCode.id).toBe(created.body.data.discountCodeBasicCreate.codeDiscountNode.id);
    // discountCodeBasicUpdate moves its dates (an expired code becomes active again), and refuses an end before its start.
    const update = `mutation U($id: ID!, $discount: DiscountCodeBasicInput!) { discountCodeBasicUpdate(id: $id, basicCodeDiscount: $discount) { codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } } userErrors { field message code } } }`;
    const id = created.body.data.discountCodeBasicCreate.codeDiscountNode.id;
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const updated = await admin(update, { id, discount: { endsAt: later } });
    expect(updated.body.data.discountCodeBasicUpdate).toEqual({ codeDiscountNode: { codeDiscount: { status: "ACTIVE", endsAt: later } }, userErrors: [] });
    const backwards = await admin(update, { id, discount: { endsAt: new Date(Date.now() - 86_400_000).toISOString() } });
    expect(backwards.body.data.discountCodeBasicUpdate.userErrors[0]).toMatchObject({ field: ["basicCodeDiscount", "endsAt"], code: "INVALID" });
    const missing = await admin(update, { id: "gid://shopify/DiscountCodeNode/1", discount: { endsAt: later } });
    expect(missing.body.data.discountCodeBasicUpdate.userErrors[0]).toMatchObject({ field: ["id"] });
    const tagged = await admin(`mutation T($id: ID!) { tagsAdd(id: $id, tags: ["pathwise-recovered"]) { node { id } userErrors { message } } }`, { id: `gid://shopify/Customer/${customer.id}` });
    expect(tagged.body.data.tagsAdd.userErrors).toEqual([]);
    expect(customer.tags).toContain("pathwise-recovered");
  });
});

describe("query cost and throttling", () => {
  it("charges requested cost, refunds to the actual cost, throttles an empty bucket and refuses a query above 1,000", async () => {
    const small = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: "x", shop: SHOP, throttle: { maximum: 1000, restoreRate: 50 } });
    const { origin: smallOrigin } = await small.start();
    const smallToken = small.issueAccessToken();
    const call = async (query: string) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (await (await fetch(`${smallOrigin}/admin/api/2026-10/graphql.json`, { method: "POST", headers: { "content-type": "application/json", "x-shopify-access-token": smallToken, "x-shopify-shop-domain": SHOP }, body: JSON.stringify({ query }) })).json()) as any;
    try {
      const first = await call(`{ products(first: 100) { nodes { id variants(first: 3) { nodes { id } } } } }`);
      // Requested: 2 + 100 × (1 + 2 + 3 × 1) = 602; actual counts what came back.
      expect(first.extensions.cost.requestedQueryCost).toBe(602);
      expect(first.extensions.cost.actualQueryCost).toBeLessThan(602);
      expect(first.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 1000, restoreRate: 50 });
      const tooBig = await call(`{ orders(first: 250) { nodes { lineItems(first: 50) { nodes { id product { id } } } } } }`);
      expect(tooBig.errors[0].extensions.code).toBe("MAX_COST_EXCEEDED");
      let throttled: { errors?: Array<{ extensions: { code: string } }> } | null = null;
      for (let i = 0; i < 10 && !throttled; i++) {
        const result = await call(`{ orders(first: 150) { nodes { id customer { id } } } }`);
        if (result.errors) throttled = result;
      }
      expect(throttled?.errors?.[0].extensions.code).toBe("THROTTLED");
    } finally {
      await small.stop();
    }
  });
});

describe("a zero-decimal shop (JPY)", () => {
  it("answers money in whole yen, as Shopify does", async () => {
    const yen = createSimulator({ appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: "sim-graphql-secret", shop: "yen-test.myshopify.com", currency: "JPY", orderCount: 5, customerCount: 5 });
    const { origin: yenOrigin } = await yen.start();
    try {
      const order = yen.store.orders[0];
      const response = await fetch(`${yenOrigin}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": yen.issueAccessToken(), "x-shopify-shop-domain": "yen-test.myshopify.com" },
        body: JSON.stringify({ query: `query { shop { currencyCode } order(id: "gid://shopify/Order/${order.id}") { currencyCode totalPriceSet { shopMoney { amount currencyCode } } lineItems(first: 1) { nodes { originalUnitPriceSet { shopMoney { amount } } } } } }` }),
      });
      const { data } = (await response.json()) as { data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(data.shop.currencyCode).toBe("JPY");
      expect(data.order.totalPriceSet.shopMoney).toEqual({ amount: String(order.lineItems.reduce((sum, line) => sum + line.price * line.quantity, 0) - order.totalDiscount), currencyCode: "JPY" });
      expect(data.order.lineItems.nodes[0].originalUnitPriceSet.shopMoney.amount).toBe(String(order.lineItems[0].price));
    } finally {
      await yen.stop();
    }
  });
});
