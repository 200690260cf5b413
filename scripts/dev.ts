import { spawn } from "node:child_process";
import { ensureDatabase } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";

// `shopify app dev` runs this (shopify.web.toml): database up and migrated, the job
// worker in this process, and Remix's Vite dev server as a child on the same database.
const database = await ensureDatabase();
await migrateDatabase(database.url, (line) => console.log(line));
const { startWorker } = await import("../app/jobs/worker.server");
const worker = await startWorker();
const child = spawn("npx", ["remix", "vite:dev"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: database.url } });
const shutdown = async () => {
  child.kill("SIGTERM");
  await worker.stop();
  await database.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
child.on("exit", shutdown);
