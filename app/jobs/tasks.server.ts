import type { Task, TaskList } from "graphile-worker";
import { processWebhookEvent } from "../webhooks/process.server";
import { PROCESS_WEBHOOK_TASK } from "../webhooks/recorder.server";

/**
 * Every background task by name. Features add theirs with registerTask before the
 * worker starts (see app/jobs/worker.server.ts).
 */
const tasks: TaskList = {
  [PROCESS_WEBHOOK_TASK]: async (payload) => {
    const { id } = payload as { id: string };
    await processWebhookEvent(BigInt(id));
  },
};

export function registerTask(name: string, task: Task): void {
  tasks[name] = task;
}

export function taskList(): TaskList {
  return tasks;
}
