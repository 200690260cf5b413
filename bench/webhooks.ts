import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import os from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createDatabaseIfMissing, dropDatabase, ensureDatabase, repoRoot, splitDatabaseUrl } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { fixturesDir } from "../simulator/admin-graphql";
import { embeddedPostgresPid, treeCpuSeconds } from "./cpu";
import { printCostliestStatements, resetStatementStats } from "./statements";

/**
 * npm run bench:webhooks — ack throughput and latency of webhook ingestion.
 * The app runs as its own process (the built Remix app behind Express); a separate
 * load process sends signed orders/create deliveries. Then the same load against a
 * baseline that processes inside the request, as Shopify's template does.
 */
const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 10_000);
// The baseline processes every order inside its request (tens of ms of CPU each), so it
// gets fewer deliveries: its rate and latencies settle well before 10,000.
const BASELINE_TOTAL = Number(process.env.BENCH_BASELINE_WEBHOOKS ?? 2_000);
// The worker phase runs for a bounded time and reports its rate and what is left.
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
// The sustained phase: deliveries leave on a fixed schedule whatever the answers, as
// Shopify's do (open loop), above the 2,000/s target so the rate achieved over the whole
// phase, tail included, can show 2,000/s. Latency counts from each scheduled time.
const OPEN_RATE = Number(process.env.BENCH_RATE ?? 2_100);
// 70,000 at 2,100/s is 33 s: longer than the kernel keeps written data before writing it
// back (30 s), so the phase meets that write-back, as any sustained load does.
const OPEN_TOTAL = Number(process.env.BENCH_OPEN_WEBHOOKS ?? 70_000);
const OPEN_CONNECTIONS = Number(process.env.BENCH_OPEN_CONNECTIONS ?? 128);
const WEB_CONCURRENCY = Number(process.env.WEB_CONCURRENCY ?? 1);
const SHOP = "bench-shop.myshopify.com";
const SECRET = "bench-secret";
const DATABASE = "pathwise_bench_webhooks";
const fixtures = fixturesDir();

const server = await ensureDatabase({ database: "postgres" });
const { serverUrl } = splitDatabaseUrl(server.url);
await dropDatabase(serverUrl, DATABASE);
await createDatabaseIfMissing(serverUrl, DATABASE);
const databaseUrl = `${serverUrl}/${DATABASE}`;
await migrateDatabase(databaseUrl);

