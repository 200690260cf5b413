import { describe, expect, it } from "vitest";
import { CoPurchaseModel, ProductCatalog, mergeCartRecommendations, type CatalogProduct, type OrderInput, type Recommendation } from "./index";

const NOW = Date.parse("2026-11-01T00:00:00Z");
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000);
const order = (productIds: string[], days = 1, extra: Partial<OrderInput> = {}): OrderInput => ({ createdAt: daysAgo(days), lines: productIds.map((productId) => ({ productId, quantity: 1 })), ...extra });
const product = (id: string, extra: Partial<CatalogProduct> = {}): CatalogProduct => ({ id, status: "ACTIVE", available: true, isGiftCard: false, salesCount: 1, ...extra });
const ids = (list: Recommendation[]) => list.map((rec) => rec.productId);
const catalogOf = (productIds: Iterable<string>, extra: Record<string, Partial<CatalogProduct>> = {}) =>
  ProductCatalog.from([...new Set(productIds)].map((id) => product(id, extra[id])));
const newModel = (options: ConstructorParameters<typeof CoPurchaseModel>[0] = {}) => new CoPurchaseModel({ referenceTimeMs: NOW, ...options });

describe("scoring and shrinkage", () => {
  it("a pair seen once does not outrank a pair bought together many times", () => {
    const model = newModel();
    for (let i = 0; i < 20; i++) model.addOrder(order(["cake", "candles"], 0));
    for (let i = 0; i < 500; i++) model.addOrder(order(["candles"], 0));
    model.addOrder(order(["cake", "rare"], 0)); // rare is bought only here, so its raw cosine with cake is higher than candles'
    const rawCosine = (pair: number, a: number, b: number) => pair / Math.sqrt(a * b);
    expect(rawCosine(1, 21, 1)).toBeGreaterThan(rawCosine(20, 21, 520)); // without shrinkage the one-off pair would win
    expect(model.partners("cake").map((p) => p.productId)).toEqual(["candles", "rare"]);
    expect(model.score("cake", "candles")).toBeGreaterThan(model.score("cake", "rare") * 3);
  });

  it("scores are symmetric cosines in [0, 1] with the default alpha", () => {
    const model = newModel({ shrinkage: 0 });
    for (let i = 0; i < 5; i++) model.addOrder(order(["a", "b"]));
    expect(model.score("a", "b")).toBeCloseTo(1, 12);
    model.addOrder(order(["a"]));
    expect(model.score("a", "b")).toBeCloseTo(5 / Math.sqrt(6 * 5), 12);
    expect(model.score("b", "a")).toBeCloseTo(model.score("a", "b"), 12);
  });
});

describe("popularity correction", () => {
  it("the best seller is not the top recommendation for everything", () => {
    const model = newModel();
    // milk is in almost every order, so it co-occurs with everything more often than anything else…
    for (let theme = 0; theme < 10; theme++) {
      for (let i = 0; i < 30; i++) model.addOrder(order(["milk", `item-${theme}-${i % 6}`]));
      for (let i = 0; i < 8; i++) model.addOrder(order([`item-${theme}-0`, `item-${theme}-1`, "milk"]));
    }
    const catalog = catalogOf(["milk", ...Array.from({ length: 60 }, (_, i) => `item-${Math.floor(i / 6)}-${i % 6}`)]);
    const raw = (x: string, y: string) => model.partners(x).find((p) => p.productId === y)!.freshWeight;
    expect(raw("item-3-0", "milk")).toBeGreaterThan(raw("item-3-0", "item-3-1"));
    // …but the engine ranks each theme's true companion first.
    for (let theme = 0; theme < 10; theme++) expect(model.topK(`item-${theme}-0`, catalog)[0].productId).toBe(`item-${theme}-1`);
  });
});

describe("time decay", () => {
  it("this season's co-purchases outrank last year's even when fewer", () => {
    const model = newModel();
    for (let i = 0; i < 12; i++) model.addOrder(order(["costume", "old-mask"], 400));
    for (let i = 0; i < 8; i++) model.addOrder(order(["costume", "new-mask"], 5));
    expect(model.partners("costume")[0].productId).toBe("new-mask");
  });

  it("an order one half-life old weighs half a fresh one", () => {
    const model = newModel({ halfLifeDays: 30 });
    model.addOrder(order(["a", "b"], 30));
    model.addOrder(order(["a", "c"], 0));
    const fresh = Object.fromEntries(model.partners("a").map((p) => [p.productId, p.freshWeight]));
    expect(fresh.b).toBeCloseTo(0.5, 12);
    expect(fresh.c).toBeCloseTo(1, 12);
  });
});

