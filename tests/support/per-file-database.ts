import { randomBytes } from "node:crypto";
import { afterAll } from "vitest";
import { createDatabaseIfMissing, dropDatabase } from "../../app/infra/postgres.server";

// Runs before each test file's imports: give the file a fresh database cloned from
// the migrated template, and point DATABASE_URL (read by app/db.server.ts) at it.
const serverUrl = process.env.PATHWISE_TEST_SERVER_URL;
if (!serverUrl) throw new Error("tests/support/global-setup.ts did not run");
const database = `pathwise_test_${process.pid}_${randomBytes(4).toString("hex")}`;
await createDatabaseIfMissing(serverUrl, database, "pathwise_test_template");
process.env.DATABASE_URL = `${serverUrl}/${database}`;
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://pathwise.test";
process.env.PATHWISE_SECRET ??= "test-pathwise-secret-0123456789abcdef";

afterAll(async () => {
  // The app's own close (it waits for the connections to end); only when a test opened the database.
  if (globalThis.__pathwiseDb) {
    const { closeDatabase } = await import("../../app/db.server");
    await closeDatabase().catch(() => {});
  }
  await dropDatabase(serverUrl, database).catch(() => {});
});
