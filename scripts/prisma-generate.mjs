// postinstall: generate the Prisma client. Generation needs no schema engine, but the
// Prisma CLI tries to download one first; where that download is impossible (offline
// machines, CI here) point it at a stand-in so generation still runs.
import { spawnSync } from "node:child_process";

const env = { ...process.env };
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const first = spawnSync("prisma", ["generate"], { stdio: "pipe", env, shell: true });
if (first.status === 0) process.exit(0);
const output = `${first.stdout}${first.stderr}`;
if (!/binaries\.prisma\.sh|ENOTFOUND|ECONNREFUSED|getaddrinfo|fetch failed/i.test(output)) {
  process.stderr.write(output);
  process.exit(first.status ?? 1);
}
// engineType "client" needs neither engine at run time.
env.PRISMA_SCHEMA_ENGINE_BINARY = env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/false";
env.PRISMA_QUERY_ENGINE_LIBRARY = env.PRISMA_QUERY_ENGINE_LIBRARY ?? "/bin/false";
const second = spawnSync("prisma", ["generate"], { stdio: "inherit", env, shell: true });
process.exit(second.status ?? 1);
