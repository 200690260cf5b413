import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureDatabase, repoRoot } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { stopOnSignals } from "../app/infra/shutdown.server";
import { applyShopifyCliEnvironment } from "../app/infra/shopify-cli-env";

// `shopify app dev` runs this (shopify.web.toml): database up and migrated, the job
// worker in this process, and Remix's Vite dev server as a child on the same database.
// The CLI gives the tunnel as HOST and APP_URL: SHOPIFY_APP_URL is filled from them
// before anything reads it (the worker's import of shopify.server, then Vite).
applyShopifyCliEnvironment();
// PATHWISE_SECRET signs email links and encrypts Shopify tokens at rest. On a dev machine
// without one, a random secret is made once and kept beside the dev database (both
// processes below need the same one, and the stored tokens outlive a restart).
if (!process.env.PATHWISE_SECRET) {
  const file = path.join(repoRoot(), ".data", "dev-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  process.env.PATHWISE_SECRET = readFileSync(file, "utf8").trim();
}
const database = await ensureDatabase();
await migrateDatabase(database.url, (line) => console.log(line));
const { startWorker } = await import("../app/jobs/worker.server");
const { closeDatabase } = await import("../app/db.server");
const worker = await startWorker();
const child = spawn("npx", ["remix", "vite:dev"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: database.url } });
// The dev server and the worker first, then this process's connections, then PostgreSQL.
const stop = stopOnSignals(async () => {
  child.kill("SIGTERM");
  await worker.stop();
  await closeDatabase();
  await database.stop();
});
child.on("exit", stop);
