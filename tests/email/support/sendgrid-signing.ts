import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

/** A SendGrid-style Event Webhook signer: ECDSA P-256 over timestamp + raw body, public key as base64 DER (what SendGrid shows). */
export function sendgridWebhookKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { publicKeyBase64: publicKey.export({ type: "spki", format: "der" }).toString("base64"), privateKey };
}

export function signedEventRequest(privateKey: KeyObject, events: unknown, options: { timestamp?: string; rawBody?: string; tamper?: (body: string) => string } = {}): Request {
  const raw = options.rawBody ?? JSON.stringify(events);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = createSign("sha256").update(timestamp + raw).sign(privateKey).toString("base64");
  const body = options.tamper ? options.tamper(raw) : raw;
  return new Request("https://pathwise.test/sendgrid/events", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": timestamp,
    },
  });
}
