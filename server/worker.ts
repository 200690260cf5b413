import { ensureDatabase } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { requireTokenKeyInProduction } from "../app/infra/token-cipher.server";

// `npm run worker`: the job worker on its own (scale it apart from the web server).
requireTokenKeyInProduction();
const database = await ensureDatabase();
await migrateDatabase(database.url);
const { startWorker } = await import("../app/jobs/worker.server");
const runner = await startWorker();
console.log("Pathwise worker running");
const shutdown = async () => {
  await runner.stop();
  await database.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
await runner.promise;
