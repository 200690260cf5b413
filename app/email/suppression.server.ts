import { pool } from "../db.server";

/**
 * The per-shop list of addresses Pathwise must never email again. Addresses are
 * stored trimmed and lowercased; the first reason recorded for an address is kept.
 */
export type SuppressionReason = "bounce" | "spamreport" | "unsubscribe" | "dropped" | "manual";

export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export async function suppress(
  shop: string,
  email: string,
  reason: SuppressionReason,
  source: string,
  messageId: string | null = null,
  db: SqlClient = pool,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO email_suppression (shop, email, reason, source, message_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (shop, email) DO NOTHING`,
    [shop, normalizeEmail(email), reason, source, messageId],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function isSuppressed(shop: string, email: string, db: SqlClient = pool): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM email_suppression WHERE shop = $1 AND email = $2`, [shop, normalizeEmail(email)]);
  return rows.length > 0;
}

export async function unsuppress(shop: string, email: string, db: SqlClient = pool): Promise<void> {
  await db.query(`DELETE FROM email_suppression WHERE shop = $1 AND email = $2`, [shop, normalizeEmail(email)]);
}

export async function listSuppressions(shop: string, limit = 100) {
  const { rows } = await pool.query(
    `SELECT email, reason, source, created_at AS "createdAt" FROM email_suppression WHERE shop = $1 ORDER BY created_at DESC LIMIT $2`,
    [shop, limit],
  );
  return rows as Array<{ email: string; reason: SuppressionReason; source: string; createdAt: Date }>;
}
