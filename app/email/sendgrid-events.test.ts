import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  parseSendgridEvents,
  providerMessageIdOf,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  SendgridEventsPayloadError,
  verifySendgridEventRequest,
  verifySendgridEventSignature,
} from "./sendgrid-events";

/** A real P-256 key pair; SendGrid shows the public key as base64 DER (SPKI). */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { base64: publicKey.export({ type: "spki", format: "der" }).toString("base64"), pem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}
/** What SendGrid does: ECDSA-SHA256 over timestamp + raw body, DER signature in base64. */
const sign = (privateKey: KeyObject, timestamp: string, body: string) => createSign("sha256").update(timestamp + body).sign(privateKey).toString("base64");

const NOW = new Date("2026-05-01T12:00:00Z");
const nowSeconds = String(NOW.getTime() / 1000);
const events = [
  { email: "ann@example.com", timestamp: 1777636790, event: "processed", sg_event_id: "ev-1", sg_message_id: "14c5d75ce93.filter0001.16648.5515E0B88.0", "smtp-id": "<x@y>", category: ["pathwise", "abandoned_checkout"], pathwise_message_id: "msg_01", pathwise_shop: "confetti.myshopify.com", pathwise_flow_id: "flow_1" },
  { email: "ann@example.com", timestamp: 1777636791, event: "delivered", sg_event_id: "ev-2", sg_message_id: "14c5d75ce93.filter0001.16648.5515E0B88.0", response: "250 OK", pathwise_message_id: "msg_01" },
  { email: "ann@example.com", timestamp: 1777636792, event: "open", sg_event_id: "ev-3", sg_message_id: "14c5d75ce93.filter0001", useragent: "Mozilla/5.0", ip: "17.0.0.1", sg_machine_open: true, pathwise_message_id: "msg_01" },
  { email: "ann@example.com", timestamp: 1777636793, event: "click", sg_event_id: "ev-4", sg_message_id: "14c5d75ce93.filter0001", url: "https://confetti.example/cart", url_offset: { index: 0, type: "html" }, pathwise_message_id: "msg_01" },
  { email: "bob@example.com", timestamp: 1777636794, event: "bounce", sg_event_id: "ev-5", sg_message_id: "abc.def", reason: "550 5.1.1 user unknown", status: "5.1.1", type: "bounce", bounce_classification: "Invalid Address", pathwise_message_id: "msg_02" },
  { email: "bob@example.com", timestamp: 1777636795, event: "bounce", sg_event_id: "ev-6", sg_message_id: "abc.def", reason: "421 try later", type: "blocked" },
  { email: "carl@example.com", timestamp: 1777636796, event: "dropped", sg_event_id: "ev-7", sg_message_id: "ghi.jkl", reason: "Bounced Address" },
  { email: "dee@example.com", timestamp: 1777636797, event: "deferred", sg_event_id: "ev-8", sg_message_id: "mno.pqr", response: "400 try again later", attempt: "5" },
  { email: "eve@example.com", timestamp: 1777636798, event: "spamreport", sg_event_id: "ev-9", sg_message_id: "stu.vwx" },
  { email: "eve@example.com", timestamp: 1777636799, event: "unsubscribe", sg_event_id: "ev-10", sg_message_id: "stu.vwx" },
  { email: "eve@example.com", timestamp: 1777636800, event: "group_unsubscribe", sg_event_id: "ev-11", sg_message_id: "stu.vwx", asm_group_id: 42 },
  { email: "fay@example.com", timestamp: 1777636801, event: "account_status_change", sg_event_id: "ev-12", something_new: "kept" },
];
const body = JSON.stringify(events);

