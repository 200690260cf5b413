import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQueryErrors } from "../support/admin-schema";

// The consent write-back goes through unauthenticated.admin(shop); point the Shopify library at a local
// Admin API that validates every operation against the real 2026-10 schema (read when shopify.server loads).
const adminCalls: Array<{ shop: string | undefined; query: string; variables: any; errors: string[] }> = [];
let adminFailures = 0;
const adminServer = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const errors = adminQueryErrors(query);
  adminCalls.push({ shop: req.headers["x-shopify-shop-domain"] as string | undefined, query, variables, errors });
  if (adminFailures > 0) {
    adminFailures--;
    res.writeHead(502).end("bad gateway");
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify(
      errors.length
        ? { errors: errors.map((message) => ({ message })) }
        : { data: { customerEmailMarketingConsentUpdate: { customer: { id: variables.input.customerId, defaultEmailAddress: { marketingState: "UNSUBSCRIBED" } }, userErrors: [] } } },
    ),
  );
});
await new Promise<void>((resolve) => adminServer.listen(0, "127.0.0.1", () => resolve()));
process.env.SHOPIFY_ADMIN_API_ORIGIN = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;

const { default: prisma, pool } = await import("../../app/db.server");
await import("../../app/features.server"); // the email wiring (consent changes) as the app runs it
const { sendMarketingEmail } = await import("../../app/email/outbound.server");
const { CONSENT_WRITEBACK_MUTATION, consentWritebackInput } = await import("../../app/email/unsubscribe.server");
const route = await import("../../app/routes/u.$token");
const { drainJobs, installShop, jobCount } = await import("../support/shopify");
const { customer, sendRequest, useCaptureMode } = await import("./support/email-fixtures");

const shop = "unsubscribe-test.myshopify.com";

async function sendOne(id: string, email: string) {
  await customer(shop, id, email);
  const result = await sendMarketingEmail(sendRequest(shop, { customerId: id, email }));
  const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: result.messageId } });
  const token = row.html!.match(/https:\/\/pathwise\.test\/u\/([^"?]+)/)![1];
  return { messageId: result.messageId, token };
}

beforeAll(async () => {
  useCaptureMode();
  await installShop(shop, { timezone: "UTC" });
  await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null, smartSendingHours: 0 } });
});
afterAll(async () => {
  await new Promise<void>((resolve) => adminServer.close(() => resolve()));
});

const state = async (id: string) => (await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop, id } } })).emailMarketingState;

describe("unsubscribe", () => {
  it("the write-back mutation is valid against Shopify's 2026-10 Admin schema", () => {
    expect(adminQueryErrors(CONSENT_WRITEBACK_MUTATION)).toEqual([]);
    expect(consentWritebackInput("42", new Date("2026-11-24T00:00:00Z"))).toEqual({
      input: {
        customerId: "gid://shopify/Customer/42",
        emailMarketingConsent: { marketingState: "UNSUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: "2026-11-24T00:00:00.000Z" },
      },
    });
  });

  it("GET shows a confirmation page and does not unsubscribe (link scanners follow links)", async () => {
    const { token } = await sendOne("1", "ada@example.com");
    const response = await route.loader({ request: new Request(`https://pathwise.test/u/${token}`), params: { token }, context: {} });
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data).toMatchObject({ alreadyUnsubscribed: false, maskedEmail: expect.stringMatching(/^a\*+@example\.com$/) });
    expect(await state("1")).toBe("SUBSCRIBED");
    expect(await prisma.emailSuppression.count({ where: { shop } })).toBe(0);
  });

  it("one-click POST (RFC 8058) without cookies unsubscribes at once and writes consent back to Shopify", async () => {
    const { token, messageId } = await sendOne("2", "grace@example.com");
    const request = new Request(`https://pathwise.test/u/${token}?one-click=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" }, // no cookie, no session, no CSRF token
      body: "List-Unsubscribe=One-Click",
    });
    const response = await route.action({ request, params: { token }, context: {} });
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();

    expect(await state("2")).toBe("UNSUBSCRIBED");
    expect(await prisma.emailSuppression.findUnique({ where: { shop_email: { shop, email: "grace@example.com" } } })).toMatchObject({ reason: "unsubscribe", source: "one_click" });
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } })).unsubscribedAt).not.toBeNull();
    const { rows } = await pool.query(`SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'email.consent-writeback'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload.shop).toBe(shop);

    // A second click (mail clients retry) records nothing new and enqueues nothing more.
    await route.action({ request: new Request(request.url, { method: "POST", body: "List-Unsubscribe=One-Click" }), params: { token }, context: {} });
    expect(await jobCount("email.consent-writeback")).toBe(1);

    // The job: Shopify is down once (the queue retries), then it lands.
    adminFailures = 1;
    await drainJobs();
    const afterFailure = await prisma.emailUnsubscribe.findFirstOrThrow({ where: { shop, customerId: "2" } });
    expect(afterFailure.writebackStatus).toBe("pending");
    expect(afterFailure.writebackError).toBeTruthy();
    await pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'email.consent-writeback')`);
    await drainJobs();
    const done = await prisma.emailUnsubscribe.findFirstOrThrow({ where: { shop, customerId: "2" } });
    expect(done.writebackStatus).toBe("done");
    const calls = adminCalls.filter((call) => call.query.includes("customerEmailMarketingConsentUpdate"));
    expect(calls).toHaveLength(2);
    expect(calls.every((call) => call.errors.length === 0 && call.shop === shop)).toBe(true);
    expect(calls[1].variables.input).toMatchObject({ customerId: "gid://shopify/Customer/2", emailMarketingConsent: { marketingState: "UNSUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" } });
    expect(await jobCount("email.consent-writeback")).toBe(0);

    // Later sends to that person are skipped.
    const next = await sendMarketingEmail(sendRequest(shop, { customerId: "2", email: "grace@example.com" }));
    expect(next.status).toBe("skipped");
  });

  it("the footer page's button POST unsubscribes too; the page then says so", async () => {
    const { token } = await sendOne("3", "lin@example.com");
    const response = await route.action({ request: new Request(`https://pathwise.test/u/${token}`, { method: "POST", body: "" }), params: { token }, context: {} });
    expect(response.status).toBe(200);
    expect(await state("3")).toBe("UNSUBSCRIBED");
    const page = await route.loader({ request: new Request(`https://pathwise.test/u/${token}`), params: { token }, context: {} });
    expect(await page.json()).toMatchObject({ alreadyUnsubscribed: true });
  });

  it("a forged token is refused and changes nothing", async () => {
    const forged = "eyJzIjoidW5zdWJzY3JpYmUtdGVzdC5teXNob3BpZnkuY29tIiwibSI6IngifQ.AAAA";
    const response = await route.action({ request: new Request(`https://pathwise.test/u/${forged}`, { method: "POST", body: "List-Unsubscribe=One-Click" }), params: { token: forged }, context: {} });
    expect(response.status).toBe(400);
    await expect(route.loader({ request: new Request(`https://pathwise.test/u/${forged}`), params: { token: forged }, context: {} })).rejects.toMatchObject({ status: 400 });
  });

  it("a customer who subscribes again in Shopify leaves the unsubscribe list", async () => {
    const { saveConsent } = await import("../../app/store/store.server");
    await prisma.$transaction((tx) => saveConsent(tx, shop, "3", "SUBSCRIBED", new Date(Date.now() + 60_000), "lin@example.com"));
    expect(await prisma.emailSuppression.findUnique({ where: { shop_email: { shop, email: "lin@example.com" } } })).toBeNull();
  });
});
