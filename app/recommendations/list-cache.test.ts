import { describe, expect, it } from "vitest";
import type { Recommendation } from "./engine";
import { ShopListCache, cartCards, type ProductCard, type ShopLists } from "./list-cache";

const card = (id: string): ProductCard => ({ id, title: `P${id}`, handle: `p${id}`, url: `/products/${id}`, image: null, priceMinor: 100, currency: "USD", variantId: null });
const rec = (productId: string, score: number, source: Recommendation["source"] = "copurchase"): Recommendation => ({ productId, score, source });

function shopLists(version: string, lists: Record<string, Recommendation[]>, shown = ["1", "2", "3", "4", "5", "6"]): ShopLists {
  return { version, lists: new Map(Object.entries(lists)), products: new Map(shown.map((id) => [id, card(id)])) };
}

/** A fake store the cache reads through; counts loads and version reads. */
function store(initial: ShopLists) {
  const state = { current: initial, loads: 0, versionReads: 0, clock: 0 };
  const cache = new ShopListCache({
    load: async () => {
      state.loads++;
      return state.current;
    },
    version: async () => {
      state.versionReads++;
      return state.current.version;
    },
    checkEveryMs: 1_000,
    maxShops: 2,
    now: () => state.clock,
  });
  return { state, cache };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("in-process recommendation lists for the app proxy", () => {
  it("loads a shop once for concurrent first requests and then answers from memory", async () => {
    const { state, cache } = store(shopLists("v1", { "1": [rec("2", 0.5)] }));
    const [a, b] = await Promise.all([cache.get("s"), cache.get("s")]);
    expect(a).toBe(b);
    await cache.get("s");
    expect(state.loads).toBe(1);
    expect(state.versionReads).toBe(0);
  });

  it("after the check interval reads the version in the background and reloads only when it moved", async () => {
    const { state, cache } = store(shopLists("v1", { "1": [rec("2", 0.5)] }));
    await cache.get("s");
    state.clock = 1_500;
    await cache.get("s");
    await settle();
    expect(state.versionReads).toBe(1);
    expect(state.loads).toBe(1);

    state.current = shopLists("v2", { "1": [rec("3", 0.9)] });
    state.clock = 3_000;
    const stale = await cache.get("s"); // never waits: the old copy answers while the check runs
    expect(stale.version).toBe("v1");
    await settle();
    await settle();
    expect(state.loads).toBe(2);
    expect((await cache.get("s")).version).toBe("v2");
  });

  it("invalidate drops the copy at once, and a load that started before it is not kept", async () => {
    const { state, cache } = store(shopLists("v1", {}));
    await cache.get("s");
    state.current = shopLists("v2", {});
    cache.invalidate("s");
    expect((await cache.get("s")).version).toBe("v2");

    // A slow load racing an invalidate.
    let release!: (value: ShopLists) => void;
    const slow = new ShopListCache({ load: () => new Promise<ShopLists>((resolve) => (release = resolve)), version: async () => "x" });
    const pending = slow.get("s");
    slow.invalidate("s");
    release(shopLists("old", {}));
    await pending;
    expect(slow.size).toBe(0);
  });

  it("keeps at most maxShops, dropping the least recently asked", async () => {
    const { state, cache } = store(shopLists("v1", {}));
    await cache.get("a");
    await cache.get("b");
    await cache.get("a");
    await cache.get("c");
    expect(cache.size).toBe(2);
    const loads = state.loads;
    await cache.get("a");
    expect(state.loads).toBe(loads);
    await cache.get("b");
    expect(state.loads).toBe(loads + 1);
  });

  it("merges a cart: pinned first, co-purchase summed over the cart, then fallbacks; never the cart or a product that may not be shown", () => {
    const lists = shopLists(
      "v1",
      {
        "1": [rec("2", 0.9), rec("3", 0.3), rec("6", 1, "bestseller")],
        "2": [rec("5", 1, "pinned"), rec("1", 0.9), rec("3", 0.3), rec("4", 0.5), rec("9", 0.8)],
      },
      ["1", "2", "3", "4", "5", "6"],
    );
    expect(cartCards(lists, ["1", "2"], 4).map((c) => c.id)).toEqual(["5", "3", "4", "6"]);
    expect(cartCards(lists, ["1"], 2).map((c) => c.id)).toEqual(["2", "3"]);
  });
});
