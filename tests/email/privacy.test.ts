import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import prisma, { pool } from "../../app/db.server";
import { exportCustomerData, redactCustomer, redactShop } from "../../app/compliance/compliance.server";
import { sendMarketingEmail } from "../../app/email/outbound.server";
import { recordClick } from "../../app/email/tracking.server";
import { suppress } from "../../app/email/suppression.server";
import { action as sendgridEvents } from "../../app/routes/sendgrid.events";
import { installShop } from "../support/shopify";
import { customer, sendRequest, useCaptureMode } from "./support/email-fixtures";
import { sendgridWebhookKeys, signedEventRequest } from "./support/sendgrid-signing";

await import("../../app/features.server");
const shop = "privacy-email.myshopify.com";
let adaMessage = "";
let bobMessage = "";

beforeAll(async () => {
  useCaptureMode();
  await installShop(shop, { timezone: "UTC" });
  await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
  await customer(shop, "1", "ada@example.com");
  await customer(shop, "2", "bob@example.com");
  adaMessage = (await sendMarketingEmail(sendRequest(shop, { customerId: "1", email: "ada@example.com" }))).messageId;
  bobMessage = (await sendMarketingEmail(sendRequest(shop, { customerId: "2", email: "bob@example.com" }))).messageId;
  await recordClick({ shop, messageId: adaMessage, linkId: "cta", url: "https://shop.example/x" }, "Mozilla/5.0 (X11) Firefox/130", false);
  await suppress(shop, "ada@example.com", "bounce", "test");
});

describe("customer privacy", () => {
  it("customers/data_request exports the emails sent to that customer, and only theirs", async () => {
    const data = await prisma.$transaction((tx) => exportCustomerData(tx, { shop, customerId: "1", email: "ada@example.com", orderIds: [] }));
    const email = data.email as { messages: Array<{ id: string; subject: string }>; clicks: unknown[]; suppression: unknown[] };
    expect(email.messages.map((m) => m.id)).toEqual([adaMessage]);
    expect(email.messages[0].subject).toBe("You left something behind");
    expect(email.clicks).toHaveLength(1);
    expect(email.suppression).toHaveLength(1);
  });

  it("customers/redact blanks the person's address and copies but keeps the anonymous ledger row (never twice still holds)", async () => {
    // SendGrid's words about a send, as a row written before they were scrubbed could hold them.
    await pool.query(`UPDATE email_message SET error = 'SendGrid 400: ada@example.com bounced before' WHERE id = $1`, [adaMessage]);
    await prisma.$transaction((tx) => redactCustomer(tx, { shop, customerId: "1", email: "ada@example.com", orderIds: [] }));
    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: adaMessage } });
    expect(row).toMatchObject({ email: null, customerId: null, subject: null, html: null, text: null, error: null, status: "captured" });
    expect(await prisma.emailClick.findFirstOrThrow({ where: { messageId: adaMessage } })).toMatchObject({ userAgent: null });
    expect(await prisma.emailSuppression.count({ where: { shop, email: "ada@example.com" } })).toBe(0);
    const bob = await prisma.emailMessage.findUniqueOrThrow({ where: { id: bobMessage } });
    expect(bob.email).toBe("bob@example.com");
    expect(bob.html).not.toBeNull();
  });
});