const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  SHOPIFY_API_KEY: "bench-key",
  SHOPIFY_API_SECRET: SECRET,
  PATHWISE_SECRET: process.env.PATHWISE_SECRET ?? "bench-pathwise-secret-0123456789",
  SHOPIFY_APP_URL: "http://127.0.0.1",
  BENCH_SHOP: SHOP,
  WEB_CONCURRENCY: String(WEB_CONCURRENCY),
  NODE_ENV: "production",
};
const tsx = path.join(repoRoot(), "node_modules", ".bin", "tsx");
const app: ChildProcess = spawn(tsx, [...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), path.join(repoRoot(), "bench", "webhook-server.ts")], { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "inherit"], detached: true });
// If this process fails, the app it started must not outlive it.
process.on("exit", () => {
  // Its own process group (detached): tsx's node child goes too.
  if (app.exitCode === null && app.signalCode === null) {
    try {
      process.kill(-app.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
// Interrupted (Ctrl-C, a timeout): exit through the handlers above and PostgreSQL's.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => process.exit(130));
const appUrl = await new Promise<string>((resolve, reject) => {
  app.stdout!.on("data", (chunk: Buffer) => {
    const match = /READY (\S+)/.exec(chunk.toString());
    if (match) resolve(match[1]);
  });
  app.once("exit", (code) => reject(new Error(`app exited with ${code}`)));
});

interface LoadResult { sent: number; ok: number; failed: number; seconds: number; loadCpuSeconds: number; appCpuMs: number; dbCpuMs: number; p50: number; p95: number; p99: number; max: number; senderDelayP99: number; senderDelayMax: number; slowQuarters: Array<{ at: number; sent: number; p50: number; max: number }> }
let idOffset = 0;
const postgresPid = embeddedPostgresPid(server.embedded);
// Async, so this process keeps draining the app's output while the load runs.
async function load(route: string, total: number, options: { rate?: number; connections?: number } = {}): Promise<LoadResult> {
  idOffset += total;
  const appCpuBefore = treeCpuSeconds(app.pid);
  const dbCpuBefore = treeCpuSeconds(postgresPid);
  const { stdout: out } = await promisify(execFile)(tsx, [path.join(repoRoot(), "bench", "webhook-load.ts"), `${appUrl}${route}`, String(total), String(options.connections ?? CONCURRENCY), SHOP, SECRET, fixtures, String(idOffset), String(options.rate ?? 0)], {
    env: { ...process.env },
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
  result.appCpuMs = ((treeCpuSeconds(app.pid) - appCpuBefore) * 1000) / total;
  result.dbCpuMs = ((treeCpuSeconds(postgresPid) - dbCpuBefore) * 1000) / total;
  // One line per phase as it ends, so a slow or stuck phase shows where it is.
  console.log(
    `  ${route} ${total.toLocaleString()}${options.rate ? ` offered at ${options.rate.toLocaleString()}/s` : ""}: ${(result.sent / result.seconds).toFixed(0)}/s, p50 ${result.p50.toFixed(1)} / p95 ${result.p95.toFixed(1)} / p99 ${result.p99.toFixed(1)} ms, ` +
      `${result.failed} non-2xx; CPU per delivery: app ${result.appCpuMs.toFixed(3)} ms, PostgreSQL ${result.dbCpuMs.toFixed(3)} ms, ` +
      `load process ${((result.loadCpuSeconds * 1000) / total).toFixed(3)} ms; load process's event loop delay p99 ${result.senderDelayP99.toFixed(1)} / max ${result.senderDelayMax.toFixed(1)} ms; load average ${loadAverage()}`,
  );
  if (result.slowQuarters.length > 0) {
    const shown = result.slowQuarters.slice(0, 12).map((q) => `${q.at.toFixed(2)} s (${q.sent} sent, p50 ${q.p50.toFixed(0)}, max ${q.max.toFixed(0)} ms)`);
    console.log(`    quarter-seconds with an answer over 50 ms, from the phase's start: ${shown.join("; ")}${result.slowQuarters.length > 12 ? `; ${result.slowQuarters.length - 12} more` : ""}`);
  }
  return result;
}
const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(" ");

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);

console.log(`bench:webhooks — ${TOTAL.toLocaleString()} signed orders/create deliveries (baseline ${BASELINE_TOTAL.toLocaleString()}), ${CONCURRENCY} concurrent connections, ${os.availableParallelism()} cores, ${WEB_CONCURRENCY} web process(es)`);
console.log(`load average before: ${loadAverage()} (other work on the machine shares these cores)\n`);
// Warm-up: the JIT, the pools, and PostgreSQL's buffer pool filled once, as on a server
// that has run a while. A fresh pool takes new pages for free; the first phase to fill it
// meets every backend's first evictions at once (on 128 MB, the 11,000 deliveries before
// the open loop filled it just as it began: p50 24-83 ms in its first quarter-second in
// 4 runs of 6; in none of 2 with the pool filled first).
const { rows: [{ bytes: bufferPoolBytes }] } = await db.query<{ bytes: string }>(
  `SELECT setting::bigint * 8192 AS bytes FROM pg_settings WHERE name = 'shared_buffers'`,
);
const deliveryBytes = readFileSync(path.join(fixtures, "webhooks", "orders__create.json")).length;
const WARMUP = Number(process.env.BENCH_WARMUP ?? Math.min(40_000, 1_000 + Math.ceil(Number(bufferPoolBytes) / deliveryBytes)));
console.log(`warm-up: ${WARMUP.toLocaleString()} deliveries (JIT, pools, and PostgreSQL's ${Math.round(Number(bufferPoolBytes) / 2 ** 20)} MB buffer pool filled once)`);
await load("/webhooks", WARMUP);
const eventsBefore = await count("SELECT count(*) AS n FROM webhook_event");
const pathwise = await load("/webhooks", TOTAL);
const storedClosed = (await count("SELECT count(*) AS n FROM webhook_event")) - eventsBefore;
const sustained = await load("/webhooks", OPEN_TOTAL, { rate: OPEN_RATE, connections: OPEN_CONNECTIONS });
const stored = (await count("SELECT count(*) AS n FROM webhook_event")) - eventsBefore;
const sent = pathwise.sent + sustained.sent;
const jobs = await count("SELECT count(*) AS n FROM graphile_worker.jobs");

// Ends the app, the bench database and the PostgreSQL this run started. Awaited, so a run
// started right after never finds that PostgreSQL still shutting down on its port.
async function shutdown(): Promise<void> {
  await db.end();
  const { closeDatabase } = await import("../app/db.server");
  await closeDatabase();
  app.kill("SIGTERM");
  await new Promise((resolve) => app.once("exit", resolve));
  await dropDatabase(serverUrl, DATABASE).catch(() => {});
  await server.stop();
}

if (process.env.BENCH_SKIP_BASELINE) {
  console.log(pathwise, sustained, stored);
  await shutdown();
  process.exit(0);
}
await load("/bench/baseline-webhooks", 200);
const ordersBefore = await count(`SELECT count(*) AS n FROM "order"`);
const baseline = await load("/bench/baseline-webhooks", BASELINE_TOTAL);
const baselineStored = (await count(`SELECT count(*) AS n FROM "order"`)) - ordersBefore;

// Processing: the worker drains what was acknowledged (normalize + store model + store events).
// The worker loads the app's modules (shopify.server needs its configuration too).
for (const key of ["DATABASE_URL", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "PATHWISE_SECRET"] as const) process.env[key] = env[key];
const { startWorker } = await import("../app/jobs/worker.server");
const processWebhookJobs = () => count(`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier IN ('process-webhooks', 'process-webhook')`);
await resetStatementStats(db);
const drainStarted = Date.now();
// The worker runs in this process: its CPU, and PostgreSQL's, per processed event.
const workerCpuBefore = process.cpuUsage();
const drainDbCpuBefore = treeCpuSeconds(postgresPid);
// On the app's own pool (DATABASE_URL above), as `npm run worker` runs it; closeDatabase() below ends it.
const runner = await startWorker({ concurrency: 16, pollInterval: 200 });
let remaining = await processWebhookJobs();
while (remaining > 0 && Date.now() - drainStarted < DRAIN_SECONDS * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  remaining = await processWebhookJobs();
}
const drainSeconds = (Date.now() - drainStarted) / 1000;
const workerCpu = process.cpuUsage(workerCpuBefore);
const drainDbCpuSeconds = treeCpuSeconds(postgresPid) - drainDbCpuBefore;
await runner.stop();
await printCostliestStatements(db, "while the worker drained");
const processed = await count(`SELECT count(*) AS n FROM webhook_event WHERE status = 'processed'`);
const perEvent = (seconds: number) => ((seconds * 1000) / Math.max(1, processed)).toFixed(2);

const row = (name: string, r: LoadResult, kept: number) =>
  `${name.padEnd(34)} ${(r.sent / r.seconds).toFixed(0).padStart(8)}/s ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)} ${String(r.failed).padStart(7)} ${String(r.sent - kept).padStart(6)}`;
console.log(`${"".padEnd(34)} ${"throughput".padStart(10)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)} ${"non-2xx".padStart(7)} ${"lost".padStart(6)}`);
console.log(row(`Pathwise, ${CONCURRENCY} connections`, pathwise, storedClosed));
console.log(row(`Pathwise, offered ${OPEN_RATE.toLocaleString()}/s`, sustained, stored - storedClosed));
console.log(row(`Baseline, ${CONCURRENCY} connections`, baseline, baselineStored));
console.log(`\nPathwise stored ${stored.toLocaleString()} events with ${jobs.toLocaleString()} processing jobs enqueued, one per ack statement and per 50 deliveries in it (sent ${sent.toLocaleString()}, lost ${sent - stored}).`);
console.log(
  `With ${CONCURRENCY} connections each waiting for its answer, the rate is ${CONCURRENCY} ÷ latency; the offered phase sends on a schedule, as Shopify does, and its rate counts to its last answer.`,
);
console.log(
  `Worker processed ${processed.toLocaleString()} events in ${drainSeconds.toFixed(1)} s (${(processed / drainSeconds).toFixed(0)} events/s, concurrency 16; ` +
    `CPU per event: worker ${perEvent((workerCpu.user + workerCpu.system) / 1e6)} ms, PostgreSQL ${perEvent(drainDbCpuSeconds)} ms) after the ack run` +
    (remaining > 0 ? `; stopped after ${DRAIN_SECONDS} s (BENCH_DRAIN_SECONDS) with ${remaining.toLocaleString()} still queued.` : "; queue empty."),
);
console.log(`Load average after: ${loadAverage()}`);
console.log(`Throughput ratio Pathwise/baseline (${CONCURRENCY} connections each): ${((pathwise.sent / pathwise.seconds) / (baseline.sent / baseline.seconds)).toFixed(2)}x`);
console.log(`p99 ratio baseline/Pathwise: ${(baseline.p99 / pathwise.p99).toFixed(2)}x (lower latency is better)`);
const sustainedRate = sustained.ok / sustained.seconds;
const targets = [
  [`>= 2,000 webhooks/s sustained (${sustainedRate.toFixed(0)}/s over ${sustained.seconds.toFixed(1)} s, offered ${OPEN_RATE.toLocaleString()}/s)`, sustainedRate >= 2000],
  [`p99 < 50 ms (${sustained.p99.toFixed(1)} ms sustained, ${pathwise.p99.toFixed(1)} ms with ${CONCURRENCY} connections)`, sustained.p99 < 50 && pathwise.p99 < 50],
  [`0 lost`, sent - stored === 0 && pathwise.failed === 0 && sustained.failed === 0],
  [`ahead of baseline on throughput and p99`, pathwise.sent / pathwise.seconds > baseline.sent / baseline.seconds && pathwise.p99 < baseline.p99],
] as const;
for (const [label, met] of targets) console.log(`${met ? "MET " : "MISS"} ${label}`);

await shutdown();
