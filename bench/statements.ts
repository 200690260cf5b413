/**
 * PATHWISE_PG_STAT_STATEMENTS=1 (the embedded PostgreSQL then loads pg_stat_statements):
 * a bench resets the statistics when its phase of interest begins and prints the
 * statements that cost PostgreSQL most when it ends.
 */
interface Queryable {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

export const statementStatsWanted = process.env.PATHWISE_PG_STAT_STATEMENTS === "1";

export async function resetStatementStats(db: Queryable): Promise<void> {
  if (!statementStatsWanted) return;
  await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  await db.query("SELECT pg_stat_statements_reset()");
}

export async function printCostliestStatements(db: Queryable, during: string): Promise<void> {
  if (!statementStatsWanted) return;
  const { rows } = await db.query(
    `SELECT calls, round(total_exec_time::numeric) AS total_ms, round((total_exec_time / calls)::numeric, 3) AS ms_per_call, rows,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS statement
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`,
  );
  console.log(`\nPostgreSQL statements ${during} (nested ones counted in their callers too):`);
  console.table(rows);
}