describe("verifySendgridEventSignature", () => {
  const keys = keyPair();
  const signature = sign(keys.privateKey, nowSeconds, body);
  const base = { publicKey: keys.base64, rawBody: body, signature, timestamp: nowSeconds, now: NOW };

  it("accepts a request signed like SendGrid signs it, with the key as SendGrid shows it or as PEM", () => {
    expect(verifySendgridEventSignature(base)).toEqual({ ok: true, timestamp: Number(nowSeconds) });
    expect(verifySendgridEventSignature({ ...base, publicKey: keys.pem }).ok).toBe(true);
    expect(verifySendgridEventSignature({ ...base, rawBody: Buffer.from(body) }).ok).toBe(true);
  });

  it("refuses a tampered body, a re-serialised body and another timestamp under the same signature", () => {
    expect(verifySendgridEventSignature({ ...base, rawBody: body.replace("ann@example.com", "mallory@example.com") })).toEqual({ ok: false, reason: "invalid_signature" });
    expect(verifySendgridEventSignature({ ...base, rawBody: JSON.stringify(JSON.parse(body), null, 1) }).ok).toBe(false);
    expect(verifySendgridEventSignature({ ...base, timestamp: String(Number(nowSeconds) - 1) })).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("refuses another key, a malformed key and a malformed signature", () => {
    expect(verifySendgridEventSignature({ ...base, publicKey: keyPair().base64 })).toEqual({ ok: false, reason: "invalid_signature" });
    expect(verifySendgridEventSignature({ ...base, publicKey: "bm90IGEga2V5" })).toEqual({ ok: false, reason: "invalid_signature" });
    expect(verifySendgridEventSignature({ ...base, signature: "AAAA" })).toEqual({ ok: false, reason: "invalid_signature" });
    expect(verifySendgridEventSignature({ ...base, signature: signature.slice(0, -8) }).ok).toBe(false);
  });

  it("refuses stale and future timestamps, with a configurable tolerance", () => {
    const old = String(Number(nowSeconds) - 11 * 60);
    const oldSigned = { ...base, timestamp: old, signature: sign(keys.privateKey, old, body) };
    expect(verifySendgridEventSignature(oldSigned)).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifySendgridEventSignature({ ...oldSigned, toleranceSeconds: 15 * 60 }).ok).toBe(true);
    const future = String(Number(nowSeconds) + 11 * 60);
    expect(verifySendgridEventSignature({ ...base, timestamp: future, signature: sign(keys.privateKey, future, body) })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifySendgridEventSignature({ ...base, timestamp: "2026-05-01T12:00:00Z" })).toEqual({ ok: false, reason: "malformed_timestamp" });
  });

  it("refuses missing headers or key", () => {
    expect(verifySendgridEventSignature({ ...base, signature: null })).toEqual({ ok: false, reason: "missing_signature" });
    expect(verifySendgridEventSignature({ ...base, timestamp: "" })).toEqual({ ok: false, reason: "missing_signature" });
    expect(verifySendgridEventSignature({ ...base, publicKey: undefined })).toEqual({ ok: false, reason: "missing_public_key" });
  });

  it("reads SendGrid's headers from a Fetch request or Node's lower-cased header object", async () => {
    const request = new Request("https://app.example/sendgrid/events", { method: "POST", body, headers: { [SENDGRID_SIGNATURE_HEADER]: signature, [SENDGRID_TIMESTAMP_HEADER]: nowSeconds } });
    expect(verifySendgridEventRequest(request.headers, await request.text(), { publicKey: keys.base64, now: NOW }).ok).toBe(true);
    const nodeHeaders = { "x-twilio-email-event-webhook-signature": signature, "x-twilio-email-event-webhook-timestamp": nowSeconds };
    expect(verifySendgridEventRequest(nodeHeaders, body, { publicKey: keys.base64, now: NOW }).ok).toBe(true);
    expect(verifySendgridEventRequest({}, body, { publicKey: keys.base64, now: NOW })).toEqual({ ok: false, reason: "missing_signature" });
  });
});

describe("parseSendgridEvents", () => {
  it("types every documented event and keeps unknown ones generically", () => {
    const { events: parsed, invalid } = parseSendgridEvents(body);
    expect(invalid).toEqual([]);
    expect(parsed.map((e) => e.event)).toEqual(["processed", "delivered", "open", "click", "bounce", "bounce", "dropped", "deferred", "spamreport", "unsubscribe", "group_unsubscribe", "unknown"]);
    const [processed, delivered, open, click, bounce, blocked, dropped, deferred, , , group, unknown] = parsed;
    expect(processed).toMatchObject({ sg_event_id: "ev-1", email: "ann@example.com", providerMessageId: "14c5d75ce93", category: ["pathwise", "abandoned_checkout"], timestamp: 1777636790 });
    expect(processed.occurredAt.toISOString()).toBe("2026-05-01T11:59:50.000Z");
    expect(delivered.response).toBe("250 OK");
    expect(open).toMatchObject({ sg_machine_open: true, useragent: "Mozilla/5.0" });
    expect(click.url).toBe("https://confetti.example/cart");
    expect(bounce).toMatchObject({ type: "bounce", reason: "550 5.1.1 user unknown", status: "5.1.1", bounce_classification: "Invalid Address" });
    expect(blocked.type).toBe("blocked");
    expect(dropped.reason).toBe("Bounced Address");
    expect(deferred.attempt).toBe(5);
    expect(group.asm_group_id).toBe(42);
    expect(unknown).toMatchObject({ event: "unknown", originalEvent: "account_status_change", sg_message_id: null, providerMessageId: null });
    expect(unknown.raw.something_new).toBe("kept");
  });

  it("collects our custom_args from the flattened top-level keys, strings only", () => {
    const [processed, , , click] = parseSendgridEvents(body).events;
    expect(processed.custom_args).toEqual({ pathwise_message_id: "msg_01", pathwise_shop: "confetti.myshopify.com", pathwise_flow_id: "flow_1" });
    expect(click.custom_args).toEqual({ pathwise_message_id: "msg_01" }); // url_offset is SendGrid's, and not a string
    const only = parseSendgridEvents(body, { customArgKeys: ["pathwise_shop"] }).events[0];
    expect(only.custom_args).toEqual({ pathwise_shop: "confetti.myshopify.com" });
  });

  it("keeps good events when one entry is malformed, and refuses a body that is not an array", () => {
    const mixed = JSON.stringify([events[0], { event: "open", email: "x@y.z" }, "nope", { ...events[1], timestamp: "yesterday" }]);
    const { events: parsed, invalid } = parseSendgridEvents(mixed);
    expect(parsed.map((e) => e.sg_event_id)).toEqual(["ev-1"]);
    expect(invalid.map((i) => i.index)).toEqual([1, 2, 3]);
    expect(invalid[0].error).toMatch(/sg_event_id/);
    expect(() => parseSendgridEvents("{not json")).toThrow(SendgridEventsPayloadError);
    expect(() => parseSendgridEvents('{"event":"open"}')).toThrow(/array/);
    expect(() => parseSendgridEvents(JSON.stringify(new Array(3).fill(events[0])), { maxEvents: 2 })).toThrow(/more than 2/);
  });

  it("takes the X-Message-Id out of sg_message_id", () => {
    expect(providerMessageIdOf("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0")).toBe("14c5d75ce93");
    expect(providerMessageIdOf("plain")).toBe("plain");
    expect(providerMessageIdOf(undefined)).toBeNull();
  });
});