describe("large baskets and deduplication", () => {
  it("weights each order's pairs by 1/(n-1) so one wholesale basket does not dominate", () => {
    const model = newModel();
    for (let i = 0; i < 3; i++) model.addOrder(order(["paint", "brush"], 0));
    const wholesale = ["paint", ...Array.from({ length: 60 }, (_, i) => `bulk-${i}`)];
    for (let i = 0; i < 3; i++) model.addOrder(order(wholesale, 0)); // paint with bulk-0 three times as well
    const partners = model.partners("paint");
    expect(partners[0].productId).toBe("brush");
    expect(partners.find((p) => p.productId === "bulk-0")!.freshWeight).toBeCloseTo(3 / 60, 6);
  });

  it("orders above maxBasketSize add popularity but no pairs", () => {
    const model = newModel({ maxBasketSize: 10 });
    model.addOrder(order(Array.from({ length: 50 }, (_, i) => `item-${i}`)));
    expect(model.partners("item-0")).toEqual([]);
    expect(model.stats()).toMatchObject({ pairs: 0, orders: 1, largeOrders: 1, ordersWithPairs: 0 });
    expect(model.popularity("item-0")).toBeGreaterThan(0);
  });

  it("a product repeated on several lines counts once; zero-quantity lines are ignored", () => {
    const model = newModel({ shrinkage: 0 });
    model.addOrder({ createdAt: daysAgo(0), lines: [{ productId: "a", quantity: 3 }, { productId: "a", quantity: 1 }, { productId: "b" }, { productId: "c", quantity: 0 }] });
    expect(model.partners("a")).toEqual([{ productId: "b", score: 1, freshWeight: 1 }]);
    expect(model.stats().products).toBe(2);
  });
});

describe("filters", () => {
  it("never recommends the product itself, drafts, archived, unlisted, deleted, unavailable products or gift cards", () => {
    const model = newModel();
    const partners = ["good", "draft", "archived", "unlisted", "deleted", "unknown", "sold-out", "gift-card", "lowercase-draft"];
    for (let i = 0; i < 5; i++) model.addOrder(order(["anchor", ...partners]));
    model.addOrder(order(["anchor", "anchor"]));
    const catalog = ProductCatalog.from([
      product("anchor"),
      product("good"),
      product("draft", { status: "DRAFT" }),
      product("archived", { status: "ARCHIVED" }),
      product("unlisted", { status: "UNLISTED" }),
      product("deleted", { status: "DELETED" }),
      product("sold-out", { available: false }),
      product("gift-card", { isGiftCard: true }),
      product("lowercase-draft", { status: "draft" }),
    ]);
    const list = model.topK("anchor", catalog);
    expect(ids(list)).toEqual(["good"]);
    expect(list[0].source).toBe("copurchase");
  });

  it("sees catalog changes (products/update, inventory) on the next call", () => {
    const model = newModel();
    for (let i = 0; i < 5; i++) model.addOrder(order(["anchor", "partner"]));
    const catalog = catalogOf(["anchor", "partner"]);
    expect(ids(model.topK("anchor", catalog))).toEqual(["partner"]);
    catalog.upsert(product("partner", { available: false }));
    expect(ids(model.topK("anchor", catalog))).toEqual([]);
    catalog.upsert(product("partner"));
    expect(ids(model.topK("anchor", catalog))).toEqual(["partner"]);
    catalog.remove("partner");
    expect(ids(model.topK("anchor", catalog))).toEqual([]);
  });
});

describe("fallbacks", () => {
  const catalog = ProductCatalog.from([
    product("new-hat", { collections: ["hats"], productType: "Hat", salesCount: 0 }),
    product("hat-a", { collections: ["hats"], productType: "Hat", salesCount: 30 }),
    product("hat-b", { collections: ["hats"], productType: "Hat", salesCount: 10 }),
    product("cap", { productType: "Hat", salesCount: 5 }),
    product("cap-draft", { productType: "Hat", salesCount: 500, status: "DRAFT" }),
    product("balloons", { salesCount: 100 }),
    product("cake", { salesCount: 80 }),
    product("card", { salesCount: 1000, isGiftCard: true }),
  ]);

  it("fill with same collection, then same product type, then best sellers, each labelled", () => {
    const model = newModel();
    const list = model.topK("new-hat", catalog, undefined, 5);
    expect(list.map((rec) => [rec.productId, rec.source])).toEqual([
      ["hat-a", "collection"],
      ["hat-b", "collection"],
      ["cap", "product_type"],
      ["balloons", "bestseller"],
      ["cake", "bestseller"],
    ]);
    expect(list[0].score).toBe(1);
    expect(list[1].score).toBeCloseTo(10 / 30, 12);
  });

  it("co-purchases come first and fallbacks only fill what is missing", () => {
    const model = newModel();
    for (let i = 0; i < 4; i++) model.addOrder(order(["new-hat", "cake"]));
    const list = model.topK("new-hat", catalog, undefined, 4);
    expect(list.map((rec) => [rec.productId, rec.source])).toEqual([
      ["cake", "copurchase"],
      ["hat-a", "collection"],
      ["hat-b", "collection"],
      ["cap", "product_type"],
    ]);
  });

  it("with fallbackBelow, a product with enough co-purchase history keeps a pure list", () => {
    const model = newModel({ fallbackBelow: 1 });
    for (let i = 0; i < 4; i++) model.addOrder(order(["new-hat", "cake"]));
    expect(ids(model.topK("new-hat", catalog, undefined, 4))).toEqual(["cake"]);
  });
});

