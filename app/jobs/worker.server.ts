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
    if (log) log(level, message);
    else if (level === "error" || level === "warning") console.error(`[worker] ${level}: ${message}`);
  });
  // By default the worker shares this process's pool, so its connections live and end with the app's.
  const { pool } = options.connectionString ? { pool: undefined } : await import("../db.server");
  return run({
    ...(pool ? { pgPool: pool } : { connectionString: options.connectionString }),
    concurrency: options.concurrency ?? Number(process.env.WORKER_CONCURRENCY ?? 8),
    pollInterval: options.pollInterval ?? 1000,
    noHandleSignals: true,
    logger,
    taskList: taskList(),
  });
}
