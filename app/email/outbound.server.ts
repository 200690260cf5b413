/**
 * The one way the app sends a marketing email. Every flow calls sendMarketingEmail
 * (or the batch form) with an idempotency key per (flow run, step); this module
 * owns the ledger, the sending rules, tracked links and the SendGrid call.
 *
 * PUBLISHED API (stable; bodies being filled in).
 */

/** What the renderer gets: per-message URLs that are already signed. */
export interface RenderContext {
  /** The ledger row id; also sent to SendGrid in custom_args.pathwise_message_id. */
  messageId: string;
  /** Wraps a target URL in a signed click-tracking redirect (/t/c/<token>). linkId names the link ("cta", "item-1"...). */
  linkWrapper(url: string, linkId: string): string;
  /** 1x1 GIF URL (/t/o/<token>.gif) to put at the end of the HTML body. */
  openPixelUrl: string;
  /** Footer link: a page that confirms, then unsubscribes (GET never unsubscribes by itself). */
  unsubscribeUrl: string;
  /** RFC 8058 one-click target used in the List-Unsubscribe header (POST unsubscribes at once). */
  oneClickUnsubscribeUrl: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  previewText?: string;
}

export interface MarketingEmailRequest {
  shop: string;
  /** Idempotency key, unique per shop: "<flowRunId>:<stepKey>". */
  sendKey: string;
  flowId: string;
  flowRunId: string;
  stepKey: string;
  customerId: string | null;
  email: string;
  locale?: string | null;
  marketing: true;
  render: (ctx: RenderContext) => Promise<RenderedEmail>;
  /** The clock for rules (quiet hours, smart sending); defaults to new Date(). */
  now?: Date;
}

export type SkipReason = "no_consent" | "suppressed" | "smart_sending" | "no_email";

/**
 * - sent: SendGrid accepted it (2xx) now.
 * - captured: no SENDGRID_API_KEY; stored locally and listed on /app/outbox (counts as sent for smart sending).
 * - skipped: a sending rule refused it; final for this sendKey (the same result is returned again).
 * - deferred: quiet hours; nothing was consumed, call again at `until` with the same sendKey.
 * - already_sent: this sendKey was sent/captured before (or is being sent right now by another worker); nothing sent.
 * - uncertain: a previous attempt crashed or lost the connection after the HTTP request started; we do NOT
 *   send again. SendGrid events carrying our message id turn it into "sent" later if it was delivered.
 * - failed: SendGrid refused the message permanently (4xx other than 429); final for this sendKey.
 * Retryable provider errors (429/5xx, connection refused) are thrown as RetryableSendError after the
 * ledger row is put back to "claimed": let the job queue retry with the same sendKey.
 */
export type SendResult =
  | { status: "sent"; messageId: string; providerMessageId: string | null }
  | { status: "captured"; messageId: string }
  | { status: "skipped"; messageId: string; reason: SkipReason }
  | { status: "deferred"; messageId: string; until: Date; reason: "quiet_hours" }
  | { status: "already_sent"; messageId: string }
  | { status: "uncertain"; messageId: string }
  | { status: "failed"; messageId: string; error: string };

/** Thrown when the provider definitely did not accept the message and a later retry is safe. */
export class RetryableSendError extends Error {
  constructor(
    message: string,
    readonly messageId: string,
    readonly statusCode: number | null,
    /** Seconds from a Retry-After header, when the provider gave one. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "RetryableSendError";
  }
}

export async function sendMarketingEmail(request: MarketingEmailRequest): Promise<SendResult> {
  const [result] = await sendMarketingEmailBatch([request]);
  if (result instanceof Error) throw result;
  return result;
}

/**
 * Sends many at once: rows are claimed and rules applied per request; messages whose
 * rendered content is identical apart from the per-recipient URLs go out as one
 * SendGrid request with personalizations + substitutions, others one by one
 * concurrently. Returns one entry per request, in order: a SendResult, or the
 * RetryableSendError for that request (the batch never throws for one recipient).
 */
export async function sendMarketingEmailBatch(requests: MarketingEmailRequest[]): Promise<Array<SendResult | RetryableSendError>> {
  void requests;
  throw new Error("sendMarketingEmailBatch: being implemented");
}