describe("pins and exclusions", () => {
  it("pinned come first in the merchant's order, excluded never appear, pins are still filtered", () => {
    const model = newModel();
    for (let i = 0; i < 6; i++) model.addOrder(order(["anchor", "x", "y", "z"]));
    model.addOrder(order(["anchor", "x"]));
    const catalog = catalogOf(["anchor", "x", "y", "z", "p1", "p2", "p-draft"], { "p-draft": { status: "DRAFT" } });
    const list = model.topK("anchor", catalog, { pinned: ["p2", "p-draft", "p1", "anchor"], excluded: ["x"] }, 4);
    expect(list.map((rec) => [rec.productId, rec.source])).toEqual([
      ["p2", "pinned"],
      ["p1", "pinned"],
      ["y", "copurchase"],
      ["z", "copurchase"],
    ]);
  });

  it("a pin that is also excluded stays out", () => {
    const model = newModel();
    const catalog = catalogOf(["anchor", "p"]);
    expect(model.topK("anchor", catalog, { pinned: ["p"], excluded: ["p"] })).toEqual([]);
  });
});

describe("cart recommendations", () => {
  it("sums evidence over the cart and never returns what is in the cart", () => {
    const model = newModel();
    for (let i = 0; i < 5; i++) model.addOrder(order(["tent", "stakes", "lantern"]));
    for (let i = 0; i < 5; i++) model.addOrder(order(["stove", "lantern", "fuel"]));
    for (let i = 0; i < 3; i++) model.addOrder(order(["tent", "fuel"]));
    const catalog = catalogOf(["tent", "stakes", "lantern", "stove", "fuel"]);
    const list = model.recommendForCart(["tent", "lantern"], catalog, 3);
    expect(ids(list)).not.toContain("tent");
    expect(ids(list)).not.toContain("lantern");
    const summed = (id: string) => model.score("tent", id) + model.score("lantern", id);
    expect(list.map((rec) => rec.source)).toEqual(["copurchase", "copurchase", "copurchase"]);
    expect(ids(list)).toEqual(["stakes", "fuel", "stove"].sort((x, y) => summed(y) - summed(x)));
    list.forEach((rec) => expect(rec.score).toBeCloseTo(summed(rec.productId), 12));
    // stove was never bought with the tent: it ranks on the lantern's evidence alone, below fuel (bought with both).
    expect(summed("fuel")).toBeGreaterThan(summed("stove"));
  });

  it("applies each cart product's pins and exclusions and falls back on the cart's collections", () => {
    const model = newModel();
    for (let i = 0; i < 3; i++) model.addOrder(order(["a", "b", "c"]));
    const catalog = ProductCatalog.from([product("a", { collections: ["col"] }), product("b"), product("c"), product("d", { collections: ["col"] }), product("pin")]);
    const overrides = new Map([["a", { pinned: ["pin", "b"], excluded: ["c"] }]]);
    const list = model.recommendForCart(["a", "b"], catalog, 4, overrides);
    expect(list.map((rec) => [rec.productId, rec.source])).toEqual([
      ["pin", "pinned"],
      ["d", "collection"],
    ]);
  });

  it("merging persisted lists: pinned, then summed co-purchase, then fallbacks; nothing from the cart", () => {
    const lists = new Map<string, Recommendation[]>([
      ["a", [{ productId: "x", score: 0.2, source: "copurchase" }, { productId: "b", score: 0.9, source: "copurchase" }, { productId: "f", score: 1, source: "bestseller" }]],
      ["b", [{ productId: "p", score: 1, source: "pinned" }, { productId: "y", score: 0.3, source: "copurchase" }, { productId: "x", score: 0.2, source: "copurchase" }]],
    ]);
    const merged = mergeCartRecommendations((id) => lists.get(id), ["a", "b"], 10);
    expect(merged.map((rec) => [rec.productId, rec.source])).toEqual([
      ["p", "pinned"],
      ["x", "copurchase"],
      ["y", "copurchase"],
      ["f", "bestseller"],
    ]);
    expect(merged[1].score).toBeCloseTo(0.4, 12);
  });
});

