import { randomUUID } from "node:crypto";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { addJob, addJobUnlessWaiting } from "../../app/jobs/queue.server";

const TASK = "debounce-probe";

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<{ client: pg.PoolClient; result: T }> {
  const client = await pool.connect();
  await client.query("BEGIN");
  return { client, result: await work(client) };
}
async function finish(client: pg.PoolClient, how: "COMMIT" | "ROLLBACK" = "COMMIT") {
  await client.query(how);
  client.release();
}
const jobsWithKey = async (key: string) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = $1`, [key])).rows[0].n;
const runAt = () => new Date(Date.now() + 60_000);

describe("addJobUnlessWaiting (debounce without contention)", () => {
  it("lets transactions enqueueing the same key go on while another has not committed", async () => {
    const key = `probe:${randomUUID()}`;
    await addJob(pool, TASK, {}, { jobKey: key, jobKeyMode: "preserve_run_at", runAt: runAt() });
    const first = await inTransaction((client) => addJobUnlessWaiting(client, TASK, {}, { jobKey: key, runAt: runAt() }));
    try {
      // With add_job the second transaction would wait on the job row the first one updated.
      const second = await inTransaction(async (client) => {
        await client.query("SET LOCAL lock_timeout = '300ms'");
        await addJobUnlessWaiting(client, TASK, {}, { jobKey: key, runAt: runAt() });
      });
      await finish(second.client);
    } finally {
      await finish(first.client);
    }
    expect(await jobsWithKey(key)).toBe(1);

    // The contention it removes, for contrast: add_job on the same key does wait.
    const holder = await inTransaction((client) => addJob(client, TASK, {}, { jobKey: key, jobKeyMode: "preserve_run_at", runAt: runAt() }));
    try {
      const waiting = await inTransaction(async (client) => {
        await client.query("SET LOCAL lock_timeout = '300ms'");
        return addJob(client, TASK, {}, { jobKey: key, jobKeyMode: "preserve_run_at", runAt: runAt() }).then(
          () => "enqueued",
          (error: Error) => error.message,
        );
      });
      await finish(waiting.client, "ROLLBACK");
      expect(waiting.result).toMatch(/lock timeout/);
    } finally {
      await finish(holder.client);
    }
  });

  it("adds the job when none waits, and a successor when the waiting one is already running", async () => {
    const key = `probe:${randomUUID()}`;
    await addJobUnlessWaiting(pool, TASK, { n: 1 }, { jobKey: key, runAt: runAt() });
    expect(await jobsWithKey(key)).toBe(1);

    // A worker took it: what commits from now on needs another run.
    await pool.query(`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'test' WHERE key = $1`, [key]);
    await addJobUnlessWaiting(pool, TASK, { n: 2 }, { jobKey: key, runAt: runAt() });
    const { rows } = await pool.query<{ n: number; locked: boolean }>(
      `SELECT (payload->>'n')::int AS n, locked_at IS NOT NULL AS locked FROM graphile_worker._private_jobs WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $1) AND payload->>'n' IS NOT NULL AND (key = $2 OR locked_by = 'test') ORDER BY id`,
      [TASK, key],
    );
    expect(rows).toEqual([
      { n: 1, locked: true },
      { n: 2, locked: false },
    ]);
    await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE locked_by = 'test' OR key = $1`, [key]);
  });
});
