import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma, { pool } from "../../app/db.server";
import { DELIVERIES_PER_JOB, WebhookRecorder, type WebhookRecord } from "../../app/webhooks/recorder.server";
import { jobCount, processingJobsFor } from "../support/shopify";

const SHOP = "recorder-shop.myshopify.com";
const record = (payloadJson: string, eventId = randomUUID()): WebhookRecord => ({
  eventId,
  webhookId: randomUUID(),
  shop: SHOP,
  topic: "orders/create",
  apiVersion: "2026-10",
  triggeredAt: new Date("2026-11-20T10:00:00.000Z"),
  payloadJson,
  rawBody: null,
  status: "received",
  error: null,
});

describe("WebhookRecorder (group commit)", () => {
  it("stores a batch's bodies as JSON with one job naming them all, and a repeat inside the batch as a duplicate", async () => {
    const recorder = new WebhookRecorder(pool);
    const body = JSON.stringify({ id: 1, note: 'quote " backslash \\\\ unicode é 🎉 \\n', nested: { list: [1, 2.5, null, true] } });
    const a = record(body);
    const b = record(`  {"id": 2}\n`);
    const jobsBefore = await jobCount("process-webhooks");
    const outcomes = await Promise.all([recorder.record(a), recorder.record(b), recorder.record({ ...a })]);
    expect(outcomes).toEqual(["stored", "stored", "duplicate"]);
    const stored = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: a.eventId } });
    expect(stored.payload).toBe(body);
    expect(stored.triggeredAt?.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: b.eventId } })).payload).toBe(`  {"id": 2}\n`);
    expect(await jobCount("process-webhooks")).toBe(jobsBefore + 1);
    expect(await processingJobsFor(a.eventId)).toBe(1);
    expect(await processingJobsFor(b.eventId)).toBe(1);
  });

  it("numbers a batch's deliveries in the order they arrived, and its job names them in that order", async () => {
    const recorder = new WebhookRecorder(pool);
    // Event ids whose alphabetical order is the reverse of their arrival.
    const tag = randomUUID();
    const arrivals = ["zz", "mm", "aa"].map((prefix, i) => record(`{"id": ${10 + i}}`, `${prefix}-${tag}`));
    await Promise.all(arrivals.map((a) => recorder.record(a)));
    const { rows } = await pool.query<{ event_id: string; id: string }>(
      `SELECT event_id, id::text FROM webhook_event WHERE event_id = ANY($1::text[]) ORDER BY webhook_event.id`,
      [arrivals.map((a) => a.eventId)],
    );
    expect(rows.map((r) => r.event_id)).toEqual(arrivals.map((a) => a.eventId));
    const job = await pool.query<{ ids: string[] }>(
      `SELECT j.payload -> 'ids' AS ids FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'process-webhooks' AND (j.payload::jsonb -> 'ids') ? $1`,
      [rows[0].id],
    );
    expect(job.rows[0].ids).toEqual(rows.map((r) => r.id));
  });

  it("splits a large batch into jobs of at most DELIVERIES_PER_JOB, in arrival order", async () => {
    const recorder = new WebhookRecorder(pool, { maxBatch: 500 });
    const arrivals = Array.from({ length: DELIVERIES_PER_JOB * 2 + 7 }, (_, i) => record(`{"id": ${1000 + i}}`));
    expect(new Set(await Promise.all(arrivals.map((a) => recorder.record(a))))).toEqual(new Set(["stored"]));
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM webhook_event WHERE event_id = ANY($1::text[]) ORDER BY webhook_event.id`, [arrivals.map((a) => a.eventId)]);
    const jobs = await pool.query<{ ids: string[] }>(
      `SELECT j.payload -> 'ids' AS ids FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'process-webhooks' AND (j.payload::jsonb -> 'ids') ?| $1::text[] ORDER BY (j.payload -> 'ids' ->> 0)::bigint`,
      [rows.map((r) => r.id)],
    );
    expect(jobs.rows.map((j) => j.ids.length)).toEqual([DELIVERIES_PER_JOB, DELIVERIES_PER_JOB, 7]);
    expect(jobs.rows.flatMap((j) => j.ids)).toEqual(rows.map((r) => r.id));
  });

  it("fails only the delivery PostgreSQL refuses, not the others in its batch", async () => {
    const recorder = new WebhookRecorder(pool);
    const good = [record('{"id": 3}'), record('{"id": 4}')];
    // A malformed body is kept verbatim as text, and text cannot hold a NUL byte.
    const poison: WebhookRecord = { ...record(""), payloadJson: null, rawBody: `{"id": 5, "note": "${String.fromCharCode(0)}`, status: "malformed", error: "not JSON" };
    const results = await Promise.allSettled([recorder.record(good[0]), recorder.record(poison), recorder.record(good[1])]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await prisma.webhookEvent.count({ where: { eventId: { in: good.map((g) => g.eventId) } } })).toBe(2);
    expect(await prisma.webhookEvent.count({ where: { eventId: poison.eventId } })).toBe(0);
  });

  it("keeps a body exactly as Shopify sent it, escapes and all", async () => {
    const recorder = new WebhookRecorder(pool);
    // JSON that jsonb would refuse (an escaped NUL) and spacing a re-encoding would lose.
    const body = String.raw`{"id": 6,  "note": "\u0000 \"",` + '\n "title": "café 🎉"}';
    const a = record(body);
    expect(await recorder.record(a)).toBe("stored");
    const { rows } = await pool.query<{ payload: string }>("SELECT payload::text AS payload FROM webhook_event WHERE event_id = $1", [a.eventId]);
    expect(rows[0].payload).toBe(body);
  });

  it("stores bodies without compression (the ack path's largest PostgreSQL cost)", async () => {
    const { rows } = await pool.query<{ storage: string }>(
      `SELECT attstorage AS storage FROM pg_attribute WHERE attrelid = 'webhook_event'::regclass AND attname = 'payload'`,
    );
    expect(rows[0].storage).toBe("e"); // EXTERNAL: out of line, never pglz-compressed
  });
});
