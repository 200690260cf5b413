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
  const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${values.join(", ")})
    ON CONFLICT (${key.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${updates.join(", ")}
    WHERE ("${table}"."${versionColumn}" IS NULL OR EXCLUDED."${versionColumn}" IS NULL
       OR EXCLUDED."${versionColumn}" >= "${table}"."${versionColumn}")${options.alsoWhen ? ` AND (${options.alsoWhen})` : ""}
    RETURNING (xmax = 0) AS inserted`;
  const result = (await tx.$queryRawUnsafe(sql, ...params)) as Array<{ inserted: boolean }>;
  if (result.length === 0) return "stale";
  return result[0].inserted ? "inserted" : "updated";
}
