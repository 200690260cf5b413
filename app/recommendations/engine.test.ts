import { describe, expect, it } from "vitest";
import { addOrder, createModel, exportState, importState, recommendForCart, scoredPartners, topK, type CatalogEntry } from "./engine-adapter";
import { evaluate } from "./evaluation";

const now = new Date("2026-11-01T00:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const order = (productIds: string[], days = 1) => ({ orderId: productIds.join(), createdAt: daysAgo(days), productIds });
const active = (id: string, extra: Partial<CatalogEntry> = {}): [string, CatalogEntry] => [id, { id, status: "active", available: true, isGiftCard: false, salesCount: 1, ...extra }];

describe("co-purchase scoring", () => {
  it("a one-off rare pair does not outrank a steady pair (shrinkage)", () => {
    const model = createModel();
    for (let i = 0; i < 20; i++) addOrder(model, order(["cake", "candles"]));
    for (let i = 0; i < 20; i++) addOrder(model, order(["cake"]));
    addOrder(model, order(["cake", "rare"]));
    expect(scoredPartners(model, "cake")[0][0]).toBe("candles");
  });

  it("corrects for popularity: the best seller is not everyone's top recommendation", () => {
    const model = createModel();
    for (let i = 0; i < 200; i++) addOrder(model, order(["milk", `other-${i % 50}`]));
    for (let i = 0; i < 15; i++) addOrder(model, order(["pirate", "eyepatch", "milk"].slice(0, i % 3 === 0 ? 3 : 2)));
    expect(scoredPartners(model, "pirate")[0][0]).toBe("eyepatch");
  });

  it("recent co-purchases count more than old ones (time decay)", () => {
    const model = createModel();
    for (let i = 0; i < 10; i++) addOrder(model, order(["costume", "old-mask"], 400));
    for (let i = 0; i < 10; i++) addOrder(model, order(["costume", "new-mask"], 5));
    expect(scoredPartners(model, "costume")[0][0]).toBe("new-mask");
  });

  it("caps huge baskets so a wholesale order does not dominate", () => {
    const model = createModel({ maxBasket: 10 });
    addOrder(model, order(Array.from({ length: 50 }, (_, i) => `item-${i}`)));
    expect(scoredPartners(model, "item-0")).toEqual([]);
  });

  it("filters self, drafts, archived, deleted, unavailable and gift cards; falls back with sources; honours pins and exclusions", () => {
    const model = createModel();
    for (const other of ["draft", "archived", "deleted", "soldout", "gift", "good", "excluded"]) for (let i = 0; i < 5; i++) addOrder(model, order(["hat", other]));
    const catalog = new Map<string, CatalogEntry>([
      active("hat", { collections: ["party"], productType: "Hats" }),
      active("draft", { status: "draft" }),
      active("archived", { status: "archived" }),
      active("deleted", { status: "deleted" }),
      active("soldout", { available: false }),
      active("gift", { isGiftCard: true }),
      active("good"),
      active("excluded"),
      active("same-collection", { collections: ["party"], salesCount: 3 }),
      active("same-type", { productType: "Hats", salesCount: 2 }),
      active("best-seller", { salesCount: 100 }),
      active("pinned"),
    ]);
    const recs = topK(model, "hat", catalog, { pinned: ["pinned"], excluded: ["excluded"] }, 5);
    expect(recs.map((r) => [r.productId, r.source])).toEqual([
      ["pinned", "pinned"],
      ["good", "copurchase"],
      ["same-collection", "collection"],
      ["same-type", "product_type"],
      ["best-seller", "bestseller"],
    ]);
  });

  it("incremental orders give the same model as a batch build, and state survives export/import", () => {
    const orders = [order(["a", "b", "c"], 30), order(["a", "b"], 10), order(["b", "d"], 2)];
    const batch = createModel();
    orders.forEach((o) => addOrder(batch, o));
    const incremental = importState(JSON.parse(JSON.stringify(exportState((() => {
      const m = createModel();
      addOrder(m, orders[0]);
      addOrder(m, orders[1]);
      return m;
    })()))));
    addOrder(incremental, orders[2]);
    expect(scoredPartners(incremental, "b")).toEqual(scoredPartners(batch, "b"));
  });

  it("cart recommendations sum over the cart and never include what is in it", () => {
    const lists = new Map([
      ["a", [{ productId: "b", score: 0.5, source: "copurchase" as const }, { productId: "x", score: 0.4, source: "copurchase" as const }]],
      ["b", [{ productId: "a", score: 0.5, source: "copurchase" as const }, { productId: "x", score: 0.3, source: "copurchase" as const }, { productId: "y", score: 0.6, source: "copurchase" as const }]],
    ]);
    expect(recommendForCart(lists, ["a", "b"], 2).map((r) => r.productId)).toEqual(["x", "y"]);
  });
});

describe("offline evaluation", () => {
  it("scores a recommender that knows the pairs above popularity", () => {
    const at = daysAgo(1);
    const train = Array.from({ length: 400 }, (_, i) => ({ items: i % 4 === 0 ? ["milk", `p${i % 20}`] : [`p${i % 20}`, `q${i % 20}`], at }));
    const test = Array.from({ length: 40 }, (_, i) => ({ items: [`p${i % 20}`, `q${i % 20}`], at }));
    const result = evaluate({ name: "synthetic", protocol: "test", train, test });
    const byName = Object.fromEntries(result.rows.map((row) => [row.recommender, row.hitRate]));
    expect(byName.engine).toBe(1);
    expect(byName.popularity).toBeLessThan(0.6);
  });
});
