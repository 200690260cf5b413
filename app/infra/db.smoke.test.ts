import { describe, expect, it } from "vitest";
import prisma, { pool } from "../db.server";

describe("test database", () => {
  it("is a real, migrated PostgreSQL with graphile-worker installed", async () => {
    await prisma.shop.create({ data: { domain: "smoke.myshopify.com" } });
    expect(await prisma.shop.count()).toBe(1);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM graphile_worker.jobs");
    expect(rows[0].n).toBe(0);
  });
});
