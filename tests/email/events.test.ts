import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { sendMarketingEmail, sendMarketingEmailBatch } from "../../app/email/outbound.server";
import { action } from "../../app/routes/sendgrid.events";
import { installShop, jobCount } from "../support/shopify";
import { startSendgridFake, type SendgridFake } from "./support/sendgrid-fake";
import { sendgridWebhookKeys, signedEventRequest } from "./support/sendgrid-signing";
import { customer, sendRequest, useCaptureMode, useSendgrid } from "./support/email-fixtures";

const shop = "events-test.myshopify.com";
const keys = sendgridWebhookKeys();
let fake: SendgridFake;

beforeAll(async () => {
  process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  fake = await startSendgridFake();
  useSendgrid(fake);
  await installShop(shop, { timezone: "UTC" });
  await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null, smartSendingHours: 0 } });
});
afterAll(async () => {
  useCaptureMode();
  await fake.close();
});
beforeEach(() => fake.reset());

const post = async (events: unknown, options?: Parameters<typeof signedEventRequest>[2]) =>
  action({ request: signedEventRequest(keys.privateKey, events, options), params: {}, context: {} });

function event(type: string, messageId: string | null, email: string, extra: Record<string, unknown> = {}) {
  return {
    event: type,
    email,
    timestamp: Math.floor(Date.now() / 1000),
    sg_event_id: randomUUID(),
    sg_message_id: "unknown.filter0001",
    ...(messageId ? { pathwise_message_id: messageId, pathwise_shop: shop } : {}),
    ...extra,
  };
}

async function sendTo(email: string, id: string) {
  await customer(shop, id, email);
  const result = await sendMarketingEmail(sendRequest(shop, { customerId: id, email }));
  expect(result.status).toBe("sent");
  return result.messageId;
}

describe("SendGrid Event Webhook", () => {
  it("rejects a forged or tampered batch and stores nothing", async () => {
    const messageId = await sendTo("forged@example.com", "f1");
    const events = [event("spamreport", messageId, "forged@example.com")];
    const tampered = await post(events, { tamper: (body) => body.replace("spamreport", "delivered") });
    expect(tampered.status).toBe(403);
    const otherKey = sendgridWebhookKeys();
    const wrongKey = await action({ request: signedEventRequest(otherKey.privateKey, events), params: {}, context: {} });
    expect(wrongKey.status).toBe(403);
    const unsigned = await action({ request: new Request("https://pathwise.test/sendgrid/events", { method: "POST", body: JSON.stringify(events) }), params: {}, context: {} });
    expect(unsigned.status).toBe(403);
    expect(await prisma.emailEvent.count()).toBe(0);
    expect(await prisma.emailSuppression.count({ where: { shop } })).toBe(0);
  });

  it("turns events into message state, suppresses bounces, spam reports and unsubscribes, and ignores repeats", async () => {
    const delivered = await sendTo("d@example.com", "d1");
    const bounced = await sendTo("b@example.com", "b1");
    const spam = await sendTo("s@example.com", "s1");
    const unsub = await sendTo("u@example.com", "u1");
    const blocked = await sendTo("blocked@example.com", "k1");
    const dropped = await sendTo("dropped@example.com", "r1");
    const openEvent = event("open", delivered, "d@example.com", { sg_machine_open: true });
    const batch = [
      event("processed", delivered, "d@example.com"),
      event("delivered", delivered, "d@example.com"),
      openEvent,
      event("click", delivered, "d@example.com", { url: "https://shop.example/x" }),
      event("bounce", bounced, "b@example.com", { type: "bounce", reason: "550 5.1.1 no such user" }),
      event("bounce", blocked, "blocked@example.com", { type: "blocked", reason: "451 try later" }),
      event("dropped", dropped, "dropped@example.com", { reason: "Bounced Address" }),
      event("spamreport", spam, "s@example.com"),
      event("unsubscribe", unsub, "u@example.com"),
    ];
    const response = await post(batch);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: 9, stored: 9, duplicates: 0, unmatched: 0 });

    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: delivered } });
    expect(row.deliveredAt).not.toBeNull();
    expect(row.openedAt).not.toBeNull();
    expect(row.openUnreliable).toBe(true); // a machine open (Apple MPP) is not a person
    expect(row.clickedAt).not.toBeNull();
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: bounced } })).bouncedAt).not.toBeNull();

    const suppressed = await prisma.emailSuppression.findMany({ where: { shop }, orderBy: { email: "asc" } });
    expect(suppressed.map((s) => [s.email, s.reason])).toEqual([
      ["b@example.com", "bounce"],
      ["dropped@example.com", "dropped"],
      ["s@example.com", "spamreport"],
      ["u@example.com", "unsubscribe"],
    ]);
    // SendGrid's unsubscribe is a real unsubscribe: consent goes back to Shopify too.
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: "u1" } } })).emailMarketingState).toBe("UNSUBSCRIBED");
    expect(await jobCount("email.consent-writeback")).toBe(1);

    // SendGrid repeats events for up to a day: a repeat changes nothing.
    const repeat = await post([openEvent]);
    expect(await repeat.json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: delivered } })).openCount).toBe(1);

    // And every later send to a suppressed address is skipped.
    const after = await sendMarketingEmail(sendRequest(shop, { customerId: "b1", email: "b@example.com" }));
    expect(after).toMatchObject({ status: "skipped", reason: "suppressed" });
  });

  it("an uncertain send becomes sent when SendGrid reports it, matched by our message id or by sg_message_id", async () => {
    await customer(shop, "c1", "c@example.com");
    fake.acceptThenDrop();
    const lost = await sendMarketingEmail(sendRequest(shop, { customerId: "c1", email: "c@example.com" }));
    expect(lost.status).toBe("uncertain");
    await post([event("delivered", lost.messageId, "c@example.com")]);
    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: lost.messageId } });
    expect(row.status).toBe("sent");
    expect(row.deliveredAt).not.toBeNull();

    // Events without custom_args (older integrations) match on the request's X-Message-Id and the recipient.
    await customer(shop, "c2", "c2@example.com");
    await customer(shop, "c3", "c3@example.com");
    const batch = await sendMarketingEmailBatch([sendRequest(shop, { customerId: "c2", email: "c2@example.com" }), sendRequest(shop, { customerId: "c3", email: "c3@example.com" })]);
    const xMessageId = fake.messages.at(-1)!.xMessageId;
    await post([{ event: "delivered", email: "c3@example.com", timestamp: Math.floor(Date.now() / 1000), sg_event_id: randomUUID(), sg_message_id: `${xMessageId}.filterdrecv-1-2` }]);
    const third = batch[1] as { messageId: string };
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: third.messageId } })).deliveredAt).not.toBeNull();
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: (batch[0] as { messageId: string }).messageId } })).deliveredAt).toBeNull();
  });

  it("rejects a signed body that is not an event batch", async () => {
    const response = await post(undefined, { rawBody: JSON.stringify({ not: "a list" }) });
    expect(response.status).toBe(400);
  });
});
