import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { createHash } from "node:crypto";
import pg from "pg";

/**
 * The one database pool and Prisma client of this process. The connection string
 * comes from DATABASE_URL, which the entry points set (to the embedded PostgreSQL
 * when the operator gave none) before this module is imported.
 */
declare global {
  // eslint-disable-next-line no-var
  var __pathwiseDb: { pool: pg.Pool; prisma: PrismaClient; open: Set<pg.Client> } | undefined;
}

// Raw-SQL reads of `timestamp` (without zone) columns: they are UTC.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (value) => new Date(`${value.replace(" ", "T")}Z`));

function connect() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set: start the app through server/index.ts or npm run start, which provide one");
  }
  // Sessions run in UTC: `timestamp` columns hold UTC, whatever the server's zone.
  const pool = new pg.Pool({ connectionString, max: Number(process.env.DATABASE_POOL_SIZE ?? 20), options: "-c TimeZone=UTC" });
  pool.on("error", (error) => console.error("[db] idle client error", error.message));
  // A connection the server drops while checked out (restart, idle timeout) emits
  // `error` on its client: without a listener that would crash the process; the
  // query in flight fails on its own and the pool replaces the connection.
  pool.on("connect", (client) => client.on("error", (error) => console.error("[db] client error", error.message)));
  // Connections not yet closed: pool.end() resolves once it has asked each to close, not
  // once they have, and closeDatabase waits for them (the embedded PostgreSQL stops next).
  const open = new Set<pg.Client>();
  pool.on("connect", (client) => {
    open.add(client);
    client.once("end", () => open.delete(client));
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma, open };
}

const db = (globalThis.__pathwiseDb ??= connect());

/** Raw pool for hot paths that need plain SQL (webhook ingestion, job enqueueing). */
export const pool = db.pool;
const prisma = db.prisma;
export default prisma;

/** Ends this process's pool and waits until every connection has closed (at most 5 s). */
export async function closeDatabase(): Promise<void> {
  if (!globalThis.__pathwiseDb) return;
  const { pool: p, prisma: client, open } = globalThis.__pathwiseDb;
  globalThis.__pathwiseDb = undefined;
  await client.$disconnect();
  await p.end();
  const deadline = Date.now() + 5_000;
  while (open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

const statementNames = new Map<string, string>();

/**
 * A query as a named (prepared) statement: PostgreSQL parses and plans it once per
 * connection instead of on every call. For the hot paths' fixed statements, whose
 * planning costs several times their execution (a flow step's read plans in ~1.6 ms
 * and runs in ~0.3 ms). Only for SQL text from a fixed set: each text gets a name.
 */
export function preparedQuery<R extends pg.QueryResultRow = any>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `pathwise_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`));
  return pool.query<R>({ name, text, values });
}