describe("incremental updates and persistence", () => {
  function* history(): Generator<OrderInput> {
    let state = 7;
    const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let i = 0; i < 400; i++) {
      const size = 1 + Math.floor(random() * 6);
      yield order(Array.from({ length: size }, () => `p${Math.floor(random() ** 2 * 40)}`), Math.floor(random() * 300));
    }
  }
  const catalog = catalogOf(Array.from({ length: 40 }, (_, i) => `p${i}`));
  const allLists = (model: CoPurchaseModel) => [...model.topKAll(catalog)];

  it("addOrder one at a time on an existing model equals the batch build", async () => {
    const orders = [...history()];
    const batch = newModel();
    await batch.addOrders(orders);
    const incremental = newModel();
    await incremental.addOrders(orders.slice(0, 300));
    incremental.takeDirtyProducts();
    for (const next of orders.slice(300)) incremental.addOrder(next);
    expect(allLists(incremental)).toEqual(allLists(batch));
    expect(incremental.stats()).toEqual(batch.stats());
  });

  it("recomputing only the dirty products after a new order gives their batch lists", async () => {
    const model = newModel();
    await model.addOrders(history());
    const lists = new Map(allLists(model));
    model.takeDirtyProducts();
    model.addOrder(order(["p1", "p33", "p39"], 0));
    const dirty = model.takeDirtyProducts();
    expect(dirty.sort()).toEqual(["p1", "p33", "p39"]);
    for (const id of dirty) lists.set(id, model.topK(id, catalog));
    for (const id of dirty) expect(lists.get(id)).toEqual(new Map(allLists(model)).get(id));
    expect(model.takeDirtyProducts()).toEqual([]);
    model.addOrder(order(["p1", "brand-new"], 0));
    const withPartners = model.takeDirtyProducts({ includePartners: true });
    expect(withPartners).toEqual(expect.arrayContaining(["p1", "brand-new", ...model.partners("p1").map((p) => p.productId)]));
  });

  it("orders applied out of order, or as persisted deltas, converge to the same model; removeOrder takes one back", async () => {
    const orders = [...history()];
    const batch = newModel();
    await batch.addOrders(orders);
    const shuffled = newModel();
    for (const next of [...orders].reverse()) shuffled.applyDelta(shuffled.contributionOf(next)!);
    const close = (x: CoPurchaseModel, y: CoPurchaseModel) => {
      for (const [id, list] of allLists(x)) {
        const other = y.topK(id, catalog);
        expect(ids(other)).toEqual(ids(list));
        list.forEach((rec, i) => expect(other[i].score).toBeCloseTo(rec.score, 10));
      }
    };
    close(shuffled, batch);
    const extra = order(["p0", "p5", "p6"], 2);
    batch.addOrder(extra);
    batch.removeOrder(extra);
    close(batch, shuffled);
  });

  it("exportState / importState round-trips through plain rows", async () => {
    const model = newModel();
    await model.addOrders(history());
    const { header, products, pairs } = model.exportState();
    const rows = { header: JSON.parse(JSON.stringify(header)), products: [...products()], pairs: [...pairs()] };
    expect(rows.pairs.every((pair) => pair.a < pair.b)).toBe(true);
    expect(rows.pairs.length).toBe(model.stats().pairs);
    async function* stream<T>(items: T[]) {
      yield* items;
    }
    const restored = await CoPurchaseModel.importState(rows.header, stream(rows.products), stream(rows.pairs), { referenceTimeMs: NOW });
    expect(allLists(restored)).toEqual(allLists(model));
    expect(restored.stats()).toEqual(model.stats());
    restored.addOrder(order(["p2", "p3"], 0));
    model.addOrder(order(["p2", "p3"], 0));
    expect(allLists(restored)).toEqual(allLists(model));
  });

  it("streams from an async iterable and rejects invalid times", async () => {
    async function* orders() {
      yield order(["a", "b"]);
      yield order([]);
      yield { createdAt: "2026-10-01T00:00:00Z", productIds: ["a", "c"] };
    }
    const model = newModel();
    expect(await model.addOrders(orders())).toBe(2);
    expect(() => model.addOrder({ createdAt: "not a date", productIds: ["a"] })).toThrow(/not a valid time/);
  });

  it("prune drops only faint old pairs", () => {
    const model = newModel();
    model.addOrder(order(["a", "old"], 2000));
    model.addOrder(order(["a", "new"], 1));
    expect(model.prune(0.01)).toBe(1);
    expect(model.partners("a").map((p) => p.productId)).toEqual(["new"]);
  });
});
