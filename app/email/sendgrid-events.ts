import { EventWebhook } from "@sendgrid/eventwebhook";
import { z } from "zod";

/**
 * SendGrid Event Webhook, framework-free: verify the signed request, then parse
 * the JSON array into typed events.
 *
 * SendGrid signs `timestamp + rawBody` with ECDSA P-256 / SHA-256 and sends the
 * base64 DER signature and the Unix timestamp in two headers. Verification must
 * run on the raw body exactly as received (before any JSON parsing), and a stale
 * timestamp is refused so a captured request cannot be replayed later. Events
 * still repeat (SendGrid retries for up to 24 hours): dedupe on sg_event_id.
 */
export const SENDGRID_SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const SENDGRID_TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";
export const DEFAULT_EVENT_TIMESTAMP_TOLERANCE_SECONDS = 10 * 60;

export type SignatureFailure = "missing_public_key" | "missing_signature" | "malformed_timestamp" | "stale_timestamp" | "invalid_signature";
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

export interface SignatureInput {
  /** The verification key from SendGrid's Mail Settings (base64 DER, as SendGrid shows it, or PEM). */
  publicKey: string | null | undefined;
  /** The request body exactly as received. */
  rawBody: string | Buffer;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  now?: Date;
  /** Largest accepted |now - timestamp|, in seconds (default 600). */
  toleranceSeconds?: number;
}

export function verifySendgridEventSignature(input: SignatureInput): SignatureCheck {
  if (!input.publicKey?.trim()) return { ok: false, reason: "missing_public_key" };
  if (!input.signature?.trim() || !input.timestamp?.trim()) return { ok: false, reason: "missing_signature" };
  const timestampText = input.timestamp.trim();
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: "malformed_timestamp" };
  const timestamp = Number(timestampText);
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_EVENT_TIMESTAMP_TOLERANCE_SECONDS)) return { ok: false, reason: "stale_timestamp" };
  try {
    const webhook = new EventWebhook();
    const key = webhook.convertPublicKeyToECDSA(input.publicKey.trim());
    // The signature covers the header's exact text, so pass it untouched.
    return webhook.verifySignature(key, input.rawBody, input.signature.trim(), input.timestamp) ? { ok: true, timestamp } : { ok: false, reason: "invalid_signature" };
  } catch {
    return { ok: false, reason: "invalid_signature" }; // malformed key or signature
  }
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key ? record[key] : undefined;
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

/** Same as verifySendgridEventSignature, reading SendGrid's two headers (Fetch Headers or a Node header object). */
export function verifySendgridEventRequest(headers: HeaderSource, rawBody: string | Buffer, options: Omit<SignatureInput, "rawBody" | "signature" | "timestamp">): SignatureCheck {
  return verifySendgridEventSignature({ ...options, rawBody, signature: header(headers, SENDGRID_SIGNATURE_HEADER), timestamp: header(headers, SENDGRID_TIMESTAMP_HEADER) });
}

// ---------------------------------------------------------------------------
// Parsing

export const KNOWN_EVENT_TYPES = ["processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"] as const;
export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

/**
 * Keys SendGrid itself puts on events. custom_args arrive flattened among them
 * (SendGrid copies each custom arg to a top-level key), so every other string
 * key is taken as a custom arg.
 */
export const SENDGRID_EVENT_FIELDS: ReadonlySet<string> = new Set([
  "email", "timestamp", "event", "sg_event_id", "sg_message_id", "smtp-id", "category", "url", "url_offset", "useragent", "ip",
  "reason", "status", "response", "attempt", "type", "bounce_classification", "asm_group_id", "sg_machine_open", "tls", "cert_err",
  "marketing_campaign_id", "marketing_campaign_name", "marketing_campaign_version", "marketing_campaign_split_id", "post_type",
  "sg_template_id", "sg_template_name", "sg_content_type", "singlesend_id", "singlesend_name", "template_id", "template_version_id",
  "mc_stats", "phase_id", "send_at", "pool", "ip_pool_name", "ip_pool_id", "newsletter", "nlvx_campaign_id", "nlvx_user_id", "unique_args",
]);

