import { randomUUID } from "node:crypto";
import { pool, preparedQuery } from "../db.server";
import { normalizeEmail } from "./suppression.server";
import { MAILED_STATUSES, recipientFacts, recipientFactsColumns } from "./sending-rules.server";
import type { RecipientFacts } from "./sending-rules";
import { withoutAddressesOrKeys } from "./provider-text";

/**
 * The send ledger (email_message): one row per (shop, send_key), claimed before
 * anything is sent. Every state change is a compare-and-set on (status, attempts):
 * `attempts` counts claims, so a worker whose claim was taken over by a later
 * retry can no longer move the row, and at most one claim ever reaches "sending".
 *
 *   claimed ──rules──> skipped | deferred ──(later)──> claimed
 *   claimed ──> sending ──2xx──> sent        (captured when no API key)
 *                       ──429/5xx/401/403/refused──> claimed (retry later)
 *                       ──other 4xx──> failed
 *                       ──lost/crash──> uncertain ──(SendGrid event)──> sent
 */
export type LedgerStatus = "claimed" | "sending" | "sent" | "uncertain" | "failed" | "skipped" | "deferred" | "captured";

export interface LedgerRow {
  id: string;
  status: LedgerStatus;
  attempts: number;
  skipReason: string | null;
  deferredUntil: Date | null;
  error: string | null;
}

export interface ClaimInput {
  shop: string;
  sendKey: string;
  flowId: string;
  flowRunId: string;
  stepKey: string;
  customerId: string | null;
  email: string;
  locale: string | null;
}

export type ClaimOutcome = { claimed: true; id: string; attempts: number } | { claimed: false; row: LedgerRow };

const RETURNING = `id, status, attempts, skip_reason AS "skipReason", deferred_until AS "deferredUntil", error`;

/**
 * Claims the send key: a new row, or a row left "claimed" (crash before the HTTP
 * call) or "deferred" (quiet hours) taken over with attempts + 1. Any other
 * state is returned as is for the caller to report; a row found "sending" (the
 * HTTP call started, outcome unknown) is turned into "uncertain" first.
 */
export async function claimSend(input: ClaimInput, now: Date): Promise<ClaimOutcome> {
  const email = normalizeEmail(input.email);
  const inserted = await pool.query(
    `INSERT INTO email_message (id, shop, send_key, flow_id, flow_run_id, step_key, customer_id, email, locale, status, attempts, claimed_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'claimed', 1, $10::timestamptz, now(), now())
     ON CONFLICT (shop, send_key) DO NOTHING
     RETURNING id, attempts`,
    [randomUUID(), input.shop, input.sendKey, input.flowId, input.flowRunId, input.stepKey, input.customerId, email, input.locale, now.toISOString()],
  );
  if (inserted.rows.length) return { claimed: true, id: inserted.rows[0].id, attempts: inserted.rows[0].attempts };

  for (let round = 0; round < 5; round++) {
    const { rows } = await pool.query(`SELECT ${RETURNING} FROM email_message WHERE shop = $1 AND send_key = $2`, [input.shop, input.sendKey]);
    const row = rows[0] as LedgerRow | undefined;
    if (!row) throw new Error(`email ledger row for ${input.sendKey} vanished`);
    if (row.status === "claimed" || row.status === "deferred") {
      const taken = await pool.query(
        `UPDATE email_message SET status = 'claimed', attempts = attempts + 1, claimed_at = $4::timestamptz, deferred_until = NULL,
                email = $5, customer_id = COALESCE($6, customer_id), updated_at = now()
         WHERE shop = $1 AND send_key = $2 AND attempts = $3 AND status IN ('claimed', 'deferred')
         RETURNING id, attempts`,
        [input.shop, input.sendKey, row.attempts, now.toISOString(), email, input.customerId],
      );
      if (taken.rows.length) return { claimed: true, id: taken.rows[0].id, attempts: taken.rows[0].attempts };
      continue; // someone else moved it: look again
    }
    if (row.status === "sending") {
      const marked = await pool.query(
        `UPDATE email_message SET status = 'uncertain', error = COALESCE(error || '; ', '') || $3, updated_at = now()
         WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING ${RETURNING}`,
        [row.id, row.attempts, "found in 'sending' on retry: the previous attempt stopped after the HTTP request started"],
      );
      if (marked.rows.length) return { claimed: false, row: marked.rows[0] };
      continue;
    }
    return { claimed: false, row };
  }
  throw new Error(`could not claim ${input.sendKey}: the ledger row keeps changing`);
}

