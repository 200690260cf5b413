import { ensureDatabase } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { requireTokenKeyInProduction } from "../app/infra/token-cipher.server";
import { stopOnSignals } from "../app/infra/shutdown.server";

// `npm run worker`: the job worker on its own (scale it apart from the web server).
requireTokenKeyInProduction();
const database = await ensureDatabase();
await migrateDatabase(database.url);
const { startWorker } = await import("../app/jobs/worker.server");
const { closeDatabase } = await import("../app/db.server");
const runner = await startWorker();
console.log("Pathwise worker running");
// The worker first (it releases what it fetched), then its connections, then PostgreSQL.
stopOnSignals(async () => {
  await runner.stop();
  await closeDatabase();
  await database.stop();
});
await runner.promise;
