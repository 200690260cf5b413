import type { Tx } from "../store/sql.server";
import { emitStoreEvent } from "../store/store-events.server";

/**
 * Shopify's mandatory privacy topics and uninstall. Each feature that stores
 * customer data registers how to export it; redaction is announced as a store
 * event so each feature removes its own rows in the same transaction.
 */

export type CustomerDataExporter = (
  tx: Tx,
  who: { shop: string; customerId: string | null; email: string | null; orderIds: string[] },
) => Promise<unknown>;

const exporters = new Map<string, CustomerDataExporter>();

export function registerCustomerDataExporter(section: string, exporter: CustomerDataExporter): void {
  exporters.set(section, exporter);
}

registerCustomerDataExporter("store", async (tx, { shop, customerId, email, orderIds }) => {
  const customer = customerId ? await tx.customer.findUnique({ where: { shop_id: { shop, id: customerId } } }) : null;
  const byCustomer = [
    ...(customerId ? [{ customerId }] : []),
    ...(email ? [{ email }] : []),
  ];
  const orders = await tx.order.findMany({
    where: { shop, OR: [...byCustomer, { id: { in: orderIds } }] },
    include: { lines: true },
    orderBy: { shopifyCreatedAt: "asc" },
  });
  const checkouts = byCustomer.length ? await tx.checkout.findMany({ where: { shop, OR: byCustomer } }) : [];
  const fulfillments = orders.length
    ? await tx.fulfillment.findMany({ where: { shop, orderId: { in: orders.map((order) => order.id) } } })
    : [];
  return { customer, orders, checkouts, fulfillments };
});

export async function exportCustomerData(
  tx: Tx,
  who: { shop: string; customerId: string | null; email: string | null; orderIds: string[] },
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const [section, exporter] of exporters) result[section] = await exporter(tx, who);
  // BigInt ids (autoincrement rows) are not JSON: present them as text.
  return JSON.parse(JSON.stringify(result, (_key, value) => (typeof value === "bigint" ? value.toString() : value)));
}

export async function recordDataRequest(
  tx: Tx,
  request: { shop: string; customerId: string | null; email: string | null; orderIds: string[]; requestId: string | null },
) {
  const data = await exportCustomerData(tx, request);
  return tx.dataRequest.create({
    data: {
      shop: request.shop,
      customerId: request.customerId,
      email: request.email,
      requestId: request.requestId,
      export: data as object,
    },
  });
}

