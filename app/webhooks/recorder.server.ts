import type pg from "pg";

/**
 * Durable, deduplicated recording of webhook deliveries with group commit.
 *
 * Every request waits until its event row AND its processing job are committed
 * (Shopify must only get a 2xx after the durable write), but requests that arrive
 * together share one statement and one commit. That is what lets one process ack
 * thousands of deliveries a second with a few milliseconds of latency, where a
 * transaction per request would be bound by commit round trips.
 */
export interface WebhookRecord {
  eventId: string;
  webhookId: string | null;
  shop: string;
  topic: string;
  apiVersion: string | null;
  triggeredAt: Date | null;
  /** The raw body when it parsed as JSON, stored as received (text); processed by the worker. */
  payloadJson: string | null;
  /** The raw body kept verbatim when it did not parse, so nothing is lost. */
  rawBody: string | null;
  /** "received" (to process), or a terminal status recorded for the operator. */
  status: "received" | "malformed" | "unknown_topic" | "unknown_shop";
  error: string | null;
}

export type RecordOutcome = "stored" | "duplicate";

interface Pending {
  record: WebhookRecord;
  resolve: (outcome: RecordOutcome) => void;
  reject: (error: unknown) => void;
}

/** One job per statement (per DELIVERIES_PER_JOB of it): the deliveries it stored, processed in the order received. */
export const PROCESS_WEBHOOKS_TASK = "process-webhooks";
/**
 * At most this many deliveries per job: a large batch (a burst) becomes several jobs that
 * workers take in parallel, and one slow delivery, or a worker dying mid-job, holds up
 * at most this many others.
 */
export const DELIVERIES_PER_JOB = 50;
/** One delivery alone: the retry of one that failed inside its batch. */
export const PROCESS_WEBHOOK_TASK = "process-webhook";

// One statement: insert what is new, enqueue jobs naming the new rows to process (one per
// DELIVERIES_PER_JOB), return the event ids that were new. Being one statement, it is one
// transaction. Jobs for the batch rather than one per delivery: each job row is an insert into
// graphile-worker's table and its indexes, and later a fetch and a delete by the worker;
// per delivery they were about a quarter of PostgreSQL's CPU on the ack path.
// Every value is its own text parameter (ten per delivery): a body reaches
// PostgreSQL as the bytes Shopify signed, with nothing to escape in Node and nothing
// to parse in PostgreSQL (authenticate.webhook parsed it). Carrying the batch as one
// JSON document instead made PostgreSQL parse every 15 KB body twice (once to split
// the document, once more as a json value): a quarter of its CPU per delivery (0.46 ->
// 0.34 ms, batches of 32 Shopify sample orders).
const COLUMNS_PER_ROW = 10;
function insertBatchSql(rows: number): string {
  const values: string[] = [];
  for (let row = 0; row < rows; row++) {
    const p = row * COLUMNS_PER_ROW;
    values.push(`(${row}, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::timestamptz, $${p + 7}, $${p + 8}, $${p + 9}, $${p + 10})`);
  }
  return `
WITH input (arrival, event_id, webhook_id, shop, topic, api_version, triggered_at, payload, raw_body, status, error) AS (
  VALUES ${values.join(",\n    ")}
),
inserted AS (
  -- Ids are given in arrival order (the first copy of a repeated event id counts), so the
  -- batch's job, which names them in id order, applies the deliveries as they arrived.
  INSERT INTO webhook_event (event_id, webhook_id, shop, topic, api_version, triggered_at, payload, raw_body, status, error)
  SELECT event_id, webhook_id, shop, topic, api_version, triggered_at, payload, raw_body, status, error
  FROM (SELECT DISTINCT ON (event_id) * FROM input WHERE event_id IS NOT NULL ORDER BY event_id, arrival) AS first_copies
  ORDER BY arrival
  ON CONFLICT (event_id) DO NOTHING
  RETURNING id, event_id, status
),
jobs AS (
  SELECT count(*) AS n FROM graphile_worker.add_jobs(
    ARRAY(
      SELECT ROW('${PROCESS_WEBHOOKS_TASK}', json_build_object('ids', json_agg(id::text ORDER BY id)), NULL, NULL, 25, NULL, NULL, NULL)::graphile_worker.job_spec
      FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${DELIVERIES_PER_JOB} AS part FROM inserted WHERE status = 'received') AS received
      GROUP BY part
    )
  )
)
SELECT event_id, (SELECT n FROM jobs) AS jobs FROM inserted`;
}