/**
 * A batch in a fixed order for a set-based statement that locks rows or keys as it
 * goes (two batches then wait on each other in the same order instead of deadlocking):
 * one array parameter per column, and each result row's n (its 1-based position in
 * that order, WITH ORDINALITY) mapped back to the caller's index.
 */
function inKeyOrder<T>(entries: T[], key: (entry: T) => string) {
  const sorted = entries.map((entry, index) => ({ entry, index, key: key(entry) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    column: <V>(pick: (entry: T) => V) => sorted.map((e) => pick(e.entry)),
    inputIndex: (n: number) => sorted[n - 1].index,
  };
}

/**
 * The common case for a whole batch in one round trip: send keys never seen before
 * are claimed and each recipient's facts for the sending rules are read in the same
 * statement. Per input, in order: the claim, or null when the key exists already (a
 * retry: use claimSend, then evaluateSendingRules). Rows go in sorted by (shop, send
 * key), so two batches that share a key wait on each other in the same order.
 */
export async function claimNewSendsWithFacts(
  claims: Array<{ input: ClaimInput; now: Date; smartSendingCutoff: Date | null }>,
): Promise<Array<{ id: string; attempts: number; facts: RecipientFacts } | null>> {
  if (!claims.length) return [];
  const entries = claims.map((claim) => ({ claim, id: randomUUID(), email: normalizeEmail(claim.input.email) }));
  const { column, inputIndex } = inKeyOrder(entries, (e) => `${e.claim.input.shop}\n${e.claim.input.sendKey}`);
  const { rows } = await preparedQuery(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[])
         WITH ORDINALITY AS i(id, shop, send_key, flow_id, flow_run_id, step_key, customer_id, email, locale, claimed_at, cutoff, n)
     ), claimed AS (
       INSERT INTO email_message (id, shop, send_key, flow_id, flow_run_id, step_key, customer_id, email, locale, status, attempts, claimed_at, created_at, updated_at)
       SELECT id, shop, send_key, flow_id, flow_run_id, step_key, customer_id, email, locale, 'claimed', 1, claimed_at, now(), now() FROM input ORDER BY n
       ON CONFLICT (shop, send_key) DO NOTHING
       RETURNING id, attempts)
     SELECT i.n::int AS n, claimed.id, claimed.attempts,
            ${recipientFactsColumns({ shop: "i.shop", customerId: "i.customer_id", email: "i.email", cutoff: "i.cutoff", excludeMessageId: "i.id", mailedStatuses: "$12" })}
       FROM claimed JOIN input i ON i.id = claimed.id`,
    [
      column((e) => e.id),
      column((e) => e.claim.input.shop),
      column((e) => e.claim.input.sendKey),
      column((e) => e.claim.input.flowId),
      column((e) => e.claim.input.flowRunId),
      column((e) => e.claim.input.stepKey),
      column((e) => e.claim.input.customerId),
      column((e) => e.email),
      column((e) => e.claim.input.locale),
      column((e) => e.claim.now.toISOString()),
      column((e) => e.claim.smartSendingCutoff?.toISOString() ?? null),
      MAILED_STATUSES,
    ],
  );
  const results = new Array<{ id: string; attempts: number; facts: RecipientFacts } | null>(claims.length).fill(null);
  for (const row of rows) results[inputIndex(row.n)] = { id: row.id, attempts: row.attempts, facts: recipientFacts(row) };
  return results;
}

export async function markSkipped(id: string, attempts: number, reason: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE email_message SET status = 'skipped', skip_reason = $3, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'claimed'`,
    [id, attempts, reason],
  );
  return (rowCount ?? 0) > 0;
}

