import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensureDatabase, createDatabaseIfMissing, dropDatabase, splitDatabaseUrl } from "../../app/infra/postgres.server";
import { migrateDatabase } from "../../app/infra/migrate.server";
import { freePort } from "./free-port";

/**
 * Tests run against a real PostgreSQL: DATABASE_URL's server when given, otherwise
 * an embedded one of this run's own (fresh data directory, free port), so test runs
 * never share, or stop, each other's server. A template database is migrated once;
 * each test file gets its own copy (tests/support/per-file-database.ts).
 */
export const TEMPLATE_DATABASE = "pathwise_test_template";

export default async function setup() {
  let dataDir: string | null = null;
  if (!process.env.DATABASE_URL) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "pathwise-test-pg-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root: it must reach its data dir
    process.env.PATHWISE_PG_DIR = path.join(dataDir, "data");
    process.env.PATHWISE_PG_PORT = String(await freePort());
    process.env.PATHWISE_TEST_EMBEDDED_PG = "1";
  }
  const target = await ensureDatabase({ database: "postgres" });
  const { serverUrl } = splitDatabaseUrl(target.url);
  await dropDatabase(serverUrl, TEMPLATE_DATABASE);
  await createDatabaseIfMissing(serverUrl, TEMPLATE_DATABASE);
  await migrateDatabase(`${serverUrl}/${TEMPLATE_DATABASE}`);
  process.env.PATHWISE_TEST_SERVER_URL = serverUrl;
  return async () => {
    await dropDatabase(serverUrl, TEMPLATE_DATABASE).catch(() => {});
    await target.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };
}
