import { ensureDatabase } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";

// `npm run setup`: brings the database (embedded when DATABASE_URL is unset) to the
// latest schema. The embedded server keeps running only while this process does.
const target = await ensureDatabase();
const applied = await migrateDatabase(target.url, (line) => console.log(line));
console.log(applied.length ? `database ready (${applied.length} migrations applied)` : "database already up to date");
await target.stop();