export class WebhookRecorder {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { maxBatch?: number; maxConcurrentFlushes?: number } = {},
  ) {}

  record(record: WebhookRecord): Promise<RecordOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every request that arrived in this turn of the loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain() {
    // One statement in flight: what arrives meanwhile waits and goes as the next, larger
    // batch. A statement has a large fixed cost (graphile-worker's add_jobs alone is about
    // 1 ms of PostgreSQL CPU per call, whatever the number of jobs), so fewer, fuller
    // batches are cheaper, and on 2 cores concurrent statements only queued for the CPU.
    // bench:webhooks, back to back: 4 in flight 1,107/s, p99 53 ms, PostgreSQL 0.50 ms
    // per delivery; 1 in flight 1,360/s, p99 41 ms, 0.27 ms.
    const maxConcurrent = this.options.maxConcurrentFlushes ?? 1;
    // Padded to a power of two, ten parameters a row: 4,096 rows stay under PostgreSQL's 65,535 parameters.
    const maxBatch = Math.min(this.options.maxBatch ?? 500, 4096);
    while (this.queue.length > 0 && this.inFlight < maxConcurrent) {
      const batch = this.queue.splice(0, maxBatch);
      this.inFlight++;
      this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async flush(batch: Pending[]) {
    try {
      const rows = statementRows(batch.length);
      const result = await this.pool.query<{ event_id: string }>({ name: `record-webhooks-${rows}`, text: insertBatchSql(rows), values: batchParameters(batch, rows) });
      const stored = new Set(result.rows.map((row) => row.event_id));
      for (const pending of batch) {
        // A second copy of one event inside the same batch is a duplicate too.
        const isNew = stored.delete(pending.record.eventId);
        pending.resolve(isNew ? "stored" : "duplicate");
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // One delivery PostgreSQL refuses (a malformed body kept verbatim that holds a NUL byte, which text cannot hold) must not
      // fail the deliveries that shared its statement: each is recorded on its own,
      // and only what fails alone is answered with an error (Shopify retries it).
      await Promise.all(batch.map((pending) => this.flush([pending])));
    }
  }
}

/**
 * The statement is prepared (named): PostgreSQL parses and plans its hundreds of
 * parameters once per connection instead of on every flush (bench:webhooks, back to
 * back: 0.24 -> 0.20 ms of PostgreSQL CPU per delivery). A batch is padded with empty
 * rows (NULL event ids, skipped by the statement) to the next power of two, so a
 * connection holds at most ten of them whatever the traffic.
 */
function statementRows(batchSize: number): number {
  let rows = 1;
  while (rows < batchSize) rows *= 2;
  return rows;
}

/** The batch's values, row by row, then NULLs up to `rows` rows. */
function batchParameters(batch: Pending[], rows: number): (string | null)[] {
  const parameters: (string | null)[] = new Array(rows * COLUMNS_PER_ROW).fill(null);
  let i = 0;
  for (const { record } of batch) {
    parameters[i++] = record.eventId;
    parameters[i++] = record.webhookId;
    parameters[i++] = record.shop;
    parameters[i++] = record.topic;
    parameters[i++] = record.apiVersion;
    parameters[i++] = record.triggeredAt?.toISOString() ?? null;
    parameters[i++] = record.payloadJson;
    parameters[i++] = record.rawBody;
    parameters[i++] = record.status;
    parameters[i++] = record.error;
  }
  return parameters;
}
