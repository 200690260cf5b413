/**
 * Enqueueing on graphile-worker from inside the caller's own transaction, so a job
 * exists exactly when the data that caused it was committed.
 */
export interface SqlExecutor {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

export interface JobOptions {
  runAt?: Date;
  /** One pending job per key: enqueueing again replaces it (debounces a timer). */
  jobKey?: string;
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
}

export async function addJob(sql: SqlExecutor, task: string, payload: unknown, options: JobOptions = {}): Promise<void> {
  await sql.query(
    `SELECT 1 AS ok FROM graphile_worker.add_job($1::text, $2::json, queue_name => $3::text, run_at => $4::timestamptz,
       max_attempts => $5::int, job_key => $6::text, priority => $7::int, job_key_mode => $8::text)`,
    [
      task,
      JSON.stringify(payload ?? {}),
      options.queueName ?? null,
      options.runAt ?? null,
      options.maxAttempts ?? null,
      options.jobKey ?? null,
      options.priority ?? null,
      options.jobKeyMode ?? "replace",
    ],
  );
}

/**
 * A debounced job (one per key) that most callers find already waiting: then nothing
 * is written. add_job on an existing key updates that job's row, and the row stays
 * locked until the caller's transaction commits, so every transaction enqueueing the
 * same key (each of a shop's orders) would wait for the one before it: order
 * processing in one shop ran one at a time. When no job waits (none, or it is already
 * running) add_job runs as usual, and a running job gets a successor. What the caller
 * commits is seen by the waiting job unless it starts within the caller's commit: the
 * next enqueue schedules the following run.
 */
export async function addJobUnlessWaiting(sql: SqlExecutor, task: string, payload: unknown, options: JobOptions & { jobKey: string }): Promise<void> {
  await sql.query(
    `SELECT graphile_worker.add_job($1::text, $2::json, queue_name => $3::text, run_at => $4::timestamptz,
       max_attempts => $5::int, job_key => $6::text, priority => $7::int, job_key_mode => $8::text) IS NOT NULL AS ok
     FROM (SELECT 1) AS once
     WHERE NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE key = $6::text AND locked_at IS NULL)`,
    [
      task,
      JSON.stringify(payload ?? {}),
      options.queueName ?? null,
      options.runAt ?? null,
      options.maxAttempts ?? null,
      options.jobKey,
      options.priority ?? null,
      options.jobKeyMode ?? "preserve_run_at",
    ],
  );
}

/** Whether a job with this key is waiting or running. */
export async function hasJob(sql: SqlExecutor, jobKey: string): Promise<boolean> {
  const rows = (await sql.query("SELECT 1 AS found FROM graphile_worker._private_jobs WHERE key = $1::text", [jobKey])) as unknown[] | { rows: unknown[] };
  return (Array.isArray(rows) ? rows : rows.rows).length > 0;
}

/** Cancels a pending job by key (a no-op when it already ran or never existed). */
export async function removeJob(sql: SqlExecutor, jobKey: string): Promise<void> {
  await sql.query("SELECT 1 AS ok FROM graphile_worker.remove_job($1::text)", [jobKey]);
}

/** Adapts a Prisma transaction client to SqlExecutor. */
export function prismaSql(tx: { $queryRawUnsafe: (sql: string, ...params: unknown[]) => Promise<unknown> }): SqlExecutor {
  return { query: (sql, params) => tx.$queryRawUnsafe(sql, ...params) };
}