export async function markDeferred(id: string, attempts: number, until: Date): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE email_message SET status = 'deferred', skip_reason = 'quiet_hours', deferred_until = $3::timestamptz, updated_at = now()
     WHERE id = $1 AND attempts = $2 AND status = 'claimed'`,
    [id, attempts, until.toISOString()],
  );
  return (rowCount ?? 0) > 0;
}

export interface SendingContent {
  subject: string;
  /** Stored only for captured mail (the dev outbox); null otherwise to keep PII and size down. */
  html: string | null;
  text: string | null;
}

/**
 * The last step before the HTTP call, for a batch in one round trip: under a
 * per-recipient advisory lock (so two flows cannot both pass smart sending for one
 * person), re-checks smart sending and moves claimed -> sending, in
 * pathwise_begin_sending_batch (see its migration). Per item: "smart_sending" when it
 * skipped instead, "lost" when another claim took the row over. The locks are taken
 * in a fixed order (shop, then email) so two batches never deadlock; they are held
 * until this statement commits.
 */
export async function beginSendingMany(
  items: Array<{ row: { id: string; attempts: number; shop: string; email: string }; content: SendingContent; smartSendingCutoff: Date | null; now: Date }>,
): Promise<Array<"sending" | "smart_sending" | "lost">> {
  const entries = items.map((item) => ({ item, email: normalizeEmail(item.row.email) }));
  const { column, inputIndex } = inKeyOrder(entries, (e) => `${e.item.row.shop}\n${e.email}`);
  const { rows } = await preparedQuery<{ n: number; outcome: "sending" | "smart_sending" | "lost" }>(
    `SELECT n, outcome FROM pathwise_begin_sending_batch($1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])`,
    [
      column((e) => e.item.row.id),
      column((e) => e.item.row.attempts),
      column((e) => e.item.row.shop),
      column((e) => e.email),
      column((e) => e.item.now.toISOString()),
      column((e) => e.item.content.subject),
      column((e) => e.item.content.html),
      column((e) => e.item.content.text),
      column((e) => e.item.smartSendingCutoff?.toISOString() ?? null),
      MAILED_STATUSES,
    ],
  );
  const outcomes = new Array<"sending" | "smart_sending" | "lost">(items.length);
  for (const row of rows) outcomes[inputIndex(row.n)] = row.outcome;
  return outcomes;
}

/** Outcome recording after the HTTP call. sent may also resolve a row some retry marked uncertain meanwhile. */
export async function markSent(ids: string[], providerMessageId: string | null, now: Date): Promise<void> {
  await preparedQuery(
    `UPDATE email_message SET status = 'sent', provider_message_id = COALESCE($2, provider_message_id), sent_at = $3::timestamptz, updated_at = now()
     WHERE id = ANY($1::text[]) AND status IN ('sending', 'uncertain')`,
    [ids, providerMessageId, now.toISOString()],
  );
}

export async function markCaptured(id: string, now: Date): Promise<void> {
  await pool.query(
    `UPDATE email_message SET status = 'captured', sent_at = $2::timestamptz, updated_at = now() WHERE id = $1 AND status IN ('sending', 'uncertain')`,
    [id, now.toISOString()],
  );
}

/** The provider definitely did not take it: back to claimed so the job's retry resumes it. */
export async function markRetryable(rows: Array<{ id: string; attempts: number }>, error: string): Promise<void> {
  await pool.query(
    `UPDATE email_message m SET status = 'claimed', error = $3, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS r(id, attempts)
      WHERE m.id = r.id AND m.attempts = r.attempts AND m.status IN ('sending', 'uncertain')`,
    [rows.map((r) => r.id), rows.map((r) => r.attempts), withoutAddressesOrKeys(error)],
  );
}

export async function markUncertain(ids: string[], error: string): Promise<void> {
  await pool.query(
    `UPDATE email_message SET status = 'uncertain', error = $2, updated_at = now() WHERE id = ANY($1::text[]) AND status = 'sending'`,
    [ids, withoutAddressesOrKeys(error)],
  );
}

/** A claimed row that will not be tried again (a merchant's test, which is not retried). */
export async function markClaimedFailed(id: string, error: string): Promise<void> {
  await pool.query(`UPDATE email_message SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status = 'claimed'`, [id, withoutAddressesOrKeys(error)]);
}

export async function markFailed(ids: string[], error: string): Promise<void> {
  await pool.query(
    `UPDATE email_message SET status = 'failed', error = $2, updated_at = now() WHERE id = ANY($1::text[]) AND status IN ('sending', 'uncertain')`,
    [ids, withoutAddressesOrKeys(error)],
  );
}
