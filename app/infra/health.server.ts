import type pg from "pg";

/**
 * What a load balancer or an operator's monitor asks: can this process reach its
 * database, and is the job worker keeping up? Only an unreachable database makes the
 * answer "unavailable": a backlog of jobs is the worker's problem, and taking web
 * processes out of rotation for it would also stop webhook acknowledgements.
 */
export interface Health {
  status: "ok" | "unavailable";
  database: { ok: true; latencyMs: number } | { ok: false; error: string };
  /** Jobs due now and not yet taken, how late the oldest of them is, and jobs that used up their attempts. */
  jobs?: { due: number; oldestDueSeconds: number; failed: number };
}

const JOBS_SQL = `
SELECT count(*) FILTER (WHERE due)::int AS due,
       COALESCE(extract(epoch FROM now() - min(run_at) FILTER (WHERE due)), 0)::float8 AS oldest_due_seconds,
       count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
FROM (
  SELECT run_at, attempts, max_attempts, locked_at IS NULL AND run_at <= now() AND attempts < max_attempts AS due
  FROM graphile_worker._private_jobs
) AS jobs`;

export async function checkHealth(pool: pg.Pool, options: { timeoutMs?: number } = {}): Promise<Health> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // One round trip answers both: reachable, and the queue's state.
    const { rows } = await Promise.race([pool.query<{ due: number; oldest_due_seconds: number; failed: number }>(JOBS_SQL), timeout]);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const [jobs] = rows;
    return {
      status: "ok",
      database: { ok: true, latencyMs },
      jobs: { due: jobs.due, oldestDueSeconds: Math.round(jobs.oldest_due_seconds), failed: jobs.failed },
    };
  } catch (error) {
    return { status: "unavailable", database: { ok: false, error: (error as Error).message } };
  } finally {
    clearTimeout(timer);
  }
}
