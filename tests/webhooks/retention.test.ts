import { randomUUID } from "node:crypto";
import { parseCrontab } from "graphile-worker";
import { describe, expect, it } from "vitest";
import prisma, { pool } from "../../app/db.server";
import { crontab, taskList } from "../../app/jobs/tasks.server";
import { startWorker } from "../../app/jobs/worker.server";
import { PRUNE_WEBHOOK_EVENTS_TASK, pruneWebhookEvents, webhookRetentionDays } from "../../app/webhooks/retention.server";

const SHOP = "retention-shop.myshopify.com";
const DAY = 86_400_000;

async function event(topic: string, status: string, ageDays: number): Promise<string> {
  const eventId = randomUUID();
  await prisma.webhookEvent.create({
    data: { eventId, shop: SHOP, topic, status, payload: JSON.stringify({ id: 1, email: "someone@example.com" }), receivedAt: new Date(Date.now() - ageDays * DAY) },
  });
  return eventId;
}

describe("webhook delivery retention", () => {
  it("deletes finished deliveries past the window, in batches, and keeps unfinished ones, compliance requests and recent ones", async () => {
    const old = await Promise.all([
      event("orders/create", "processed", 40),
      event("checkouts/update", "processed", 35),
      event("orders/create", "invalid", 31),
      event("carts/update", "unknown_shop", 45),
      event("orders/paid", "malformed", 60),
    ]);
    const kept = await Promise.all([
      event("orders/create", "received", 50), // still to process (a job is retrying)
      event("customers/redact", "processed", 90), // the record of a redaction
      event("shop/redact", "processed", 90),
      event("customers/data_request", "processed", 90),
      event("orders/create", "processed", 29), // inside the window
    ]);

    const deleted = await pruneWebhookEvents(pool, { olderThan: new Date(Date.now() - 30 * DAY), batchSize: 2 });

    expect(deleted).toBe(old.length);
    const left = await prisma.webhookEvent.findMany({ where: { shop: SHOP }, select: { eventId: true } });
    expect(left.map((row) => row.eventId).sort()).toEqual([...kept].sort());
    expect(await pruneWebhookEvents(pool, { olderThan: new Date(Date.now() - 30 * DAY) })).toBe(0);
  });

  it("runs daily on the worker's crontab, as a registered task", () => {
    const [item] = parseCrontab(crontab()).filter((entry) => entry.task === PRUNE_WEBHOOK_EVENTS_TASK);
    expect(item).toBeDefined();
    expect(item.match({ min: 0, hour: 4, date: 2, month: 12, dow: 3 })).toBe(true);
    expect(item.match({ min: 0, hour: 5, date: 2, month: 12, dow: 3 })).toBe(false);
    expect(taskList()[PRUNE_WEBHOOK_EVENTS_TASK]).toBeTypeOf("function");
  });

  it("is scheduled when the app's worker starts", async () => {
    const worker = await startWorker({ concurrency: 1 });
    try {
      // The cron scheduler registers its items just after the worker starts.
      await expect
        .poll(async () => (await pool.query(`SELECT identifier FROM graphile_worker._private_known_crontabs`)).rows.map((row) => row.identifier), { timeout: 5_000 })
        .toContain(PRUNE_WEBHOOK_EVENTS_TASK);
    } finally {
      await worker.stop();
    }
  });

  it("reads its window from WEBHOOK_EVENT_RETENTION_DAYS and refuses one shorter than Shopify's retries", () => {
    expect(webhookRetentionDays(undefined)).toBe(7);
    expect(webhookRetentionDays("30")).toBe(30);
    expect(() => webhookRetentionDays("1")).toThrow(/at least 3/);
    expect(() => webhookRetentionDays("two weeks")).toThrow(/WEBHOOK_EVENT_RETENTION_DAYS/);
  });
});
