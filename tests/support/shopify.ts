import { expect } from "vitest";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Session } from "@shopify/shopify-api";
import { getHmac, RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { runOnce, Logger } from "graphile-worker";
import { fixturesDir } from "../../simulator/admin-graphql";

export const FIXTURES_DIR = fixturesDir();

/** A real webhook sample body from Shopify's reference (shared/fixtures/shopify/webhooks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SamplePayload = Record<string, any>;
export function samplePayload(topic: string, version?: string): SamplePayload {
  const file = `${topic.replace("/", "__")}.json`;
  const dir = version ? path.join(FIXTURES_DIR, "webhooks", version) : path.join(FIXTURES_DIR, "webhooks");
  return JSON.parse(readFileSync(path.join(dir, file), "utf8")) as SamplePayload;
}

/**
 * An order total as Shopify sends it: the bare amount and its total_price_set, both in
 * the shop's money (the app keeps orders in shop money and prefers the set). Spread it
 * over a sample order so the sample's own total_price_set does not disagree.
 */
export function orderTotal(amount: string, currency = "USD") {
  const money = { amount, currency_code: currency };
  return { total_price: amount, total_price_set: { shop_money: money, presentment_money: money } };
}

/** The access scopes shopify.app.toml requests: what Shopify grants the app's tokens on install. */
export function appConfigScopes(): string {
  const toml = readFileSync(path.resolve(import.meta.dirname, "..", "..", "shopify.app.toml"), "utf8");
  const scopes = /^\s*scopes\s*=\s*"([^"]*)"/m.exec(toml)?.[1];
  if (!scopes) throw new Error("shopify.app.toml: no [access_scopes] scopes");
  return scopes;
}

/** Installs a shop the way token exchange leaves it: an offline session and a shop row. */
export async function installShop(shop: string, fields: { currency?: string; timezone?: string; name?: string } = {}) {
  const { sessionStorage } = await import("../../app/shopify.server");
  const { default: prisma } = await import("../../app/db.server");
  const session = new Session({ id: `offline_${shop}`, shop, state: "test", isOnline: false, accessToken: `shpat_${randomUUID()}`, scope: "read_orders" });
  await sessionStorage.storeSession(session);
  await prisma.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, name: fields.name ?? shop, currency: fields.currency ?? "USD", timezone: fields.timezone ?? "America/New_York" },
    update: { uninstalledAt: null },
  });
  return session;
}

export interface WebhookOptions {
  shop: string;
  topic: string;
  body: unknown;
  eventId?: string;
  webhookId?: string;
  apiVersion?: string;
  triggeredAt?: string;
  /** Send this exact text instead of JSON.stringify(body). */
  rawBody?: string;
}

/** A webhook request signed the way Shopify signs it, through Shopify's own test helper. */
export async function signedWebhookRequest(options: WebhookOptions): Promise<Request> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": options.topic,
    "x-shopify-api-version": options.apiVersion ?? "2026-10",
    "x-shopify-webhook-id": options.webhookId ?? randomUUID(),
    "x-shopify-event-id": options.eventId ?? randomUUID(),
    "x-shopify-triggered-at": options.triggeredAt ?? new Date().toISOString(),
  };
  const base = new Request(`${process.env.SHOPIFY_APP_URL}/webhooks`, { method: "POST" });
  if (options.rawBody !== undefined) {
    // A body that is not JSON.stringify output (malformed on purpose): sign it ourselves, the same way.
    return new Request(base.url, {
      method: "POST",
      body: options.rawBody,
      headers: { ...headers, "x-shopify-hmac-sha256": getHmac(options.rawBody, process.env.SHOPIFY_API_SECRET!), "x-shopify-shop-domain": options.shop },
    });
  }
  return setUpValidRequest(
    { type: RequestType.Extension, store: options.shop.replace(".myshopify.com", ""), apiSecretKey: process.env.SHOPIFY_API_SECRET!, body: options.body, headers },
    base,
  );
}

/** Delivers through the real route (HMAC check, recording, job enqueue). */
export async function deliver(options: WebhookOptions): Promise<Response> {
  const { action } = await import("../../app/routes/webhooks");
  const request = await signedWebhookRequest(options);
  return action({ request, params: {}, context: {} } as never);
}

/** Delivers a signed webhook, runs the jobs, and expects its event processed without an error; returns the event. */
export async function deliverAndProcess(options: Omit<WebhookOptions, "eventId">) {
  const eventId = randomUUID();
  expect((await deliver({ ...options, eventId })).status).toBe(200);
  await drainJobs();
  const { default: prisma } = await import("../../app/db.server");
  const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } });
  expect(event.error ?? "").toBe("");
  expect(event.status).toBe("processed");
  return event;
}

/** Runs every job that is due now, with the app's task list, until none are left. */
export async function drainJobs(): Promise<void> {
  const { taskList } = await import("../../app/jobs/tasks.server");
  await import("../../app/features.server");
  await runOnce({ connectionString: process.env.DATABASE_URL, taskList: taskList(), logger: new Logger(() => () => {}) });
  await waitForJobReleases();
}

/**
 * Runs the jobs due now without waiting for other workers' jobs to be released: for a test
 * that processes a webhook while another job is held mid-run (drainJobs would wait for it).
 */
export async function runDueJobs(): Promise<void> {
  const { taskList } = await import("../../app/jobs/tasks.server");
  await import("../../app/features.server");
  await runOnce({ connectionString: process.env.DATABASE_URL, taskList: taskList(), logger: new Logger(() => () => {}) });
}

/**
 * graphile-worker 0.18 releases a finished job (delete on success, unlock on
 * failure) without awaiting it, so runOnce can resolve while the last release is
 * still in flight; a job counted then would vanish a moment later. Wait for it.
 */
async function waitForJobReleases(timeoutMs = 5_000): Promise<void> {
  const { pool } = await import("../../app/db.server");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_at IS NOT NULL`);
    if (rows[0].n === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Pending processing jobs that name this delivery: its ack statement's batch job, or a retry of it alone. */
export async function processingJobsFor(eventId: string): Promise<number> {
  const { pool } = await import("../../app/db.server");
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n
     FROM webhook_event e, graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE e.event_id = $1
       AND ((t.identifier = 'process-webhooks' AND (j.payload::jsonb -> 'ids') ? e.id::text)
         OR (t.identifier = 'process-webhook' AND j.payload ->> 'id' = e.id::text))`,
    [eventId],
  );
  return rows[0].n;
}

export async function jobCount(task?: string): Promise<number> {
  const { pool } = await import("../../app/db.server");
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE ($1::text IS NULL OR task_identifier = $1)`,
    [task ?? null],
  );
  return rows[0].n;
}

/**
 * Runs jobs until none are left, pulling scheduled ones (polls, debounced updates,
 * timers) forward to now: time travel for the queue, bounded by `rounds`.
 */
export async function drainAllJobs(rounds = 50): Promise<void> {
  const { pool } = await import("../../app/db.server");
  for (let round = 0; round < rounds; round++) {
    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE locked_at IS NULL AND run_at > now() AND attempts < max_attempts`);
    await drainJobs();
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE attempts < max_attempts`);
    if (rows[0].n === 0) return;
  }
}
