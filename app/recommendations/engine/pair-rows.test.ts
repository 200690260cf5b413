import { describe, expect, it } from "vitest";
import { PairRows } from "./pair-rows";
import { basketFactor, copurchaseScore, decayFactor, epochScale, shrink } from "./scoring";

describe("PairRows", () => {
  it("agrees with a Map through growth, many rows and repeated keys", () => {
    const rows = new PairRows();
    const reference = new Map<string, number>();
    let state = 1;
    const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
    rows.ensureRows(300);
    for (let i = 0; i < 50_000; i++) {
      const row = Math.floor(random() * 300);
      const neighbour = Math.floor(random() ** 3 * 5_000);
      const delta = random();
      rows.add(row, neighbour, delta);
      reference.set(`${row}:${neighbour}`, (reference.get(`${row}:${neighbour}`) ?? 0) + delta);
    }
    let entries = 0;
    for (let row = 0; row < 300; row++) {
      const { keys, weights } = rows.slots(row);
      for (let slot = 0; slot < keys.length; slot++) {
        if (keys[slot] === 0) continue;
        entries++;
        expect(weights[slot]).toBe(reference.get(`${row}:${keys[slot] - 1}`));
      }
      expect(rows.degree(row)).toBe([...reference.keys()].filter((key) => key.startsWith(`${row}:`)).length);
    }
    expect(entries).toBe(reference.size);
    for (const [key, weight] of reference) {
      const [row, neighbour] = key.split(":").map(Number);
      expect(rows.get(row, neighbour)).toBe(weight);
    }
    expect(rows.get(5, 999_999)).toBe(0);
  });
});

describe("scoring functions", () => {
  it("decay halves per half-life and epoch scales divide to the same decay", () => {
    expect(decayFactor(90, 90)).toBeCloseTo(0.5, 15);
    expect(decayFactor(0, 90)).toBe(1);
    const epoch = Date.UTC(2020, 0, 1);
    const t = Date.UTC(2025, 5, 1);
    const ref = Date.UTC(2026, 1, 1);
    const halfLife = 90 * 86_400_000;
    expect(epochScale(t, epoch, halfLife) / epochScale(ref, epoch, halfLife)).toBeCloseTo(decayFactor(ref - t, halfLife), 12);
  });

  it("basket factor spreads one unit per product over its partners", () => {
    expect(basketFactor(1)).toBe(1);
    expect(basketFactor(2)).toBe(1);
    expect(basketFactor(11)).toBeCloseTo(0.1, 15);
  });

  it("shrinkage: one co-purchase with a perfect cosine scores below twenty with a good one", () => {
    expect(shrink(1, 5)).toBeCloseTo(1 / 6, 15);
    const rare = copurchaseScore(1, 1, 1, 1, 5);
    const steady = copurchaseScore(20, 40, 25, 20, 5);
    expect(rare).toBeLessThan(steady);
  });
});