describe("SendGrid events of a redacted customer", () => {
  const keys = sendgridWebhookKeys();
  beforeAll(() => {
    process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  });

  /** A signed batch as SendGrid posted it, and a way to post exactly those bytes again (what a replay is). */
  async function capturedBatch(events: unknown[]) {
    const request = signedEventRequest(keys.privateKey, events);
    const body = await request.clone().text();
    const post = () => sendgridEvents({ request: new Request(request.url, { method: "POST", headers: request.headers, body }), params: {}, context: {} });
    return { post };
  }

  /** The events SendGrid reports for one email: delivery, a click on the recovery link, a bounce naming the address, an unsubscribe. */
  function eventsFor(shop: string, messageId: string, email: string) {
    const at = Math.floor(Date.now() / 1000);
    const base = { email, timestamp: at, sg_message_id: "x.filter0001", pathwise_message_id: messageId, pathwise_shop: shop, ip: "203.0.113.9", useragent: "Mozilla/5.0 (Macintosh)" };
    return [
      { ...base, event: "delivered", sg_event_id: randomUUID() },
      { ...base, event: "click", sg_event_id: randomUUID(), url: "https://shop.example/checkouts/abc/recover?key=secret" },
      { ...base, event: "bounce", sg_event_id: randomUUID(), type: "bounce", reason: `550 5.1.1 <${email}>: no such user` },
      { ...base, event: "unsubscribe", sg_event_id: randomUUID() },
    ];
  }

  /** Every place an address could come back to: events (column and payload), suppression, unsubscribes, the ledger. */
  async function traces(email: string) {
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM email_event WHERE email = $1 OR payload::text ILIKE $2)::int AS events,
              (SELECT count(*) FROM email_suppression WHERE email = $1)::int AS suppression,
              (SELECT count(*) FROM email_unsubscribe WHERE email = $1)::int AS unsubscribes,
              (SELECT count(*) FROM email_message WHERE email = $1)::int AS messages`,
      [email, `%${email}%`],
    );
    return rows[0];
  }
  const none = { events: 0, suppression: 0, unsubscribes: 0, messages: 0 };

  it("a captured signed batch replayed after customers/redact stores nothing of theirs again: each event's id stays, without their data", async () => {
    await customer(shop, "3", "cy@example.com");
    const messageId = (await sendMarketingEmail(sendRequest(shop, { customerId: "3", email: "cy@example.com" }))).messageId;
    const batch = await capturedBatch(eventsFor(shop, messageId, "cy@example.com"));
    expect(await (await batch.post()).json()).toMatchObject({ stored: 4, duplicates: 0 });
    expect(await traces("cy@example.com")).toMatchObject({ events: 4, suppression: 1, unsubscribes: 1 });

    await prisma.$transaction((tx) => redactCustomer(tx, { shop, customerId: "3", email: "cy@example.com", orderIds: [] }));
    expect(await traces("cy@example.com")).toEqual(none);
    // Kept for deduplication only: SendGrid's event id and what happened, not who, where from or which link.
    const kept = await prisma.emailEvent.findMany({ where: { messageId }, orderBy: { id: "asc" } });
    expect(kept.map((event) => [event.type, event.email])).toEqual([["delivered", null], ["click", null], ["bounce", null], ["unsubscribe", null]]);
    expect(JSON.stringify(kept.map((event) => event.payload))).not.toMatch(/203\.0\.113|Mozilla|recover\?key|no such user/);

    const replay = await batch.post();
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ stored: 0, duplicates: 4 });
    expect(await traces("cy@example.com")).toEqual(none);
  });

  it("an event first heard of after the redaction (a late retry, or a batch never stored) is kept without the address and suppresses no one", async () => {
    await customer(shop, "4", "di@example.com");
    const messageId = (await sendMarketingEmail(sendRequest(shop, { customerId: "4", email: "di@example.com" }))).messageId;
    await prisma.$transaction((tx) => redactCustomer(tx, { shop, customerId: "4", email: "di@example.com", orderIds: [] }));
    const late = await capturedBatch(eventsFor(shop, messageId, "di@example.com"));
    expect(await (await late.post()).json()).toMatchObject({ stored: 4, unmatched: 0 });
    expect(await traces("di@example.com")).toEqual(none);
    // What is not about a person stays: the message was delivered and clicked.
    expect(await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ email: null, deliveredAt: expect.any(Date), clickCount: 1 });
  });

  it("a captured signed batch replayed after shop/redact stores nothing of the shop's customers, and an event for no message of ours keeps no address", async () => {
    const gone = "privacy-email-gone.myshopify.com";
    await installShop(gone, { timezone: "UTC" });
    await prisma.shopEmailSettings.create({ data: { shop: gone, quietHoursStart: null, quietHoursEnd: null } });
    await customer(gone, "5", "eve@example.com");
    const messageId = (await sendMarketingEmail(sendRequest(gone, { customerId: "5", email: "eve@example.com" }))).messageId;
    const batch = await capturedBatch(eventsFor(gone, messageId, "eve@example.com"));
    expect(await (await batch.post()).json()).toMatchObject({ stored: 4 });

    await prisma.$transaction((tx) => redactShop(tx, gone));
    expect(await traces("eve@example.com")).toEqual(none);
    expect(await prisma.emailEvent.count({ where: { shop: gone } })).toBe(0);
    expect(await (await batch.post()).json()).toMatchObject({ stored: 0, duplicates: 4 });
    expect(await traces("eve@example.com")).toEqual(none);

    // Its message is gone with the shop: a new event for it matches nothing and is kept as a bare record.
    const unmatched = await capturedBatch([{ event: "open", email: "eve@example.com", timestamp: Math.floor(Date.now() / 1000), sg_event_id: randomUUID(), pathwise_message_id: messageId, pathwise_shop: gone, useragent: "Mozilla/5.0" }]);
    expect(await (await unmatched.post()).json()).toMatchObject({ stored: 1, unmatched: 1 });
    expect(await traces("eve@example.com")).toEqual(none);
  });
});

