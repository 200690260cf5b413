import { EventEmitter } from "node:events";
import pg from "pg";
import { run, Logger, type Runner, type TaskList, type WorkerEvents } from "graphile-worker";
import { checkSettings, crontab, taskList } from "./tasks.server";
import "../features.server";

export interface WorkerOptions {
  connectionString?: string;
  concurrency?: number;
  pollInterval?: number;
  log?: (level: string, message: string) => void;
  /** The app's tasks unless given (tests of the worker itself). */
  tasks?: TaskList;
}

// graphile-worker 0.18, stopping while its local queue holds fetched jobs that have not
// started, sends them back to the queue but reports that as failing ("Cannot background
// something when the queue is already released", then a chain of "deactivating queue"
// errors): a clean deploy would log six errors. Those messages are expected then. The
// hand-back is not awaited, so it can also lose the race with the worker's own pool
// closing, leaving jobs locked for graphile-worker's 4-hour lock expiry: stop() below
// unlocks whatever our pools still hold once nothing of ours runs.
const LOCAL_QUEUE_RELEASE_BUG = /Cannot background something when the queue is already released|Errors occurred whilst deactivating queue/;

/** Starts graphile-worker on this process's database with every registered task. */
export async function startWorker(options: WorkerOptions = {}): Promise<Runner> {
  const log = options.log ?? ((level: string, message: string) => console.error(`[worker] ${level}: ${message}`));
  // A bad setting stops the worker here, not at 04:00 in a failing job.
  if (!options.tasks) checkSettings();
  let stopping = false;
  let releaseBugSeen = false;
  const logger = new Logger(() => (level, message) => {
    // Expected here: jobs hold a connection only for their (batched) statements, not while they run.
    if (level === "warning" && /maxPoolSize \(\d+\) smaller than concurrency/.test(message)) return;
    if (stopping && LOCAL_QUEUE_RELEASE_BUG.test(message)) {
      releaseBugSeen = true;
      return;
    }
    if (options.log || level === "error" || level === "warning") log(level, message);
  });
  // By default the worker shares this process's pool, so its connections live and end with the app's.
  const { pool } = options.connectionString ? { pool: undefined } : await import("../db.server");
  // Flow steps spend most of their time waiting (on a batch of emails, on SendGrid), so a
  // worker keeps many in flight; CPU-heavy jobs are few and per shop.
  const concurrency = options.concurrency ?? Number(process.env.WORKER_CONCURRENCY ?? 128);
  const events: WorkerEvents = new EventEmitter();
  const poolIds: string[] = [];
  events.on("pool:create", ({ workerPool }) => poolIds.push(workerPool.id));
  const runner = await run({
    ...(pool ? { pgPool: pool } : { connectionString: options.connectionString }),
    concurrency,
    events,
    preset: {
      worker: {
        // Fetch and lock due jobs in batches and complete them in batches: per job that
        // saves a get_job and a complete_job round trip, which bounded how many flow steps
        // per second the worker could start. A crash between a step and its batched
        // completion leaves the job locked until graphile-worker's lock expiry; the step
        // then re-runs against its send ledger, which never emails a person twice.
        localQueue: { size: concurrency + 1 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    // With the local queue one fetcher per process polls (not every idle worker), so a
    // short interval is cheap: a timer that came due waits at most this long.
    pollInterval: options.pollInterval ?? Number(process.env.WORKER_POLL_INTERVAL_MS ?? 250),
    noHandleSignals: true,
    logger,
    taskList: options.tasks ?? taskList(),
    // Tests of the worker itself bring their own tasks and no recurring work.
    ...(options.tasks ? {} : { crontab: crontab() }),
  });

  /** After a graceful stop nothing of ours runs: whatever is still locked by our pools was fetched and never started. */
  const unlockFetched = async () => {
    if (!poolIds.length) return;
    const unlock = `SELECT graphile_worker.force_unlock_workers($1::text[])`;
    if (pool) {
      await pool.query(unlock, [poolIds]);
    } else {
      const client = new pg.Client({ connectionString: options.connectionString });
      await client.connect();
      try {
        await client.query(unlock, [poolIds]);
      } finally {
        await client.end();
      }
    }
  };
  const stop = async (reason?: string) => {
    stopping = true;
    try {
      await runner.stop(reason);
    } finally {
      await unlockFetched();
      if (releaseBugSeen) log("info", "stopped; jobs fetched but not started are back in the queue");
    }
  };
  return { ...runner, stop, [Symbol.asyncDispose]: () => stop("asyncDispose") };
}
