import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma, { pool } from "../../app/db.server";
import { WebhookRecorder, type WebhookRecord } from "../../app/webhooks/recorder.server";
import { drainJobs, installShop, processingJobsFor, samplePayload } from "../support/shopify";

// One ack statement stores a batch of deliveries with one job naming them all; the worker
// applies them in order, and one that fails is retried alone without holding up the rest.
const SHOP = "batch-shop.myshopify.com";
const FAILING_EMAIL = "batch-refused@example.com";

const delivery = (customerId: number, email: string): WebhookRecord => ({
  eventId: randomUUID(),
  webhookId: randomUUID(),
  shop: SHOP,
  topic: "customers/create",
  apiVersion: "2026-10",
  triggeredAt: new Date(),
  payloadJson: JSON.stringify({ ...samplePayload("customers/create"), id: customerId, email }),
  rawBody: null,
  status: "received",
  error: null,
});

const eventRow = (eventId: string) => prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });

beforeAll(async () => {
  await installShop(SHOP);
  // A real failure inside the database for one customer only, as a deadlock or a lost connection would be.
  await pool.query(`
    CREATE OR REPLACE FUNCTION test_refuse_batch_customer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.email = '${FAILING_EMAIL}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE OR REPLACE TRIGGER test_refuse_batch_customer BEFORE INSERT OR UPDATE ON customer
      FOR EACH ROW EXECUTE FUNCTION test_refuse_batch_customer();`);
});

afterAll(async () => {
  await pool.query(`DROP TRIGGER IF EXISTS test_refuse_batch_customer ON customer; DROP FUNCTION IF EXISTS test_refuse_batch_customer();`);
});

describe("processing a batch of deliveries", () => {
  it("applies the others when one fails, and retries that one alone until it goes through", async () => {
    const recorder = new WebhookRecorder(pool);
    const [first, failing, last] = [delivery(7_100_001, "first@example.com"), delivery(7_100_002, FAILING_EMAIL), delivery(7_100_003, "last@example.com")];
    expect(await Promise.all([first, failing, last].map((d) => recorder.record(d)))).toEqual(["stored", "stored", "stored"]);
    for (const d of [first, failing, last]) expect(await processingJobsFor(d.eventId)).toBe(1);

    await drainJobs();
    expect((await eventRow(first.eventId)).status).toBe("processed");
    expect((await eventRow(last.eventId)).status).toBe("processed");
    const failed = await eventRow(failing.eventId);
    expect(failed.status).toBe("received");
    expect(failed.error).toMatch(/refused for the test/);
    // The batch's job is done; the failed delivery has a job of its own, a few seconds out.
    expect(await processingJobsFor(first.eventId)).toBe(0);
    expect(await processingJobsFor(failing.eventId)).toBe(1);
    const { rows } = await pool.query<{ wait: number }>(
      `SELECT extract(epoch FROM j.run_at - now())::float AS wait FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'process-webhook' AND j.payload ->> 'id' = $1`,
      [failed.id.toString()],
    );
    expect(rows[0].wait).toBeGreaterThan(0);
    expect(await prisma.customer.count({ where: { shop: SHOP, id: { in: ["7100001", "7100003"] } } })).toBe(2);

    // Whatever refused it is fixed: its own job applies it.
    await pool.query(`DROP TRIGGER test_refuse_batch_customer ON customer`);
    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE payload ->> 'id' = $1`, [failed.id.toString()]);
    await drainJobs();
    expect((await eventRow(failing.eventId)).status).toBe("processed");
    expect(await prisma.customer.findFirst({ where: { shop: SHOP, id: "7100002" } })).toMatchObject({ email: FAILING_EMAIL });
    expect(await processingJobsFor(failing.eventId)).toBe(0);
  });

  it("runs a batch again without applying anything twice (a worker that died mid-batch)", async () => {
    const recorder = new WebhookRecorder(pool);
    const deliveries = [delivery(7_200_001, "again-1@example.com"), delivery(7_200_002, "again-2@example.com")];
    await Promise.all(deliveries.map((d) => recorder.record(d)));
    const { rows } = await pool.query<{ payload: { ids: string[] } }>(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'process-webhooks' AND (j.payload::jsonb -> 'ids') ? $1`,
      [(await eventRow(deliveries[0].eventId)).id.toString()],
    );
    await drainJobs();
    const processedAt = (await eventRow(deliveries[1].eventId)).processedAt;
    expect(processedAt).not.toBeNull();

    const { processWebhookEvents } = await import("../../app/webhooks/process.server");
    const retried: bigint[] = [];
    await processWebhookEvents(rows[0].payload.ids.map(BigInt), async (id) => void retried.push(id));
    expect(retried).toEqual([]);
    expect((await eventRow(deliveries[1].eventId)).processedAt).toEqual(processedAt);
  });
});
