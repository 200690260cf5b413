import type { Task, TaskList } from "graphile-worker";
import { pool } from "../db.server";
import { processWebhookEvent, processWebhookEvents, RETRY_ALONE_AFTER_MS } from "../webhooks/process.server";
import { PROCESS_WEBHOOK_TASK, PROCESS_WEBHOOKS_TASK } from "../webhooks/recorder.server";
import { addJob } from "./queue.server";
import { PRUNE_WEBHOOK_EVENTS_CRON, PRUNE_WEBHOOK_EVENTS_TASK, pruneWebhookEvents, webhookRetentionDays } from "../webhooks/retention.server";

/**
 * Every background task by name. Features add theirs with registerTask before the
 * worker starts (see app/jobs/worker.server.ts).
 */
const tasks: TaskList = {
  [PROCESS_WEBHOOKS_TASK]: async (payload, helpers) => {
    const { ids } = payload as { ids: string[] };
    await processWebhookEvents(ids.map(BigInt), async (id, error) => {
      helpers.logger.warn(`webhook event ${id} failed in its batch, retried alone: ${(error as Error).message ?? error}`);
      await addJob(pool, PROCESS_WEBHOOK_TASK, { id: id.toString() }, { runAt: new Date(Date.now() + RETRY_ALONE_AFTER_MS) });
    });
  },
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

/** Reads of the settings recurring tasks use: each throws on a bad value. */
const settingChecks: Array<() => unknown> = [webhookRetentionDays];

/** A setting a feature's task reads, checked when a worker starts (see checkSettings). */
export function registerSettingCheck(check: () => unknown): void {
  settingChecks.push(check);
}

/** Throws on the first bad setting, so a worker refuses to start rather than fail a job at 04:00. */
export function checkSettings(): void {
  for (const check of settingChecks) check();
}

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