const eventSchema = z
  .object({
    event: z.string().min(1),
    sg_event_id: z.string().min(1),
    email: z.string().min(1),
    timestamp: z.number().int().nonnegative(),
    sg_message_id: z.string().optional(),
    url: z.string().optional(),
    reason: z.string().optional(),
    type: z.string().optional(),
    status: z.union([z.string(), z.number()]).optional(),
    response: z.string().optional(),
    attempt: z.union([z.string(), z.number()]).optional(),
    useragent: z.string().optional(),
    ip: z.string().optional(),
    sg_machine_open: z.boolean().optional(),
    asm_group_id: z.number().optional(),
    bounce_classification: z.string().optional(),
    category: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .passthrough();

interface EventFields {
  sg_event_id: string;
  /** "<X-Message-Id of the API request>.<filter suffix>"; null on a few event types. */
  sg_message_id: string | null;
  /** The X-Message-Id our send call got back (sg_message_id up to its first dot). */
  providerMessageId: string | null;
  email: string;
  /** Unix seconds, as SendGrid sends it. */
  timestamp: number;
  occurredAt: Date;
  url: string | null;
  reason: string | null;
  /** bounce: "bounce" (permanent) or "blocked" (temporary refusal). */
  type: string | null;
  status: string | null;
  response: string | null;
  attempt: number | null;
  useragent: string | null;
  ip: string | null;
  /** open: SendGrid's own flag for machine (privacy proxy) opens. */
  sg_machine_open: boolean;
  asm_group_id: number | null;
  bounce_classification: string | null;
  category: string[];
  /** Our custom_args as strings (SendGrid flattens them into the event). */
  custom_args: Record<string, string>;
  /** The event object exactly as received. */
  raw: Record<string, unknown>;
}

export type SendgridEvent =
  | (EventFields & { event: KnownEventType })
  /** An event type this code does not know yet, kept generically. */
  | (EventFields & { event: "unknown"; originalEvent: string });

export interface ParsedSendgridEvents {
  events: SendgridEvent[];
  /** Array entries that are not events (kept out so one bad entry does not make SendGrid retry the batch forever). */
  invalid: Array<{ index: number; error: string }>;
}

export class SendgridEventsPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SendgridEventsPayloadError";
  }
}

export interface ParseOptions {
  /** Take only these keys as custom args (default: every string key SendGrid does not define). */
  customArgKeys?: readonly string[];
  /** Largest batch accepted (SendGrid posts up to a few thousand per request). */
  maxEvents?: number;
}

/** Parse a verified body. Throws SendgridEventsPayloadError when it is not a JSON array (answer 400). */
export function parseSendgridEvents(rawBody: string | Buffer, options: ParseOptions = {}): ParsedSendgridEvents {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    throw new SendgridEventsPayloadError("body is not JSON");
  }
  if (!Array.isArray(json)) throw new SendgridEventsPayloadError("body is not a JSON array of events");
  const max = options.maxEvents ?? 10_000;
  if (json.length > max) throw new SendgridEventsPayloadError(`more than ${max} events in one request`);

  const events: SendgridEvent[] = [];
  const invalid: ParsedSendgridEvents["invalid"] = [];
  json.forEach((entry, index) => {
    const parsed = eventSchema.safeParse(entry);
    if (!parsed.success) {
      invalid.push({ index, error: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`).join("; ") });
      return;
    }
    events.push(toEvent(parsed.data, entry as Record<string, unknown>, options.customArgKeys));
  });
  return { events, invalid };
}

function toEvent(data: z.infer<typeof eventSchema>, raw: Record<string, unknown>, customArgKeys: readonly string[] | undefined): SendgridEvent {
  const custom_args: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string") continue;
    if (customArgKeys ? customArgKeys.includes(key) : !SENDGRID_EVENT_FIELDS.has(key)) custom_args[key] = value;
  }
  const attempt = data.attempt === undefined ? null : Number(data.attempt);
  const fields: EventFields = {
    sg_event_id: data.sg_event_id,
    sg_message_id: data.sg_message_id ?? null,
    providerMessageId: providerMessageIdOf(data.sg_message_id),
    email: data.email,
    timestamp: data.timestamp,
    occurredAt: new Date(data.timestamp * 1000),
    url: data.url ?? null,
    reason: data.reason ?? null,
    type: data.type ?? null,
    status: data.status === undefined ? null : String(data.status),
    response: data.response ?? null,
    attempt: Number.isFinite(attempt) ? attempt : null,
    useragent: data.useragent ?? null,
    ip: data.ip ?? null,
    sg_machine_open: data.sg_machine_open === true,
    asm_group_id: data.asm_group_id ?? null,
    bounce_classification: data.bounce_classification ?? null,
    category: data.category === undefined ? [] : Array.isArray(data.category) ? data.category : [data.category],
    custom_args,
    raw,
  };
  return (KNOWN_EVENT_TYPES as readonly string[]).includes(data.event)
    ? { ...fields, event: data.event as KnownEventType }
    : { ...fields, event: "unknown", originalEvent: data.event };
}

/** "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0" -> "14c5d75ce93". */
export function providerMessageIdOf(sgMessageId: string | null | undefined): string | null {
  const id = sgMessageId?.split(".")[0]?.trim();
  return id ? id : null;
}
