import { run, Logger, type Runner } from "graphile-worker";
import { taskList } from "./tasks.server";
import "../features.server";

export interface WorkerOptions {
  connectionString?: string;
  concurrency?: number;
  pollInterval?: number;
  log?: (level: string, message: string) => void;
}

/** Starts graphile-worker on this process's database with every registered task. */
export async function startWorker(options: WorkerOptions = {}): Promise<Runner> {
  const log = options.log;
  const logger = new Logger(() => (level, message) => {
    // Expected here: jobs hold a connection only for their (batched) statements, not while they run.
    if (level === "warning" && /maxPoolSize \(\d+\) smaller than concurrency/.test(message)) return;
    if (log) log(level, message);
    else if (level === "error" || level === "warning") console.error(`[worker] ${level}: ${message}`);
  });
  // By default the worker shares this process's pool, so its connections live and end with the app's.
  const { pool } = options.connectionString ? { pool: undefined } : await import("../db.server");
  // Flow steps spend most of their time waiting (on a batch of emails, on SendGrid), so a
  // worker keeps many in flight; CPU-heavy jobs are few and per shop.
  const concurrency = options.concurrency ?? Number(process.env.WORKER_CONCURRENCY ?? 128);
  return run({
    ...(pool ? { pgPool: pool } : { connectionString: options.connectionString }),
    concurrency,
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
    taskList: taskList(),
  });
}