/** customers/redact: remove this customer's personal data everywhere we hold it. */
export async function redactCustomer(
  tx: Tx,
  request: { shop: string; customerId: string | null; email: string | null; orderIds: string[]; keepEventId?: bigint },
) {
  const { shop, customerId, email, orderIds } = request;
  if (customerId) await tx.customer.deleteMany({ where: { shop, id: customerId } });
  if (email) await tx.customer.deleteMany({ where: { shop, email } });
  const who = [...(customerId ? [{ customerId }] : []), ...(email ? [{ email }] : [])];
  if (who.length) {
    await tx.checkout.updateMany({ where: { shop, OR: who }, data: { email: null, customerId: null, customerLocale: null } });
  }
  await tx.order.updateMany({
    where: { shop, OR: [...who, { id: { in: orderIds } }] },
    data: { email: null, customerId: null },
  });
  await tx.dataRequest.deleteMany({ where: { shop, OR: who.length ? who : [{ id: -1n }] } });
  // Raw webhook payloads carry names, emails and addresses: scrub every one that mentions the customer.
  // A body can only mention the customer if its text holds their id, address or an order id (or
  // an escape that could spell one), so only those are read as JSON, once each: reading every
  // body of the shop took about 1 ms a row. A body PostgreSQL cannot read as JSON though
  // JavaScript could (a lone surrogate or \u0000 escape), or one kept verbatim because it was not
  // JSON at all, is matched as text instead, so it can never make the scrub fail.
  await tx.$executeRawUnsafe(
    `UPDATE webhook_event e SET payload = NULL, raw_body = NULL, error = COALESCE(e.error, '') || ' [redacted]'
     FROM (
       SELECT id, topic, mentioned, CASE WHEN payload IS NOT NULL THEN pathwise_try_jsonb(payload) END AS body
       FROM (
         SELECT id, topic, payload, (
           ($2::text IS NOT NULL AND strpos(COALESCE(payload, ''), $2) > 0)
           OR ($3::text IS NOT NULL AND strpos(lower(COALESCE(payload, raw_body, '')), $3) > 0)
           OR EXISTS (SELECT 1 FROM unnest($5::text[]) AS o(id) WHERE strpos(COALESCE(payload, ''), o.id) > 0)
         ) AS mentioned
         FROM webhook_event
         WHERE shop = $1 AND id <> $4
         OFFSET 0 -- each row's text is searched once, not once per use of mentioned
       ) AS texts
       WHERE mentioned OR strpos(payload, '\\u') > 0
       OFFSET 0 -- and each candidate is read as JSON once, not once per field below
     ) s
     WHERE e.id = s.id AND (
       (s.body IS NOT NULL AND (
         ($2::text IS NOT NULL AND (s.body->'customer'->>'id' = $2 OR s.body->>'customer_id' = $2 OR s.body->>'id' = $2 AND s.topic LIKE 'customers/%'))
         OR ($3::text IS NOT NULL AND (lower(s.body->>'email') = $3 OR lower(s.body->>'contact_email') = $3 OR lower(s.body->>'email_address') = $3 OR lower(s.body->'customer'->>'email') = $3))
         OR (s.body->>'id' = ANY($5::text[]) AND s.topic LIKE 'orders/%')
         -- Fulfillments of those orders carry the shipping name, phone and address.
         OR (s.body->>'order_id' = ANY($5::text[]) AND s.topic LIKE 'fulfillments/%')
       ))
       -- Not readable as JSON (or kept verbatim, not JSON at all): what its text mentions.
       OR (s.body IS NULL AND s.mentioned)
     )`,
    shop,
    customerId,
    email,
    request.keepEventId ?? -1n,
    orderIds,
  );
  // The request itself names the customer too: keep only a receipt of what was redacted.
  if (request.keepEventId) {
    await tx.$executeRawUnsafe(
      `UPDATE webhook_event SET payload = json_build_object('customer', json_build_object('id', $2::text), 'orders_to_redact', to_json($3::text[]), 'redacted', true)::text, raw_body = NULL
       WHERE id = $1`,
      request.keepEventId,
      customerId,
      orderIds,
    );
  }
  await emitStoreEvent(tx, { kind: "customer.redacted", shop, customerId, email, orderIds });
}

/** shop/redact: delete every row of the shop, in every table that carries a shop column. */
export async function redactShop(tx: Tx, shop: string, keepEventId?: bigint) {
  await emitStoreEvent(tx, { kind: "shop.redacted", shop });
  const tables = (await tx.$queryRawUnsafe(
    `SELECT table_name::text AS table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'shop' AND table_name <> 'webhook_event'
     ORDER BY table_name`,
  )) as Array<{ table_name: string }>;
  // Children first is not needed: foreign keys cascade within the shop.
  for (const { table_name } of tables) {
    await tx.$executeRawUnsafe(`DELETE FROM "${table_name}" WHERE shop = $1`, shop);
  }
  await tx.shop.deleteMany({ where: { domain: shop } });
  await tx.session.deleteMany({ where: { shop } });
  // Keep only the redaction request itself (it names nothing but the shop) as proof it was honoured.
  await tx.$executeRawUnsafe(`DELETE FROM webhook_event WHERE shop = $1 AND id <> $2`, shop, keepEventId ?? -1n);
  await cancelShopJobs(tx, shop, "shop redacted");
}

/** app/uninstalled: the shop is gone for now; sessions are void and scheduled work stops. */
export async function markUninstalled(tx: Tx, shop: string) {
  await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
  await tx.session.deleteMany({ where: { shop } });
  await cancelShopJobs(tx, shop, "shop uninstalled");
  await emitStoreEvent(tx, { kind: "shop.uninstalled", shop });
}

/**
 * Every job payload names its shop; pending ones for this shop are failed
 * permanently (kept for the record). The public `jobs` view has no payload, so this
 * reads graphile-worker's job table (pinned to graphile-worker 0.16's schema).
 */
export async function cancelShopJobs(tx: Tx, shop: string, reason: string) {
  await tx.$queryRawUnsafe(
    `SELECT count(*)::int AS n FROM graphile_worker.permanently_fail_jobs(
       ARRAY(SELECT id FROM graphile_worker._private_jobs WHERE payload->>'shop' = $1 AND locked_at IS NULL), $2)`,
    shop,
    reason,
  );
}
