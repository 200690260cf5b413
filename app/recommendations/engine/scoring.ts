/**
 * Pure scoring functions of the co-purchase engine.
 *
 * Orders are rows of an item × order matrix with entries sqrt(u_o) where
 * u_o = basketFactor(n) · decay(age). Then
 *   w_ab = Σ_o u_o [a,b ∈ o]   (pair weight)      w_a = Σ_o u_o [a ∈ o]   (item weight)
 * and w_ab / sqrt(w_a · w_b) is a true cosine in [0, 1]: a best seller's large
 * w_b divides away its co-occurrence with everything (popularity correction).
 * Shrinkage w_ab / (w_ab + k) then discounts pairs with little evidence.
 */

export const DAY_MS = 86_400_000;

/** exp(-ln2 · age / halfLife): an order one half-life old counts half. Future orders (negative age) are not boosted. */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  return Math.exp((-Math.LN2 * Math.max(0, ageMs)) / halfLifeMs);
}

/**
 * 2^((t - epoch) / halfLife): the weight stored for an order at time t. Dividing
 * by the same scale at the reference time gives decayFactor(ref - t, halfLife),
 * so stored weights only ever grow by addition and never need rescaling.
 */
export function epochScale(atMs: number, epochMs: number, halfLifeMs: number): number {
  return 2 ** ((atMs - epochMs) / halfLifeMs);
}

/**
 * Each product in an order of n distinct products spreads one unit of evidence
 * over its n-1 partners. A two-item order says "these go together" with weight 1;
 * a 300-line wholesale basket adds 1/299 to each of its pairs, so the sum of any
 * one product's pair weights per order is 1 whatever the basket size, and bulk
 * buyers cannot dominate. Single-item orders count 1 (they lower the cosine of
 * things usually bought alone).
 */
export function basketFactor(distinctProducts: number): number {
  return distinctProducts > 1 ? 1 / (distinctProducts - 1) : 1;
}

/** Asymmetric cosine w_ab / (w_a^alpha · w_b^(1-alpha)); alpha 0.5 is the plain cosine. */
export function asymmetricCosine(pairWeight: number, weightA: number, weightB: number, alpha = 0.5): number {
  if (pairWeight <= 0 || weightA <= 0 || weightB <= 0) return 0;
  if (alpha === 0.5) return pairWeight / Math.sqrt(weightA * weightB);
  return pairWeight / (weightA ** alpha * weightB ** (1 - alpha));
}

/** Bayesian shrinkage towards zero: x / (x + k), x in the same units as k (fresh co-purchases). */
export function shrink(pairWeight: number, k: number): number {
  return pairWeight <= 0 ? 0 : pairWeight / (pairWeight + k);
}

/**
 * The score of b as a recommendation next to a. All weights must be in the same
 * units; `freshPairWeight` is the pair weight aged to the reference time (the
 * unit of the shrinkage constant).
 */
export function copurchaseScore(pairWeight: number, weightA: number, weightB: number, freshPairWeight: number, shrinkage: number, alpha = 0.5): number {
  return asymmetricCosine(pairWeight, weightA, weightB, alpha) * shrink(freshPairWeight, shrinkage);
}

/** Discounted cumulative gain of a single relevant item at 0-based rank (NDCG with one relevant item). */
export function ndcgAtRank(rank: number): number {
  return rank < 0 ? 0 : 1 / Math.log2(rank + 2);
}
