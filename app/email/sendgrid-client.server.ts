import sgMail from "@sendgrid/mail";
import { countOf } from "../text";
import { withoutAddressesOrKeys } from "./provider-text";

/**
 * The SendGrid v3 mail/send call, through @sendgrid/mail's client, with every
 * failure sorted by what it means for "never twice":
 *   - retryable: SendGrid definitely did not accept it and a later attempt can succeed:
 *     429, 5xx, connection refused before sending, and the account-level refusals 401
 *     (API key revoked, rotated or wrong) and 403 (key without Mail Send permission,
 *     sender not a verified Sender Identity), which an operator fixes while jobs retry;
 *   - permanent: SendGrid refused this message (other 4xx, e.g. 400 naming a field) -
 *     retrying would fail the same way;
 *   - uncertain: the request may have reached SendGrid (reset, timeout, unreadable reply).
 *
 * Env: SENDGRID_API_KEY (unset = capture mode), SENDGRID_API_ORIGIN (default SendGrid's
 * own, e.g. http://127.0.0.1:4010 for the local fake), SENDGRID_DATA_RESIDENCY=eu
 * (api.eu.sendgrid.com), SENDGRID_TIMEOUT_MS (default 15000).
 */
export class SendgridSendError extends Error {
  constructor(
    message: string,
    readonly kind: "retryable" | "permanent" | "uncertain",
    readonly statusCode: number | null,
    readonly retryAfterSeconds: number | null = null,
    /** SendGrid's own error text for an HTTP refusal ("no detail" when it gave none). */
    readonly detail = "no detail",
  ) {
    super(message);
    this.name = "SendgridSendError";
  }
}

export interface SendgridConfig {
  apiKey: string;
  origin: string | null;
  dataResidency: "global" | "eu";
  timeoutMs: number;
}

export function sendgridConfig(env: NodeJS.ProcessEnv = process.env): SendgridConfig | null {
  const apiKey = env.SENDGRID_API_KEY?.trim();
  if (!apiKey) return null;
  const residency = env.SENDGRID_DATA_RESIDENCY?.trim().toLowerCase();
  if (residency && residency !== "eu" && residency !== "global") throw new Error(`SENDGRID_DATA_RESIDENCY must be "eu" or "global", got ${residency}`);
  const origin = env.SENDGRID_API_ORIGIN?.trim() || null;
  if (origin) {
    const url = new URL(origin);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`SENDGRID_API_ORIGIN must be an http(s) origin, got ${origin}`);
  }
  return { apiKey, origin, dataResidency: residency === "eu" ? "eu" : "global", timeoutMs: Number(env.SENDGRID_TIMEOUT_MS ?? 15_000) };
}

/** The parts of @sendgrid/mail's MailService (and its @sendgrid/client) used here; its typings omit `client`. */
interface MailServiceInstance {
  setApiKey(key: string): void;
  setTimeout(ms: number): void;
  client: {
    setDataResidency(region: string): void;
    setDefaultRequest(key: string, value: unknown): void;
    request(data: { method: string; url: string; body: object }): Promise<[{ statusCode: number; headers: unknown; body: unknown }, unknown]>;
  };
}
let cached: { key: string; service: MailServiceInstance } | null = null;

function mailService(config: SendgridConfig): MailServiceInstance {
  const key = JSON.stringify(config);
  if (cached?.key === key) return cached.service;
  const service = new (sgMail as unknown as { MailService: new () => MailServiceInstance }).MailService();
  service.setApiKey(config.apiKey); // (also resets the base URL to the global region)
  if (config.dataResidency === "eu") service.client.setDataResidency("eu");
  if (config.origin) service.client.setDefaultRequest("baseUrl", config.origin.endsWith("/") ? config.origin : `${config.origin}/`);
  service.setTimeout(config.timeoutMs);
  cached = { key, service };
  return service;
}

