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
  /** The raw body when it parsed as JSON (it is embedded as JSON in the batch); processed by the worker. */
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

export const PROCESS_WEBHOOK_TASK = "process-webhook";

// One statement: insert what is new, enqueue a job for each new row to process,
// return the event ids that were new. Being one statement, it is one transaction.
// The batch travels as one JSON parameter: native JSON.stringify is far cheaper
// than pg's per-element escaping of text arrays holding multi-kilobyte payloads.
// A payload is a body that already parsed as JSON (authenticate.webhook parsed it),
// so it is embedded as JSON, not as an escaped string: nothing to escape here and
// nothing to unescape in PostgreSQL for bodies of 10-20 KB.
const INSERT_BATCH = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json)
    AS x(event_id text, webhook_id text, shop text, topic text, api_version text, triggered_at timestamptz, payload json, raw_body text, status text, error text)
),
inserted AS (
  INSERT INTO webhook_event (event_id, webhook_id, shop, topic, api_version, triggered_at, payload, raw_body, status, error)
  SELECT DISTINCT ON (event_id) event_id, webhook_id, shop, topic, api_version, triggered_at, payload, raw_body, status, error
  FROM input
  ON CONFLICT (event_id) DO NOTHING
  RETURNING id, event_id, status
),
jobs AS (
  SELECT count(*) AS n FROM graphile_worker.add_jobs(
    ARRAY(
      SELECT ROW('${PROCESS_WEBHOOK_TASK}', json_build_object('id', id::text), NULL, NULL, 25, NULL, NULL, NULL)::graphile_worker.job_spec
      FROM inserted WHERE status = 'received'
    )
  )
)
SELECT event_id, (SELECT n FROM jobs) AS jobs FROM inserted`;

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
    const maxConcurrent = this.options.maxConcurrentFlushes ?? 4;
    const maxBatch = this.options.maxBatch ?? 500;
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
      const result = await this.pool.query<{ event_id: string }>(INSERT_BATCH, [batchJson(batch)]);
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
      // One delivery PostgreSQL refuses (a JSON body jsonb cannot hold, say) must not
      // fail the deliveries that shared its statement: each is recorded on its own,
      // and only what fails alone is answered with an error (Shopify retries it).
      await Promise.all(batch.map((pending) => this.flush([pending])));
    }
  }
}

function batchJson(batch: Pending[]): string {
  let json = "[";
  for (let i = 0; i < batch.length; i++) {
    const record = batch[i].record;
    if (i > 0) json += ",";
    json +=
      `{"event_id":${JSON.stringify(record.eventId)},"webhook_id":${JSON.stringify(record.webhookId)},` +
      `"shop":${JSON.stringify(record.shop)},"topic":${JSON.stringify(record.topic)},` +
      `"api_version":${JSON.stringify(record.apiVersion)},"triggered_at":${JSON.stringify(record.triggeredAt?.toISOString() ?? null)},` +
      `"payload":${record.payloadJson ?? "null"},"raw_body":${JSON.stringify(record.rawBody)},` +
      `"status":${JSON.stringify(record.status)},"error":${JSON.stringify(record.error)}}`;
  }
  return json + "]";
}
