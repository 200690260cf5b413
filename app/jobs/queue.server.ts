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

/** Cancels a pending job by key (a no-op when it already ran or never existed). */
export async function removeJob(sql: SqlExecutor, jobKey: string): Promise<void> {
  await sql.query("SELECT 1 AS ok FROM graphile_worker.remove_job($1::text)", [jobKey]);
}

/** Adapts a Prisma transaction client to SqlExecutor. */
export function prismaSql(tx: { $queryRawUnsafe: (sql: string, ...params: unknown[]) => Promise<unknown> }): SqlExecutor {
  return { query: (sql, params) => tx.$queryRawUnsafe(sql, ...params) };
}
