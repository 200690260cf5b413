import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import prisma from "../../app/db.server";
import { RetryableSendError, sendMarketingEmail, sendMarketingEmailBatch, type MarketingEmailRequest } from "../../app/email/outbound.server";
import { suppress } from "../../app/email/suppression.server";
import { renderMarketingEmail, type MarketingEmailInput } from "../../app/email/templates/marketing-email";
import { DEFAULT_COPY, EMAIL_LOCALES, UI_COPY, type EmailLocale } from "../../app/email/templates/copy";
import { installShop } from "../support/shopify";
import { startSendgridFake, type SendgridFake } from "./support/sendgrid-fake";
import { customer, sendRequest, useCaptureMode, useSendgrid } from "./support/email-fixtures";

const shop = "sending-test.myshopify.com";
let fake: SendgridFake;

beforeAll(async () => {
  fake = await startSendgridFake();
  await installShop(shop, { timezone: "America/New_York", name: "Widget Co" });
});
afterAll(async () => {
  useCaptureMode();
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  useSendgrid(fake);
  await prisma.emailMessage.deleteMany({ where: { shop } });
  await prisma.emailSuppression.deleteMany({ where: { shop } });
  await prisma.shopEmailSettings.deleteMany({ where: { shop } });
  await customer(shop, "101", "ada@example.com");
});

const ledger = (sendKey: string) => prisma.emailMessage.findUniqueOrThrow({ where: { shop_sendKey: { shop, sendKey } } });

