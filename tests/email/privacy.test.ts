import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { exportCustomerData, redactCustomer } from "../../app/compliance/compliance.server";
import { sendMarketingEmail } from "../../app/email/outbound.server";
import { recordClick } from "../../app/email/tracking.server";
import { suppress } from "../../app/email/suppression.server";
import { installShop } from "../support/shopify";
import { customer, sendRequest, useCaptureMode } from "./support/email-fixtures";

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
    await prisma.$transaction((tx) => redactCustomer(tx, { shop, customerId: "1", email: "ada@example.com", orderIds: [] }));
    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: adaMessage } });
    expect(row).toMatchObject({ email: null, customerId: null, subject: null, html: null, text: null, status: "captured" });
    expect(await prisma.emailClick.findFirstOrThrow({ where: { messageId: adaMessage } })).toMatchObject({ userAgent: null });
    expect(await prisma.emailSuppression.count({ where: { shop, email: "ada@example.com" } })).toBe(0);
    const bob = await prisma.emailMessage.findUniqueOrThrow({ where: { id: bobMessage } });
    expect(bob.email).toBe("bob@example.com");
    expect(bob.html).not.toBeNull();
  });
});
