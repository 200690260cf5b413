import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureDatabase } from "./postgres.server";
import { freePort } from "../../tests/support/free-port";

const saved = { url: process.env.DATABASE_URL, dir: process.env.PATHWISE_PG_DIR, port: process.env.PATHWISE_PG_PORT };
let dataDir: string | null = null;

afterEach(async () => {
  for (const [key, value] of [["DATABASE_URL", saved.url], ["PATHWISE_PG_DIR", saved.dir], ["PATHWISE_PG_PORT", saved.port]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("embedded PostgreSQL", () => {
  it("says why it did not start, in PostgreSQL's own words, instead of failing with nothing", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "pathwise-broken-pg-"));
    // A data directory that is not one: PostgreSQL refuses it at once.
    await writeFile(path.join(dataDir, "PG_VERSION"), "99\n");
    delete process.env.DATABASE_URL;
    process.env.PATHWISE_PG_DIR = dataDir;
    process.env.PATHWISE_PG_PORT = String(await freePort());
    await expect(ensureDatabase()).rejects.toThrow(/did not start[\s\S]*postgresql\.conf[\s\S]*PATHWISE_PG_DIR/);
  });
});