describe("sendMarketingEmail", () => {
  it("sends once per send key: the same (run, step) twice makes one HTTP request", async () => {
    const request = sendRequest(shop, { customerId: "101" });
    const first = await sendMarketingEmail(request);
    const second = await sendMarketingEmail(request);
    expect(first.status).toBe("sent");
    expect(second).toEqual({ status: "already_sent", messageId: first.messageId });
    expect(fake.requests).toBe(1);
    expect(fake.messages).toHaveLength(1);
    const row = await ledger(request.sendKey);
    expect(row.status).toBe("sent");
    expect(row.providerMessageId).toBe(fake.messages[0].xMessageId);
    expect(row.html).toBeNull(); // only captured mail keeps a copy
  });

  it("puts our message id in custom_args, RFC 8058 headers, and only signed app links in the body", async () => {
    const result = await sendMarketingEmail(sendRequest(shop, { customerId: "101" }));
    const [message] = fake.messages;
    expect(message.customArgs.pathwise_message_id).toBe(result.messageId);
    expect(message.customArgs.pathwise_shop).toBe(shop);
    expect(message.headers["List-Unsubscribe"]).toMatch(/^<https:\/\/pathwise\.test\/u\/[^>]+\?one-click=1>$/);
    expect(message.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const hrefs = [...message.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toHaveLength(3);
    expect(hrefs.slice(0, 2).every((href) => href.startsWith("https://pathwise.test/t/c/"))).toBe(true);
    expect(message.html).toContain('src="https://pathwise.test/t/o/');
    expect(message.html).not.toContain("shop.example");
  });

  it("skips without consent, suppressed, and within the smart-sending window, recording each reason", async () => {
    await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
    await customer(shop, "102", "nope@example.com", "NOT_SUBSCRIBED");
    const noConsentRequest = sendRequest(shop, { customerId: "102", email: "nope@example.com" });
    const noConsent = await sendMarketingEmail(noConsentRequest);
    expect(noConsent).toMatchObject({ status: "skipped", reason: "no_consent" });

    const unknown = await sendMarketingEmail(sendRequest(shop, { email: "stranger@example.com" }));
    expect(unknown).toMatchObject({ status: "skipped", reason: "no_consent" });

    await customer(shop, "103", "bounced@example.com");
    await suppress(shop, "Bounced@Example.com", "bounce", "test");
    const suppressed = await sendMarketingEmail(sendRequest(shop, { customerId: "103", email: "bounced@example.com" }));
    expect(suppressed).toMatchObject({ status: "skipped", reason: "suppressed" });

    const now = new Date("2026-11-24T17:00:00Z");
    const first = await sendMarketingEmail(sendRequest(shop, { customerId: "101", now }));
    expect(first.status).toBe("sent");
    const otherFlow = await sendMarketingEmail(sendRequest(shop, { customerId: "101", flowId: "cross-sell", now: new Date(now.getTime() + 15 * 3600_000) }));
    expect(otherFlow).toMatchObject({ status: "skipped", reason: "smart_sending" });
    const later = await sendMarketingEmail(sendRequest(shop, { customerId: "101", now: new Date(now.getTime() + 17 * 3600_000) }));
    expect(later.status).toBe("sent");

    expect(fake.messages.map((m) => m.to)).toEqual(["ada@example.com", "ada@example.com"]);
    const reasons = await prisma.emailMessage.findMany({ where: { shop, status: "skipped" }, select: { skipReason: true }, orderBy: { createdAt: "asc" } });
    expect(reasons.map((r) => r.skipReason).sort()).toEqual(["no_consent", "no_consent", "smart_sending", "suppressed"]);
    // A skip is final for its send key.
    await customer(shop, "102", "nope@example.com", "SUBSCRIBED");
    expect(await sendMarketingEmail(noConsentRequest)).toEqual(noConsent);
  });

  it("smart sending holds inside one batch and across concurrent batches: one email per person", async () => {
    await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
    await customer(shop, "105", "lin@example.com");
    const now = new Date("2026-11-24T17:00:00Z");
    // Two flows reach the same shopper in the same batch.
    const [first, second] = await sendMarketingEmailBatch([
      sendRequest(shop, { customerId: "101", flowId: "abandoned", now }),
      sendRequest(shop, { customerId: "101", flowId: "cross-sell", now }),
    ]);
    expect([first, second].map((result) => (result instanceof Error ? result.message : result.status)).sort()).toEqual(["sent", "skipped"]);
    // Two batches at once, with the recipients in opposite orders: no deadlock, one email each.
    const batch = (flowId: string, ids: string[]) => sendMarketingEmailBatch(ids.map((id) => sendRequest(shop, { customerId: id, email: id === "101" ? "ada@example.com" : "lin@example.com", flowId, now: new Date(now.getTime() + 1000) })));
    await Promise.all([batch("a", ["105", "101"]), batch("b", ["101", "105"])]);
    const mailed = fake.messages.map((message) => message.to).sort();
    expect(mailed).toEqual(["ada@example.com", "lin@example.com"]);
  });

  it("smart sending holds for one person twice in one personalizations request (two checkouts, the same email)", async () => {
    await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
    await customer(shop, "105", "lin@example.com");
    const results = await sendMarketingEmailBatch([
      sendRequest(shop, { customerId: "101" }),
      sendRequest(shop, { customerId: "105", email: "lin@example.com" }),
      sendRequest(shop, { customerId: "101" }),
    ]);
    const status = results.map((result) => (result instanceof Error ? result.message : result.status));
    expect(status[1]).toBe("sent");
    expect([status[0], status[2]].sort()).toEqual(["sent", "skipped"]); // whichever was prepared first goes
    expect(results.find((result) => !(result instanceof Error) && result.status === "skipped")).toMatchObject({ reason: "smart_sending" });
    expect(fake.accepted).toBe(1); // identical content: one request
    expect(fake.messages.map((message) => message.to).sort()).toEqual(["ada@example.com", "lin@example.com"]);
  });

  it("sends nothing in the name of a shop that removed the app, whatever the rules and the caller say", async () => {
    await prisma.shop.update({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
    try {
      const shopper = await sendMarketingEmail(sendRequest(shop, { customerId: "101" }));
      const merchantTest = await sendMarketingEmail({ ...sendRequest(shop, { customerId: null, email: "owner@example.com" }), merchantTest: true });
      expect([shopper, merchantTest]).toEqual([expect.objectContaining({ status: "skipped", reason: "shop_uninstalled" }), expect.objectContaining({ status: "skipped", reason: "shop_uninstalled" })]);
      expect(fake.requests).toBe(0);
    } finally {
      await prisma.shop.update({ where: { domain: shop }, data: { uninstalledAt: null } });
    }
  });

  it("consent and smart sending follow the shop's settings", async () => {
    await prisma.shopEmailSettings.create({ data: { shop, requireConsent: false, smartSendingHours: 0 } });
    const stranger = await sendMarketingEmail(sendRequest(shop, { email: "stranger@example.com" }));
    const again = await sendMarketingEmail(sendRequest(shop, { email: "stranger@example.com", flowId: "cross-sell" }));
    expect([stranger.status, again.status]).toEqual(["sent", "sent"]);
  });

  it("defers during quiet hours in the shop's time zone to the next allowed minute, without consuming the send key", async () => {
    // 23:30 in New York (EST, UTC-5) on 24 Nov 2026 -> 08:00 on 25 Nov = 13:00Z.
    const request = sendRequest(shop, { customerId: "101", now: new Date("2026-11-25T04:30:00Z") });
    const deferred = await sendMarketingEmail(request);
    expect(deferred).toMatchObject({ status: "deferred", reason: "quiet_hours" });
    expect(deferred.status === "deferred" && deferred.until.toISOString()).toBe("2026-11-25T13:00:00.000Z");
    expect((await ledger(request.sendKey)).status).toBe("deferred");
    expect(fake.requests).toBe(0);

    const resumed = await sendMarketingEmail({ ...request, now: new Date("2026-11-25T13:00:00Z") });
    expect(resumed).toMatchObject({ status: "sent", messageId: deferred.messageId });
    expect(fake.messages).toHaveLength(1);

    // Shop-specific quiet hours: none at all.
    await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
    const night = await sendMarketingEmail(sendRequest(shop, { customerId: "101", flowId: "late", now: new Date("2026-11-26T05:00:00Z") }));
    expect(night.status).toBe("sent");
  });

  it("a 5xx is retried by the job and ends in exactly one email", async () => {
    const request = sendRequest(shop, { customerId: "101" });
    fake.failNext(503);
    const error = await sendMarketingEmail(request).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableSendError);
    expect((error as RetryableSendError).statusCode).toBe(503);
    expect((await ledger(request.sendKey)).status).toBe("claimed");
    fake.failNext(429);
    await expect(sendMarketingEmail(request)).rejects.toMatchObject({ statusCode: 429, retryAfterSeconds: 1 });
    const result = await sendMarketingEmail(request);
    expect(result.status).toBe("sent");
    expect(fake.messages).toHaveLength(1);
    expect(fake.requests).toBe(3);
    expect((await ledger(request.sendKey)).attempts).toBe(3);
  });

  it("a revoked API key (401) or an unverified sender (403) is retried by the job, never failed: one email once fixed, one request per batch, one log line without the key or an address", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      // The key was revoked or rotated: SendGrid answers 401 to every request with it.
      process.env.SENDGRID_API_KEY = "SG.revoked-0123456789abcdef";
      const single = sendRequest(shop, { customerId: "101" });
      const refused = await sendMarketingEmail(single).catch((e) => e);
      expect(refused).toBeInstanceOf(RetryableSendError);
      expect(refused).toMatchObject({ statusCode: 401 });
      expect((await ledger(single.sendKey)).status).toBe("claimed");
      // A batch is refused as a whole, once: no fallback to one request per recipient.
      await customer(shop, "106", "lin@example.com");
      await customer(shop, "107", "kai@example.com");
      const batch = [sendRequest(shop, { customerId: "106", email: "lin@example.com" }), sendRequest(shop, { customerId: "107", email: "kai@example.com" })];
      const batchResults = await sendMarketingEmailBatch(batch);
      expect(batchResults.map((r) => (r instanceof RetryableSendError ? r.statusCode : r))).toEqual([401, 401]);
      expect(fake.requests).toBe(2);
      for (const request of batch) expect((await ledger(request.sendKey)).status).toBe("claimed");

      // The key is fixed, but the sender address is not a verified Sender Identity yet: 403, retried too.
      // (SendGrid's words; were it ever to echo an address, the log line leaves it out.)
      useSendgrid(fake);
      const unverified = "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.";
      fake.failNext(403, 1, [{ message: `${unverified} (hello@pathwise.app)`, field: "from" }]);
      await expect(sendMarketingEmail(single)).rejects.toMatchObject({ name: "RetryableSendError", statusCode: 403 });
      expect((await ledger(single.sendKey)).status).toBe("claimed");

      // Fixed: the jobs' next attempts send each email exactly once.
      expect(await sendMarketingEmail(single)).toMatchObject({ status: "sent" });
      expect((await sendMarketingEmailBatch(batch)).map((r) => (r instanceof Error ? r.message : r.status))).toEqual(["sent", "sent"]);
      expect(fake.messages.map((m) => m.to).sort()).toEqual(["ada@example.com", "kai@example.com", "lin@example.com"]);
      expect(await sendMarketingEmail(single)).toMatchObject({ status: "already_sent" });
      expect((await ledger(single.sendKey)).attempts).toBe(3);

      // The operator hears of each refusal once (the second 401 within minutes is counted, not repeated),
      // in words that say what to fix, with neither the key nor anyone's address.
      const lines = logged.mock.calls.map((args) => args.map(String).join(" "));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/SendGrid refused the API key \(401\).*SENDGRID_API_KEY/);
      expect(lines[1]).toMatch(/SendGrid refused .*\(403\).*Sender Identity/);
      expect(lines[1]).toContain(`${unverified} (<address>)`);
      for (const line of lines) expect(line).not.toMatch(/SG\.|revoked-0123|@/);
    } finally {
      logged.mockRestore();
      useSendgrid(fake);
    }
  });

  it("keeps SendGrid's words about a refused message without any address in them (ledger rows outlive a customers/redact)", async () => {
    fake.failNext(400, 1, [{ message: "The to address shopper.101@example.com is not allowed from ops@pathwise.example", field: "personalizations.0.to" }]);
    const refused = sendRequest(shop, { customerId: "101", flowId: "words" });
    expect(await sendMarketingEmail(refused)).toMatchObject({ status: "failed" });
    const { error } = await ledger(refused.sendKey);
    expect(error).toContain("is not allowed from <address>");
    expect(error).not.toMatch(/@/);
  });

  it("a refused message (4xx) fails for good; a lost reply is uncertain and never sent again", async () => {
    const bad = await sendMarketingEmail(sendRequest(shop, { requireConsent: undefined, customerId: null, email: "ada@example" } as never));
    expect(bad.status).toBe("skipped"); // no customer with that address: no consent

    fake.failNext(400);
    const refused = sendRequest(shop, { customerId: "101" });
    expect(await sendMarketingEmail(refused)).toMatchObject({ status: "failed" });
    expect(await sendMarketingEmail(refused)).toMatchObject({ status: "failed" });
    expect(fake.messages).toHaveLength(0);

    fake.acceptThenDrop();
    const lost = sendRequest(shop, { customerId: "101", flowId: "other" });
    expect(await sendMarketingEmail(lost)).toMatchObject({ status: "uncertain" });
    expect(await sendMarketingEmail(lost)).toMatchObject({ status: "uncertain" });
    expect(fake.messages).toHaveLength(1); // SendGrid got it once; we never retried
    expect((await ledger(lost.sendKey)).status).toBe("uncertain");
  });

  it("a row left in 'sending' by a crash is resolved as uncertain; one left 'claimed' is resumed", async () => {
    const crashedDuring = sendRequest(shop, { customerId: "101" });
    await prisma.emailMessage.create({
      data: { id: "crashed-during", shop, sendKey: crashedDuring.sendKey, flowId: "f", flowRunId: crashedDuring.flowRunId, stepKey: "email-1", email: "ada@example.com", status: "sending", attempts: 1, sendingAt: new Date() },
    });
    expect(await sendMarketingEmail(crashedDuring)).toEqual({ status: "uncertain", messageId: "crashed-during" });
    expect((await ledger(crashedDuring.sendKey)).error).toMatch(/HTTP request started/);

    // (Another address: the uncertain email above counts for smart sending.)
    await customer(shop, "104", "grace@example.com");
    const crashedBefore = sendRequest(shop, { customerId: "104", email: "grace@example.com", flowId: "other" });
    await prisma.emailMessage.create({
      data: { id: "crashed-before", shop, sendKey: crashedBefore.sendKey, flowId: "f", flowRunId: crashedBefore.flowRunId, stepKey: "email-1", email: "grace@example.com", status: "claimed", attempts: 1 },
    });
    expect(await sendMarketingEmail(crashedBefore)).toMatchObject({ status: "sent", messageId: "crashed-before" });
    expect(fake.messages).toHaveLength(1);
  });

  it("captures locally when no API key is set", async () => {
    useCaptureMode();
    const request = sendRequest(shop, { customerId: "101" });
    const result = await sendMarketingEmail(request);
    expect(result.status).toBe("captured");
    expect(fake.requests).toBe(0);
    const row = await ledger(request.sendKey);
    expect(row.status).toBe("captured");
    expect(row.html).toContain("https://pathwise.test/t/c/");
    expect(row.text).toContain("Unsubscribe: https://pathwise.test/u/");
    expect(await sendMarketingEmail(request)).toMatchObject({ status: "already_sent" });
  });

  it("batches identical content into one request with personalizations and per-recipient links", async () => {
    const requests = [];
    for (let i = 0; i < 50; i++) {
      await customer(shop, `b${i}`, `buyer${i}@example.com`);
      requests.push(sendRequest(shop, { customerId: `b${i}`, email: `buyer${i}@example.com` }));
    }
    const results = await sendMarketingEmailBatch(requests);
    expect(results.every((r) => !(r instanceof Error) && r.status === "sent")).toBe(true);
    expect(fake.requests).toBe(1);
    expect(fake.messages).toHaveLength(50);
    const ids = new Set(fake.messages.map((m) => m.customArgs.pathwise_message_id));
    expect(ids.size).toBe(50);
    // After SendGrid's substitution each recipient has their own signed links.
    const firstLinks = fake.messages.map((m) => m.html.match(/\/t\/c\/([^"]+)/)![1]);
    expect(new Set(firstLinks).size).toBe(50);
    // No placeholder left unsubstituted (matched whole: a signed token may contain "-pw" by chance).
    expect(fake.messages.filter((m) => /-pw(?:mid|open|unsub|oneclick|l\d+)-/.test(m.html))).toEqual([]);
    // Re-running the batch sends nothing.
    const again = await sendMarketingEmailBatch(requests);
    expect(again.every((r) => !(r instanceof Error) && r.status === "already_sent")).toBe(true);
    expect(fake.requests).toBe(1);
  });

  it("a batch refused for one bad address falls back to single sends for the rest", async () => {
    await customer(shop, "x1", "good1@example.com");
    await customer(shop, "x2", "bad@localhost");
    await customer(shop, "x3", "good2@example.com");
    const results = await sendMarketingEmailBatch([
      sendRequest(shop, { customerId: "x1", email: "good1@example.com" }),
      sendRequest(shop, { customerId: "x2", email: "bad@localhost" }),
      sendRequest(shop, { customerId: "x3", email: "good2@example.com" }),
    ]);
    expect(results.map((r) => (r instanceof Error ? "error" : r.status))).toEqual(["sent", "failed", "sent"]);
    expect(fake.messages.map((m) => m.to).sort()).toEqual(["good1@example.com", "good2@example.com"]);
  });
});

describe("Send me a test, when SendGrid refuses", () => {
  it("answers the merchant in words and closes the test's row instead of failing the page (a flow's email would wait and retry)", async () => {
    const { sendTestEmail } = await import("../../app/flows/admin.server");
    await prisma.shop.update({ where: { domain: shop }, data: { email: "owner@widget.example" } });
    fake.failNext(401);
    const refused = await sendTestEmail(shop, 0, "en");
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/^Test email to owner@widget\.example: not sent: the email service \(SendGrid\) refused Pathwise's sending account \(401\)/) });
    fake.failNext(503);
    expect((await sendTestEmail(shop, 0, "en")).message).toMatch(/did not take the email just now \(503\)\. Try again in a few minutes\.$/);
    const rows = await prisma.emailMessage.findMany({ where: { shop, email: "owner@widget.example" } });
    expect(rows.map((row) => row.status)).toEqual(["failed", "failed"]);
    // Fixed: the next test goes out.
    expect(await sendTestEmail(shop, 0, "en")).toMatchObject({ ok: true });
    expect(fake.messages.map((message) => message.to)).toEqual(["owner@widget.example"]);
  });
});

describe("dates in an email", () => {
  // 03:30 UTC on 23 Nov 2026 is 22:30 on the 22nd in New York (EST) and 12:30 on the 23rd in Seoul.
  const expiresAt = new Date("2026-11-23T03:30:00Z");
  const discount = { code: "BACK-1", percent: 10, hours: 48, expiresAt };
  const input = (locale: EmailLocale, timeZone: string): MarketingEmailInput => ({
    locale,
    timeZone,
    copy: DEFAULT_COPY.abandoned_2[locale],
    shop: { name: "Widget Co", address: "1 Main St, New York", accentColor: "#112233", logoUrl: null },
    firstName: "Ada",
    items: [],
    cta: { url: "https://shop.example/cart" },
    discount,
    linkWrapper: (url) => url,
    unsubscribeUrl: "https://pathwise.test/u/x",
  });
  // ICU separates "10:30" and "PM" with a narrow no-break space.
  const plain = (text: string) => text.replace(/\u202f/g, " ");

  it("shows a discount's expiry in the shop's time zone and names the zone, in English, Korean and Thai, in both parts", async () => {
    const newYork: Record<EmailLocale, string> = { en: "Nov 22, 2026, 10:30 PM EST", ko: "2026년 11월 22일 오후 10:30 GMT-5", th: "22 พ.ย. 2569 22:30 GMT-5" };
    const seoul: Record<EmailLocale, string> = { en: "Nov 23, 2026, 12:30 PM GMT+9", ko: "2026년 11월 23일 오후 12:30 GMT+9", th: "23 พ.ย. 2569 12:30 GMT+9" };
    for (const locale of EMAIL_LOCALES) {
      for (const [timeZone, expected] of [["America/New_York", newYork], ["Asia/Seoul", seoul]] as const) {
        const email = await renderMarketingEmail(input(locale, timeZone));
        expect([locale, timeZone, plain(email.text)]).toEqual([locale, timeZone, expect.stringContaining(`10% · ${UI_COPY[locale].expires} ${expected[locale]}`)]);
        expect([locale, timeZone, plain(email.html)]).toEqual([locale, timeZone, expect.stringContaining(`${UI_COPY[locale].expires} ${expected[locale]}`)]);
      }
    }
    // A zone this runtime does not know: UTC, said so, rather than no email at all.
    expect(plain((await renderMarketingEmail(input("en", "Mars/Olympus_Mons"))).text)).toContain("Expires Nov 23, 2026, 3:30 AM UTC");
  });

  it("the sending path gives the renderer the shop's time zone, single and batched: a New York shop's email says New York time", async () => {
    await customer(shop, "106", "lin@example.com");
    const zones: string[] = [];
    const render: MarketingEmailRequest["render"] = async (ctx) => {
      zones.push(ctx.timeZone);
      return renderMarketingEmail({ ...input("en", ctx.timeZone), linkWrapper: ctx.linkWrapper, unsubscribeUrl: ctx.unsubscribeUrl, openPixelUrl: ctx.openPixelUrl });
    };
    expect(await sendMarketingEmail(sendRequest(shop, { customerId: "101", render }))).toMatchObject({ status: "sent" });
    await sendMarketingEmailBatch([sendRequest(shop, { customerId: "106", email: "lin@example.com", render, flowId: "batch" }), sendRequest(shop, { customerId: "101", render, flowId: "batch", now: new Date("2026-11-25T17:00:00Z") })]);
    expect(zones).toEqual(["America/New_York", "America/New_York", "America/New_York"]);
    expect(fake.messages).toHaveLength(3);
    for (const message of fake.messages) {
      expect(plain(message.text)).toContain("Expires Nov 22, 2026, 10:30 PM EST");
      expect(plain(message.html)).toContain("Expires Nov 22, 2026, 10:30 PM EST");
    }
  });

  it("the flow page's preview and the merchant's test email show the expiry in the shop's zone too", async () => {
    const seoulShop = "preview-seoul.myshopify.com";
    await installShop(seoulShop, { timezone: "Asia/Seoul", name: "Seoul Parties" });
    const { renderPreview } = await import("../../app/flows/admin.server");
    const preview = await renderPreview(seoulShop, 1, "ko"); // email 2 carries the discount by default
    expect(plain(preview.html)).toMatch(/만료 \d{4}년 \d{1,2}월 \d{1,2}일 오[전후] \d{1,2}:\d{2} GMT\+9/);
  });

  it("says how many hours the code runs for as the merchant set them ({{discount_hours}}), not a fixed 48", async () => {
    for (const [locale, expected] of [["en", "for the next 72 hours"], ["ko", "72시간 동안"], ["th", "ภายใน 72 ชั่วโมง"]] as const) {
      const email = await renderMarketingEmail({ ...input(locale, "UTC"), discount: { ...discount, hours: 72 } });
      expect(email.previewText).toContain(expected);
      expect(email.previewText).not.toContain("48");
    }
  });
});

