import { buildQueries, evaluateSplit, validationSplit } from "../../app/recommendations/engine/evaluation";
import type { CoPurchaseOptions } from "../../app/recommendations/engine";
import { defaultDatasetsDir, loadGroceries } from "./datasets";

/**
 * Diagnostic for Groceries (npx tsx scripts/eval-recs/groceries-ceiling.ts): why
 * the engine stays near popularity there. (1) A wider grid of engine options,
 * judged on the validation slice of train only. (2) Conditional-probability
 * recommenders on the test queries of eval:recs: one trained on train, and one
 * trained on train + test (it has seen the answers: a ceiling for pair-statistics
 * methods, not a fair recommender). (3) EASE (Steck 2019), a linear item-to-item
 * model that weighs every pair against all the others (a ridge regression of each
 * item on the rest): strong on leave-one-out basket tasks, so it tells whether a
 * better model than pair scores would close the gap.
 */
const dir = defaultDatasetsDir();
const split = loadGroceries(dir);
// 1) engine variants on the VALIDATION slice only (choosing); report test for the chosen one only
const validation = validationSplit(split);
const variants: Record<string, Partial<CoPurchaseOptions>> = {};
for (const alpha of [0.5, 0.6, 0.7, 0.8, 0.9, 1]) for (const shrinkage of [0, 1, 5, 20, 100]) variants[`a${alpha}-s${shrinkage}`] = { alpha, shrinkage };
const v = await evaluateSplit(validation, { engineVariants: variants });
const pop = v.rows.find((r) => r.recommender === "popularity")!;
const sorted = v.rows.filter((r) => r.recommender.startsWith("a")).sort((x, y) => y.cart.hitRate - x.cart.hitRate);
console.log("validation popularity cart", pop.cart.hitRate.toFixed(4), "co-occ", v.rows[1].cart.hitRate.toFixed(4));
for (const r of sorted.slice(0, 6)) console.log("validation", r.recommender, r.cart.hitRate.toFixed(4), (r.cart.hitRate / pop.cart.hitRate).toFixed(3) + "x");
console.log("validation worst", sorted.at(-1)!.recommender, sorted.at(-1)!.cart.hitRate.toFixed(4));
// 2) Ceiling: conditional probability recommenders, one trained on TRAIN, one (cheating) on TRAIN+TEST
const known = new Set<string>();
for (const b of split.train) for (const i of b.items) known.add(i);
const queries = buildQueries(split, known).filter((q) => q.kind === "cart");
function condRec(baskets: readonly { items: readonly string[] }[]) {
  const count = new Map<string, number>();
  const pair = new Map<string, Map<string, number>>();
  for (const b of baskets) {
    const items = [...new Set(b.items)];
    for (const a of items) {
      count.set(a, (count.get(a) ?? 0) + 1);
      let row = pair.get(a);
      if (!row) pair.set(a, (row = new Map()));
      for (const c of items) if (c !== a) row.set(c, (row.get(c) ?? 0) + 1);
    }
  }
  const n = baskets.length;
  return (context: string[], mode: "sumcond" | "nb") => {
    const scores = new Map<string, number>();
    for (const b of count.keys()) {
      if (context.includes(b)) continue;
      let s = mode === "nb" ? Math.log(count.get(b)! / n) : 0;
      for (const a of context) {
        const c = pair.get(a)?.get(b) ?? 0;
        if (mode === "sumcond") s += c / count.get(a)!;
        else s += Math.log((c + 0.5) / (count.get(b)! + 1));
      }
      scores.set(b, s);
    }
    return [...scores.entries()].sort((x, y) => y[1] - x[1]).slice(0, 10).map(([b]) => b);
  };
}
for (const [label, baskets] of [["train", split.train], ["train+test (cheating ceiling)", [...split.train, ...split.test]]] as const) {
  const rec = condRec(baskets);
  for (const mode of ["sumcond", "nb"] as const) {
    let hits = 0;
    for (const q of queries) if (rec(q.context, mode).includes(q.hidden)) hits++;
    console.log(`${label} ${mode}: cart HR@10 ${(hits / queries.length).toFixed(4)} over ${queries.length} queries`);
  }
}

// 3) EASE on train: B = I - P / diag(P), P = (G + lambda I)^-1, G the item Gram matrix (169 x 169).
{
  const index = new Map<string, number>();
  for (const b of split.train) for (const i of b.items) if (!index.has(i)) index.set(i, index.size);
  const n = index.size;
  const gram = Array.from({ length: n }, () => new Float64Array(n));
  const popularity = new Float64Array(n);
  for (const b of split.train) {
    const ids = [...new Set(b.items.map((i) => index.get(i)!))];
    for (const a of ids) {
      popularity[a]++;
      for (const c of ids) gram[a][c]++;
    }
  }
  const invert = (m: Float64Array[]): Float64Array[] => {
    const size = m.length;
    const a = m.map((row, i) => Float64Array.from([...row, ...Array.from({ length: size }, (_, j) => (i === j ? 1 : 0))]));
    for (let c = 0; c < size; c++) {
      let pivot = c;
      for (let r = c + 1; r < size; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
      [a[c], a[pivot]] = [a[pivot], a[c]];
      const d = a[c][c];
      for (let j = 0; j < 2 * size; j++) a[c][j] /= d;
      for (let r = 0; r < size; r++) {
        if (r === c || a[r][c] === 0) continue;
        const f = a[r][c];
        for (let j = 0; j < 2 * size; j++) a[r][j] -= f * a[c][j];
      }
    }
    return a.map((row) => row.slice(size));
  };
  for (const lambda of [10, 100, 500, 1000, 3000]) {
    const p = invert(gram.map((row, i) => row.map((v, j) => (i === j ? v + lambda : v))));
    let hits = 0;
    for (const q of queries) {
      const context = q.context.map((i) => index.get(i)!);
      const score = new Float64Array(n);
      for (const a of context) for (let j = 0; j < n; j++) if (j !== a) score[j] -= p[a][j] / p[j][j];
      for (const a of context) score[a] = -Infinity;
      const top = [...score.keys()].sort((x, y) => score[y] - score[x] || popularity[y] - popularity[x]).slice(0, 10);
      if (top.includes(index.get(q.hidden)!)) hits++;
    }
    console.log(`EASE lambda ${lambda} (train): cart HR@10 ${(hits / queries.length).toFixed(4)} over ${queries.length} queries`);
  }
  // Popularity on the same queries (training counts, the query's items excluded), and what 1.5x of it would need.
  let popularHits = 0;
  for (const q of queries) {
    const context = new Set(q.context.map((i) => index.get(i)!));
    const top = [...popularity.keys()].filter((j) => !context.has(j)).sort((x, y) => popularity[y] - popularity[x]).slice(0, 10);
    if (top.includes(index.get(q.hidden)!)) popularHits++;
  }
  const popular = popularHits / queries.length;
  console.log(`popularity (train): cart HR@10 ${popular.toFixed(4)}; 1.5x would need ${(1.5 * popular).toFixed(4)}`);
}
