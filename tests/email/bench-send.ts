/**
 * npm run bench:email — sends per second through sendMarketingEmailBatch (SendGrid
 * personalizations batching) and through concurrent single sends, against the local
 * SendGrid fake, with the real ledger, rules and signed links on a real PostgreSQL.
 * BENCH_EMAILS (default 20000) recipients per mode.
 */
import { createDatabaseIfMissing, dropDatabase, ensureDatabase, splitDatabaseUrl } from "../../app/infra/postgres.server";
import { migrateDatabase } from "../../app/infra/migrate.server";
import { startSendgridFake } from "./support/sendgrid-fake";

const TOTAL = Number(process.env.BENCH_EMAILS ?? 20_000);
const SHOP = "bench-email.myshopify.com";
const DATABASE = "pathwise_bench_email";

const server = await ensureDatabase({ database: "postgres" });
const { serverUrl } = splitDatabaseUrl(server.url);
await dropDatabase(serverUrl, DATABASE);
await createDatabaseIfMissing(serverUrl, DATABASE);
process.env.DATABASE_URL = `${serverUrl}/${DATABASE}`;
await migrateDatabase(process.env.DATABASE_URL);
process.env.SHOPIFY_APP_URL ??= "https://pathwise.bench";
process.env.PATHWISE_SECRET ??= "bench-secret-0123456789abcdef";

const fake = await startSendgridFake();
process.env.SENDGRID_API_KEY = fake.apiKey;
process.env.SENDGRID_API_ORIGIN = fake.url;

const { pool } = await import("../../app/db.server");
const { sendMarketingEmail, sendMarketingEmailBatch } = await import("../../app/email/outbound.server");
type Request = import("../../app/email/outbound.server").MarketingEmailRequest;
type Ctx = import("../../app/email/outbound.server").RenderContext;

await pool.query(`INSERT INTO shop (domain, name, timezone, updated_at) VALUES ($1, 'Bench', 'UTC', now())`, [SHOP]);
await pool.query(`INSERT INTO shop_email_settings (shop, quiet_hours_start, quiet_hours_end) VALUES ($1, NULL, NULL)`, [SHOP]);
await pool.query(
  `INSERT INTO customer (shop, id, email, email_marketing_state) SELECT $1, 'c' || g, 'person' || g || '@example.com', 'SUBSCRIBED' FROM generate_series(0, $2::int - 1) g`,
  [SHOP, TOTAL * 2],
);

const render = async (ctx: Ctx) => ({
  subject: "Your cart is waiting",
  html: `<html><body><h1>Still thinking it over?</h1><a href="${ctx.linkWrapper("https://bench.example/cart", "cta")}">Back to your cart</a>
    <a href="${ctx.linkWrapper("https://bench.example/products/1", "item-1")}">Item</a><a href="${ctx.unsubscribeUrl}">Unsubscribe</a>
    <img src="${ctx.openPixelUrl}" width="1" height="1" alt=""></body></html>`,
  text: `Still thinking it over?\n${ctx.linkWrapper("https://bench.example/cart", "cta")}\nUnsubscribe: ${ctx.unsubscribeUrl}\n`,
});
const request = (i: number, flow: string): Request => ({
  shop: SHOP, sendKey: `${flow}-run-${i}:email-1`, flowId: flow, flowRunId: `${flow}-run-${i}`, stepKey: "email-1",
  customerId: `c${i}`, email: `person${i}@example.com`, locale: "en", marketing: true, render,
});

async function measure(label: string, run: () => Promise<number>) {
  fake.reset();
  const started = performance.now();
  const sent = await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label}: ${sent} sent in ${seconds.toFixed(2)} s = ${Math.round(sent / seconds)} sends/s (${fake.requests} HTTP requests, ${fake.messages.length} emails at the fake)`);
}

await measure("batched (personalizations, 1000 per request)", async () => {
  let sent = 0;
  for (let i = 0; i < TOTAL; i += 1000) {
    const results = await sendMarketingEmailBatch(Array.from({ length: Math.min(1000, TOTAL - i) }, (_, k) => request(i + k, "batch")));
    sent += results.filter((r) => !(r instanceof Error) && r.status === "sent").length;
  }
  return sent;
});

await measure("single sends, 32 concurrent", async () => {
  let sent = 0;
  let next = TOTAL;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < TOTAL * 2) {
        const result = await sendMarketingEmail(request(next++, "single"));
        if (result.status === "sent") sent++;
      }
    }),
  );
  return sent;
});

await fake.close();
await pool.end();
await dropDatabase(serverUrl, DATABASE).catch(() => {});
await server.stop();
