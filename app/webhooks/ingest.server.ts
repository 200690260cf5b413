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

/**
 * The one ingestion path for every topic: verify (HMAC via Shopify's library),
 * record once, answer. Processing happens in the worker. Returns the HTTP response.
 */
export async function ingestWebhook(
  request: Request,
  deps: { authenticate: AuthenticateWebhook; recorder: WebhookRecorder },
): Promise<Response> {
  if (request.method !== "POST") return text(405, "Webhooks are POST requests");
  const rawBody = await request.text();
  // Hand Shopify's library only the headers it reads: it canonicalises every header
  // on each lookup, which at thousands of deliveries a second is real CPU.
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (name.startsWith("x-shopify-") || name === "content-type") headers.set(name, value);
  }
  const replay = new Request(request.url, { method: "POST", headers, body: rawBody });

  let verified: VerifiedWebhook;
  let malformed: string | null = null;
  try {
    verified = await deps.authenticate(replay);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown; // 401 bad HMAC, 400 missing headers
    if (!(thrown instanceof SyntaxError)) throw thrown;
    // The library parses the body only after the HMAC checked out: the delivery is
    // genuine but its body is not JSON. Keep it verbatim for the operator.
    malformed = thrown.message;
    verified = headersOnly(request.headers);
  }

  const topic = normalizeTopic(request.headers.get("x-shopify-topic") ?? verified.topic);
  const eventId = verified.eventId || request.headers.get("x-shopify-event-id") || verified.webhookId;
  if (!eventId) return text(400, "Missing X-Shopify-Event-Id and X-Shopify-Webhook-Id");

  const record: WebhookRecord = {
    eventId,
    webhookId: verified.webhookId ?? null,
    shop: verified.shop,
    topic,
    apiVersion: verified.apiVersion ?? null,
    triggeredAt: parseDate(verified.triggeredAt),
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
  if (record.status === "malformed") return text(400, "Malformed JSON body: recorded, not processed");
  return text(200, outcome === "duplicate" ? "duplicate delivery: already recorded" : record.status === "received" ? "ok" : `recorded: ${record.status}`);
}

function headersOnly(headers: Headers): VerifiedWebhook {
  return {
    shop: headers.get("x-shopify-shop-domain") ?? "",
    topic: headers.get("x-shopify-topic") ?? "",
    apiVersion: headers.get("x-shopify-api-version") ?? undefined,
    webhookId: headers.get("x-shopify-webhook-id") ?? undefined,
    eventId: headers.get("x-shopify-event-id") ?? undefined,
    triggeredAt: headers.get("x-shopify-triggered-at") ?? undefined,
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
