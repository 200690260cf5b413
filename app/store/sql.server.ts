import type { Prisma } from "@prisma/client";

export type Tx = Prisma.TransactionClient;

/** Marks a value to be stored in a jsonb column. */
export class JsonValue {
  constructor(readonly value: unknown) {}
}
export const asJson = (value: unknown) => new JsonValue(value);

/**
 * Insert a row, or update it only when the incoming version is not older than
 * the stored one. Shopify delivers late and out of order: an older delivery must
 * never overwrite newer state. Returns what happened.
 */
export async function upsertIfNewer(
  tx: Tx,
  table: string,
  key: string[],
  row: Record<string, unknown>,
  options: { /** A further condition on the stored row ("table"."column") for the update. */ alsoWhen?: string } = {},
): Promise<"inserted" | "updated" | "stale"> {
  return (await upsertRow(tx, table, key, row, options)).outcome;
}

/**
 * upsertIfNewer that also tells what one column held before this write (null when
 * the row is new): how a caller sees a transition (an order that this update cancels).
 */
export async function upsertIfNewerReturningPrevious(
  tx: Tx,
  table: string,
  key: string[],
  row: Record<string, unknown>,
  previousColumn: string,
  options: { alsoWhen?: string } = {},
): Promise<{ outcome: "inserted" | "updated" | "stale"; previous: unknown }> {
  return upsertRow(tx, table, key, row, { ...options, previousColumn });
}

async function upsertRow(
  tx: Tx,
  table: string,
  key: string[],
  row: Record<string, unknown>,
  options: { alsoWhen?: string; previousColumn?: string },
): Promise<{ outcome: "inserted" | "updated" | "stale"; previous: unknown }> {
  const versionColumn = "shopify_updated_at";
  const columns = Object.keys(row);
  const params: unknown[] = [];
  const values = columns.map((column) => {
    const value = row[column];
    if (value instanceof JsonValue) {
      params.push(JSON.stringify(value.value));
      return `$${params.length}::jsonb`;
    }
    if (value instanceof Date) {
      params.push(value.toISOString());
      return `$${params.length}::timestamptz`;
    }
    params.push(value);
    return `$${params.length}`;
  });
  const updates = columns.filter((column) => !key.includes(column)).map((column) => `"${column}" = EXCLUDED."${column}"`);
  // The CTE reads the row as it was when the statement started, before the upsert's own change.
  const previous = options.previousColumn
    ? `WITH previous AS (SELECT "${options.previousColumn}" AS value FROM "${table}" WHERE ${key.map((c) => `"${c}" = ${values[columns.indexOf(c)]}`).join(" AND ")})\n`
    : "";
  const sql = `${previous}INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${values.join(", ")})
    ON CONFLICT (${key.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${updates.join(", ")}
    WHERE ("${table}"."${versionColumn}" IS NULL OR EXCLUDED."${versionColumn}" IS NULL
       OR EXCLUDED."${versionColumn}" >= "${table}"."${versionColumn}")${options.alsoWhen ? ` AND (${options.alsoWhen})` : ""}
    RETURNING (xmax = 0) AS inserted${previous ? ", (SELECT value FROM previous) AS previous" : ""}`;
  const result = (await tx.$queryRawUnsafe(sql, ...params)) as Array<{ inserted: boolean; previous?: unknown }>;
  if (result.length === 0) return { outcome: "stale", previous: undefined };
  return { outcome: result[0].inserted ? "inserted" : "updated", previous: result[0].previous ?? null };
}
