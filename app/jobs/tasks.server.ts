import type { Task, TaskList } from "graphile-worker";
import { pool } from "../db.server";
import { processWebhookEvent } from "../webhooks/process.server";
import { PROCESS_WEBHOOK_TASK } from "../webhooks/recorder.server";
import { PRUNE_WEBHOOK_EVENTS_CRON, PRUNE_WEBHOOK_EVENTS_TASK, pruneWebhookEvents, webhookRetentionDays } from "../webhooks/retention.server";

/**
 * Every background task by name. Features add theirs with registerTask before the
 * worker starts (see app/jobs/worker.server.ts).
 */
const tasks: TaskList = {
  [PROCESS_WEBHOOK_TASK]: async (payload) => {
    const { id } = payload as { id: string };
    await processWebhookEvent(BigInt(id));
  },
  [PRUNE_WEBHOOK_EVENTS_TASK]: async (_payload, helpers) => {
    const days = webhookRetentionDays();
    const deleted = await pruneWebhookEvents(pool, { olderThan: new Date(Date.now() - days * 86_400_000) });
    helpers.logger.info(`pruned ${deleted} webhook deliveries older than ${days} days`);
  },
};

/** graphile-worker crontab lines: recurring work, run once per tick across all workers. */
const cronLines: string[] = [PRUNE_WEBHOOK_EVENTS_CRON];

/** A feature's recurring work (a crontab line naming one of its tasks). */
export function registerCron(line: string): void {
  cronLines.push(line);
}

export function crontab(): string {
  return cronLines.join("\n");
}

export function registerTask(name: string, task: Task): void {
  tasks[name] = task;
}

export function taskList(): TaskList {
  return tasks;
}
