import { describe, expect, it } from "vitest";
import { createMicroBatcher } from "../../app/jobs/micro-batcher";

describe("micro-batcher", () => {
  it("never puts two requests with the same conflict key in one batch", async () => {
    const batches: string[][] = [];
    const batcher = createMicroBatcher<{ key: string; n: number }, number>(
      { lingerMs: 5, maxBatch: 100, conflictKey: (request) => request.key },
      async (requests) => {
        batches.push(requests.map((request) => `${request.key}${request.n}`));
        return requests.map((request) => request.n);
      },
    );
    const results = await Promise.all([
      batcher.submit({ key: "a", n: 1 }),
      batcher.submit({ key: "b", n: 2 }),
      batcher.submit({ key: "a", n: 3 }),
      batcher.submit({ key: "c", n: 4 }),
    ]);
    expect(results).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([["a1", "b2"], ["a3", "c4"]]);
  });

  it("rejects every caller when the batch throws before returning a promise, and only the caller whose result is an Error otherwise", async () => {
    const throwing = createMicroBatcher<number, number>({ lingerMs: 1, maxBatch: 10 }, () => {
      throw new Error("statement could not be built");
    });
    const thrown = await Promise.allSettled([throwing.submit(1), throwing.submit(2)]);
    expect(thrown.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);

    const partial = createMicroBatcher<number, number>({ lingerMs: 1, maxBatch: 10 }, async (requests) =>
      requests.map((n) => (n === 2 ? new Error("this one failed") : n * 10)),
    );
    const outcomes = await Promise.allSettled([partial.submit(1), partial.submit(2), partial.submit(3)]);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new Error("this one failed") },
      { status: "fulfilled", value: 30 },
    ]);
  });
});
