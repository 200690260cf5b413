import { describe, expect, it } from "vitest";
import prisma, { pool } from "../db.server";

describe("test database", () => {
  it("is a real, migrated PostgreSQL with graphile-worker installed", async () => {
    await prisma.shop.create({ data: { domain: "smoke.myshopify.com" } });
    expect(await prisma.shop.count()).toBe(1);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM graphile_worker.jobs");
    expect(rows[0].n).toBe(0);
  });

  // Only when this run started its own embedded PostgreSQL (no DATABASE_URL given).
  it.skipIf(process.env.PATHWISE_TEST_EMBEDDED_PG !== "1")("runs the embedded PostgreSQL with the settings the app starts it with", async () => {
    const { rows } = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('wal_init_zero', 'max_wal_size', 'checkpoint_timeout', 'shared_buffers', 'backend_flush_after') ORDER BY name`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.name, row.setting]))).toEqual({
      // In 8 kB pages: 256 kB and 128 MB.
      backend_flush_after: "32",
      checkpoint_timeout: "900",
      max_wal_size: "2048",
      shared_buffers: "16384",
      wal_init_zero: "off",
    });
  });
});
