import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { addJob } from "../../app/jobs/queue.server";
import { startWorker } from "../../app/jobs/worker.server";

describe("worker shutdown", () => {
  it("finishes what it started and hands back the jobs it had fetched but not started: none stays locked", async () => {
    const started: number[] = [];
    const ran: number[] = [];
    const slow = async (payload: unknown) => {
      started.push((payload as { n: number }).n);
      await new Promise((resolve) => setTimeout(resolve, 300));
      ran.push((payload as { n: number }).n);
    };
    for (let n = 0; n < 20; n++) await addJob(pool, "test.slow", { n });
    const errors: string[] = [];
    const onLog = (level: string, message: string) => level === "error" && errors.push(message);
    // Two in flight and a local queue of three: when both have started, the third waits
    // in the process, fetched and locked but not started. Stop then.
    const runner = await startWorker({ connectionString: process.env.DATABASE_URL, concurrency: 2, tasks: { "test.slow": slow }, log: onLog });
    while (started.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await runner.stop();

    expect(ran.length).toBe(2); // what had started finished
    const { rows } = await pool.query(
      `SELECT count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS locked, count(*)::int AS left FROM graphile_worker._private_jobs`,
    );
    expect(rows[0]).toEqual({ locked: 0, left: 18 });
    expect(errors).toEqual([]);

    // The next worker (after a deploy) runs the rest at once, not after a lock expiry.
    const next = await startWorker({ concurrency: 20, tasks: { "test.slow": slow }, log: onLog });
    while (ran.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await next.stop();
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(errors).toEqual([]);
  }, 30_000);
});
