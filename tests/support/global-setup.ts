import { ensureDatabase, createDatabaseIfMissing, dropDatabase, splitDatabaseUrl } from "../../app/infra/postgres.server";
import { migrateDatabase } from "../../app/infra/migrate.server";

/**
 * Tests run against a real PostgreSQL: DATABASE_URL's server when given, otherwise
 * the embedded one. A template database is migrated once per run; each test file
 * then gets its own copy (tests/support/per-file-database.ts), so files run in
 * parallel without seeing each other's rows or jobs.
 */
export const TEMPLATE_DATABASE = "pathwise_test_template";

export default async function setup() {
  const target = await ensureDatabase({ database: "postgres" });
  const { serverUrl } = splitDatabaseUrl(target.url);
  await dropDatabase(serverUrl, TEMPLATE_DATABASE);
  await createDatabaseIfMissing(serverUrl, TEMPLATE_DATABASE);
  await migrateDatabase(`${serverUrl}/${TEMPLATE_DATABASE}`);
  process.env.PATHWISE_TEST_SERVER_URL = serverUrl;
  return async () => {
    await dropDatabase(serverUrl, TEMPLATE_DATABASE).catch(() => {});
    await target.stop();
  };
}
