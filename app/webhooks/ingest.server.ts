import { normalizeTopic, isKnownTopic, isProcessedWithoutInstallation } from "./topics";
import type { WebhookRecord, WebhookRecorder } from "./recorder.server";

/** What `authenticate.webhook` gives us that matters here. */
export interface VerifiedWebhook {
  shop: string;
  topic: string;
  apiVersion?: string;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  session?: unknown;
}

export type AuthenticateWebhook = (request: Request) => Promise<VerifiedWebhook>;

/** The delivery as received: its URL, headers and the raw body text. */
export interface RawDelivery {
  url: string;
  method: string;
  /** Header lookup by lower-case name. */
  header: (name: string) => string | null;
  /** Every header as [lower-case name, value]. */
  headers: Iterable<[string, string]>;
  rawBody: string;
}

export interface IngestResult {
  status: number;
  body: string;
}

/**
 * The one ingestion path for every topic: verify (HMAC via Shopify's library),
 * record once, answer. Processing happens in the worker. Returns the HTTP response.
 */
export async function ingestWebhook(
  request: Request,
  deps: { authenticate: AuthenticateWebhook; recorder: WebhookRecorder },
): Promise<Response> {
  if (request.method !== "POST") return text(405, "Webhooks are POST requests");
  const result = await ingestDelivery(
    { url: request.url, method: request.method, header: (name) => request.headers.get(name), headers: request.headers, rawBody: await request.text() },
    deps,
  );
  return text(result.status, result.body);
}

// The headers Shopify's library needs to authenticate a delivery (webhooks and events
// deliveries): it canonicalises every header name on each lookup and on each of its two
// conversions of the request, so its cost grows with the square of the header count.
// What it would only copy through (event id, triggered-at, name) we read ourselves:
// no header is signed, only the body, so this changes nothing about what is trusted.
const LIBRARY_HEADERS = new Set([
  "x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id",
  "shopify-hmac-sha256", "shopify-topic", "shopify-shop-domain", "shopify-api-version", "shopify-webhook-id",
  "shopify-handle", "shopify-action", "shopify-triggered-at",
]);

/** ingestWebhook without the Fetch Request/Response around it (the Express fast path). */
export async function ingestDelivery(
  delivery: RawDelivery,
  deps: { authenticate: AuthenticateWebhook; recorder: WebhookRecorder },
): Promise<IngestResult> {
  if (delivery.method !== "POST") return { status: 405, body: "Webhooks are POST requests" };
  // Unsigned is as untrusted as forged: 401, nothing recorded (Shopify's library answers
  // a missing signature header 400, like any other missing header).
  if (!delivery.header("x-shopify-hmac-sha256") && !delivery.header("shopify-hmac-sha256")) return { status: 401, body: "Unauthorized: unsigned webhook" };
  const rawBody = delivery.rawBody;
  const headers = new Headers();
  for (const [name, value] of delivery.headers) {
    if (LIBRARY_HEADERS.has(name)) headers.set(name, value);
  }
  const replay = new Request(delivery.url, { method: "POST", headers, body: rawBody });

  let verified: VerifiedWebhook;
  let malformed: string | null = null;
  try {
    verified = await deps.authenticate(replay);
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: await thrown.text() }; // 401 bad HMAC, 400 other missing headers
    if (!(thrown instanceof SyntaxError)) throw thrown;
    // The library parses the body only after the HMAC checked out: the delivery is
    // genuine but its body is not JSON. Keep it verbatim for the operator.
    malformed = thrown.message;
    verified = headersOnly(delivery.header);
  }

  const topic = normalizeTopic(delivery.header("x-shopify-topic") ?? verified.topic);
  const eventId = verified.eventId || delivery.header("x-shopify-event-id") || delivery.header("shopify-event-id") || verified.webhookId;
  const triggeredAt = verified.triggeredAt || delivery.header("x-shopify-triggered-at") || undefined;
  if (!eventId) return { status: 400, body: "Missing X-Shopify-Event-Id and X-Shopify-Webhook-Id" };

  const record: WebhookRecord = {
    eventId,
    webhookId: verified.webhookId ?? null,
    shop: verified.shop,
    topic,
    apiVersion: verified.apiVersion ?? null,
    triggeredAt: parseDate(triggeredAt),
    payloadJson: malformed ? null : rawBody,
    rawBody: malformed ? rawBody : null,
    status: "received",
    error: null,
  };
  if (malformed) {
    record.status = "malformed";
    record.error = `body is not valid JSON: ${malformed}`;
  } else if (!isKnownTopic(topic)) {
    record.status = "unknown_topic";
    record.error = `Pathwise does not subscribe to ${topic}`;
  } else if (!verified.session && !isProcessedWithoutInstallation(topic)) {
    record.status = "unknown_shop";
    record.error = `${verified.shop} has no Pathwise installation`;
  }

  const outcome = await deps.recorder.record(record);
  // Kept verbatim for the operator, like an unknown topic: acknowledged, since Shopify would only
  // retry the same bytes for 4 hours (each a duplicate) and count the endpoint as failing.
  if (record.status === "malformed") return { status: 200, body: "recorded: malformed JSON body, kept verbatim, not processed" };
  return { status: 200, body: outcome === "duplicate" ? "duplicate delivery: already recorded" : record.status === "received" ? "ok" : `recorded: ${record.status}` };
}

function headersOnly(header: (name: string) => string | null): VerifiedWebhook {
  return {
    shop: header("x-shopify-shop-domain") ?? "",
    topic: header("x-shopify-topic") ?? "",
    apiVersion: header("x-shopify-api-version") ?? undefined,
    webhookId: header("x-shopify-webhook-id") ?? undefined,
    eventId: header("x-shopify-event-id") ?? undefined,
    triggeredAt: header("x-shopify-triggered-at") ?? undefined,
  };
}

function parseDate(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
