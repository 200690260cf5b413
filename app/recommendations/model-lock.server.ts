import pg from "pg";
import pLimit from "p-limit";

/**
 * One shop's co-purchase model is read, changed and written back by several jobs: the
 * incremental update after new orders, a full rebuild (recompute now, the nightly
 * refresh, a cancellation), the backfill's build step. Two of them at once would both
 * apply the same new orders from the same watermark, and the model would count them
 * twice until the next rebuild. So they take turns, shop by shop:
 *
 * - A PostgreSQL advisory lock per shop, transaction-scoped, on a connection of its
 *   own: released on commit, rollback or a lost connection, so a worker that dies
 *   leaves nothing held. The connection is not the pool's, which the work itself
 *   needs (with many shops waiting, lock holders would take every pooled connection).
 *   graphile-worker's named queues would serialize these jobs, but not with the local
 *   queue our worker fetches through (graphile/worker#621).
 * - At most RECS_MODEL_CONCURRENCY models in memory per process (default 2): a build
 *   holds its model while it runs (about 240 MiB for a million order lines,
 *   bench:recs), and the nightly refresh starts every shop's in the same minute.
 */
const WAIT_FOR_LOCK_MS = 15 * 60_000;

export function recsModelConcurrency(): number {
  const raw = process.env.RECS_MODEL_CONCURRENCY;
  const value = raw === undefined || raw === "" ? 2 : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new Error(`RECS_MODEL_CONCURRENCY must be a whole number from 1 to 64 (got "${raw}")`);
  }
  return value;
}

let limit: ReturnType<typeof pLimit> | undefined;

export async function withShopModel<T>(shop: string, work: () => Promise<T>): Promise<T> {
  limit ??= pLimit(recsModelConcurrency());
  return limit(async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    client.on("error", (error) => console.error("[recs] lock connection error", error.message));
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${WAIT_FOR_LOCK_MS}`);
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`pathwise:recs-model:${shop}`]);
      const result = await work();
      await client.query("COMMIT");
      return result;
    } finally {
      // Ending the session rolls back whatever is open and releases the lock.
      await client.end().catch(() => {});
    }
  });
}