/** Errors raised before any byte left this machine: the message cannot have been accepted. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ERR_INVALID_URL", "ERR_BAD_OPTION"]);

/** POST /v3/mail/send with a v3 body. Returns SendGrid's X-Message-Id. */
export async function postMailSend(config: SendgridConfig, body: unknown): Promise<{ statusCode: number; providerMessageId: string | null }> {
  const service = mailService(config);
  try {
    const [response] = await service.client.request({ method: "POST", url: "/v3/mail/send", body: body as object });
    const headers = response.headers as Record<string, string | undefined>;
    accountRefusals.clear(); // accepted again: the next refusal is news
    return { statusCode: response.statusCode, providerMessageId: headers["x-message-id"] ?? null };
  } catch (error) {
    const classified = classify(error);
    if (classified.statusCode !== null && ACCOUNT_REFUSALS.has(classified.statusCode)) reportAccountRefusal(classified, body);
    throw classified;
  }
}

/**
 * Statuses that refuse the account rather than the message: every email fails the same
 * way until an operator acts, and none was accepted, so each stays queued for retry.
 */
const ACCOUNT_REFUSALS = new Set([401, 403]);

/** One log line per kind of refusal per window (the rest are counted), so an outage reads as one clear error. */
const REFUSAL_LOG_WINDOW_MS = 5 * 60_000;
const accountRefusals = new Map<number, { loggedAt: number; requests: number; messages: number }>();

function reportAccountRefusal(error: SendgridSendError, body: unknown, now = Date.now()): void {
  const status = error.statusCode!;
  const messages = (body as { personalizations?: unknown[] } | null)?.personalizations?.length ?? 1;
  const seen = accountRefusals.get(status);
  if (seen && now - seen.loggedAt < REFUSAL_LOG_WINDOW_MS) {
    seen.requests++;
    seen.messages += messages;
    return;
  }
  const earlier = seen?.requests ? ` Since the last report (${new Date(seen.loggedAt).toISOString()}), ${countOf(seen.requests, "more request")} with ${countOf(seen.messages, "email")} were refused the same way.` : "";
  accountRefusals.set(status, { loggedAt: now, requests: 0, messages: 0 });
  const what =
    status === 401
      ? "SendGrid refused the API key (401): SENDGRID_API_KEY was revoked, rotated or mistyped, or belongs to the other data-residency region (SENDGRID_DATA_RESIDENCY)."
      : "SendGrid refused to send for this account (403): the sender address (SENDGRID_FROM_EMAIL) is not a verified Sender Identity, or the API key lacks the Mail Send permission.";
  console.error(
    `[email] ${what} SendGrid said: "${withoutAddressesOrKeys(error.detail)}". No email goes out until this is fixed. Nothing was accepted (${countOf(messages, "email")} in this request): each stays queued and its job retries with backoff.${earlier}`,
  );
}


function classify(error: unknown): SendgridSendError {
  const e = error as { code?: unknown; response?: { headers?: Record<string, string>; body?: unknown }; message?: string; cause?: { code?: string } };
  if (typeof e.code === "number" && e.response) {
    const status = e.code;
    const detail = summarize(e.response.body);
    if (status === 429 || status >= 500 || ACCOUNT_REFUSALS.has(status)) {
      const retryAfter = Number(e.response.headers?.["retry-after"]);
      return new SendgridSendError(`SendGrid ${status}: ${detail}`, "retryable", status, Number.isFinite(retryAfter) ? retryAfter : null, detail);
    }
    return new SendgridSendError(`SendGrid ${status}: ${detail}`, "permanent", status, null, detail);
  }
  const code = typeof e.code === "string" ? e.code : e.cause?.code;
  if (code && NOT_SENT_CODES.has(code)) return new SendgridSendError(`SendGrid unreachable (${code})`, "retryable", null);
  return new SendgridSendError(`SendGrid request outcome unknown (${code ?? e.message ?? "error"})`, "uncertain", null);
}

function summarize(body: unknown): string {
  const errors = (body as { errors?: Array<{ message?: string; field?: string }> } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map((err) => (err.field ? `${err.field}: ${err.message}` : err.message)).join("; ").slice(0, 500);
  return typeof body === "string" ? body.slice(0, 200) : "no detail";
}
