/**
 * The one way the app sends a marketing email. Every flow calls sendMarketingEmail
 * (or the batch form) with an idempotency key per (flow run, step); this module
 * owns the ledger, the sending rules, tracked links and the SendGrid call.
 *
 * Order of work for one request: claim the ledger row (idempotency) -> sending
 * rules (consent, suppression, quiet hours, smart sending) -> render with signed
 * per-message URLs -> claimed->sending under a per-recipient lock -> SendGrid (or
 * local capture when SENDGRID_API_KEY is unset) -> record the outcome.
 */
import { createHash } from "node:crypto";
import { beginSendingMany, claimNewSendsWithFacts, claimSend, markCaptured, markDeferred, markFailed, markRetryable, markSent, markSkipped, markUncertain, type LedgerRow } from "./ledger.server";
import { postMailSend, sendgridConfig, SendgridSendError, type SendgridConfig } from "./sendgrid-client.server";
import { evaluateSendingRules, loadShopSendingContext, type ShopSendingContext } from "./sending-rules.server";
import { decideSend, smartSendingCutoff, type RuleDecision } from "./sending-rules";
import { clickUrl, oneClickUnsubscribeUrl, openPixelUrl, unsubscribeUrl } from "./tracking.server";

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
  /** The shop's IANA time zone (Shopify's ianaTimezone): show every date in the email in it. */
  timeZone: string;
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
  /**
   * "Send me a test" from a flow page, to the merchant's own address at their request:
   * consent, quiet hours and smart sending are for shoppers and do not apply; a
   * suppressed address (bounced, complained) is still refused.
   */
  merchantTest?: boolean;
  render: (ctx: RenderContext) => Promise<RenderedEmail>;
  /** The clock for rules (quiet hours, smart sending); defaults to new Date(). */
  now?: Date;
}

export type SkipReason = "no_consent" | "suppressed" | "smart_sending" | "no_email" | "shop_uninstalled";

/**
 * - sent: SendGrid accepted it (2xx) now.
 * - captured: no SENDGRID_API_KEY; stored locally and listed on /app/outbox (counts as sent for smart sending).
 * - skipped: a sending rule refused it; final for this sendKey (the same result is returned again).
 * - deferred: quiet hours; nothing was consumed, call again at `until` with the same sendKey.
 * - already_sent: this sendKey was sent/captured before (or is being sent right now by another worker); nothing sent.
 * - uncertain: a previous attempt crashed or lost the connection after the HTTP request started; we do NOT
 *   send again. SendGrid events carrying our message id turn it into "sent" later if it was delivered.
 * - failed: SendGrid refused this message permanently (a 4xx about the message or recipient, e.g. a
 *   400 naming a field); final for this sendKey.
 * Retryable provider errors (429/5xx, connection refused, and the account-level 401/403 of a revoked
 * key or an unverified sender) are thrown as RetryableSendError after the ledger row is put back to
 * "claimed": SendGrid accepted nothing, so let the job queue retry with the same sendKey.
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

/** One entry per request of a batch: its SendResult, or the error for that request alone. */
export type BatchItemResult = SendResult | RetryableSendError | Error;

/**
 * Sends many at once: rows are claimed and rules applied per request; messages whose
 * rendered content is identical apart from the per-recipient URLs go out as one
 * SendGrid request with personalizations + substitutions, others one by one
 * concurrently. Returns one entry per request, in order: a SendResult, or the
 * error for that request (RetryableSendError when a retry is safe; any other Error,
 * e.g. from render, leaves the row "claimed" so a retry resumes it). The batch never
 * throws because of one recipient.
 *
 * For batching, render is called with placeholder URLs (substituted per recipient by
 * SendGrid), so a renderer must treat the context's URLs as opaque strings.
 */
export async function sendMarketingEmailBatch(requests: MarketingEmailRequest[]): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = new Array(requests.length);
  const provider = sendgridConfig();
  const contexts = new Map<string, Promise<ShopSendingContext>>();
  const contextFor = (shop: string) => {
    let context = contexts.get(shop);
    if (!context) contexts.set(shop, (context = loadShopSendingContext(shop)));
    return context;
  };
  const placeholders = requests.length > 1 && provider !== null;

  // New send keys are claimed together (one statement for the batch); a key seen before
  // (a retry) is taken over one by one in prepare.
  const fresh = new Array<FreshClaim | null>(requests.length).fill(null);
  const claimable = requests.flatMap((request, index) => (hasAddress(request) ? [index] : []));
  try {
    const claims = await claimNewSendsWithFacts(
      await Promise.all(
        claimable.map(async (index) => {
          const request = requests[index];
          const now = request.now ?? new Date();
          return { input: claimInput(request), now, smartSendingCutoff: smartSendingCutoff((await contextFor(request.shop)).settings.smartSendingHours, now) };
        }),
      ),
    );
    claimable.forEach((requestIndex, i) => (fresh[requestIndex] = claims[i]));
  } catch (error) {
    return requests.map(() => error as Error);
  }

  const ready: Prepared[] = [];
  await mapLimit(requests, CONCURRENCY, async (request, index) => {
    try {
      const outcome = await prepare(request, await contextFor(request.shop), placeholders, fresh[index]);
      if ("status" in outcome) results[index] = outcome;
      else ready.push({ ...outcome, index });
    } catch (error) {
      results[index] = error as Error;
    }
  });

  // Group identical content (per shop) into one personalizations request.
  const groups = new Map<string, Prepared[]>();
  for (const item of ready) {
    const key = placeholders ? contentKey(item) : item.id;
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const chunks: Prepared[][] = [];
  for (const group of groups.values()) for (let i = 0; i < group.length; i += MAX_PERSONALIZATIONS) chunks.push(group.slice(i, i + MAX_PERSONALIZATIONS));

  await mapLimit(chunks, HTTP_CONCURRENCY, async (chunk) => {
    const outcomes = await deliver(chunk, provider);
    chunk.forEach((item, i) => (results[item.index] = outcomes[i]));
  });
  return results;
}

// ---------------------------------------------------------------------------

const CONCURRENCY = Number(process.env.EMAIL_SEND_CONCURRENCY ?? 16);
const HTTP_CONCURRENCY = 8;
const MAX_PERSONALIZATIONS = 1000; // SendGrid's limit per mail/send request
const DEFAULT_FROM_EMAIL = "hello@pathwise.app";

interface Prepared {
  index: number;
  request: MarketingEmailRequest;
  id: string;
  attempts: number;
  now: Date;
  context: ShopSendingContext;
  rendered: RenderedEmail;
  /** The per-recipient values of the placeholders in `rendered` (empty when rendered with real URLs). */
  substitutions: Record<string, string>;
  urls: { unsubscribe: string; oneClick: string };
}

type FreshClaim = Awaited<ReturnType<typeof claimNewSendsWithFacts>>[number];

const hasAddress = (request: MarketingEmailRequest) => Boolean(request.email && request.email.includes("@"));

/** `fresh`: this request's claim from the batch claim, or null when its key existed already (or it has no address). */
async function prepare(
  request: MarketingEmailRequest,
  context: ShopSendingContext,
  placeholders: boolean,
  fresh: FreshClaim,
): Promise<Omit<Prepared, "index"> | SendResult> {
  const now = request.now ?? new Date();
  if (!hasAddress(request)) {
    const claim = await claimSend(claimInput(request), now);
    if (!claim.claimed) return existingResult(claim.row);
    await markSkipped(claim.id, claim.attempts, "no_email");
    return { status: "skipped", messageId: claim.id, reason: "no_email" };
  }
  let id: string;
  let attempts: number;
  let decision: RuleDecision;
  if (fresh) {
    ({ id, attempts } = fresh);
    decision = decideSend(context.settings, fresh.facts, now, context.timezone, { merchantTest: request.merchantTest });
  } else {
    // A retry of this send key: take the row over (or report what happened to it), then check the rules.
    const claim = await claimSend(claimInput(request), now);
    if (!claim.claimed) return existingResult(claim.row);
    ({ id, attempts } = claim);
    decision = await evaluateSendingRules(context, { shop: request.shop, customerId: request.customerId, email: request.email, excludeMessageId: id }, now, { merchantTest: request.merchantTest });
  }
  // Whatever the rules say: no email goes out in the name of a shop that removed the app.
  if (context.uninstalled) decision = { action: "skip", reason: "shop_uninstalled" };
  if (decision.action === "skip") {
    return (await markSkipped(id, attempts, decision.reason)) ? { status: "skipped", messageId: id, reason: decision.reason } : { status: "already_sent", messageId: id };
  }
  if (decision.action === "defer") {
    return (await markDeferred(id, attempts, decision.until))
      ? { status: "deferred", messageId: id, until: decision.until, reason: "quiet_hours" }
      : { status: "already_sent", messageId: id };
  }

  const ref = { shop: request.shop, messageId: id };
  const urls = { unsubscribe: unsubscribeUrl(ref), oneClick: oneClickUnsubscribeUrl(ref) };
  const substitutions: Record<string, string> = {};
  let ctx: RenderContext;
  if (placeholders) {
    let links = 0;
    substitutions["-pwmid-"] = id;
    substitutions["-pwopen-"] = openPixelUrl(ref);
    substitutions["-pwunsub-"] = urls.unsubscribe;
    substitutions["-pwoneclick-"] = urls.oneClick;
    ctx = {
      messageId: "-pwmid-",
      linkWrapper: (url, linkId) => {
        const key = `-pwl${links++}-`;
        substitutions[key] = clickUrl({ shop: request.shop, messageId: id, linkId, url });
        return key;
      },
      openPixelUrl: "-pwopen-",
      unsubscribeUrl: "-pwunsub-",
      oneClickUnsubscribeUrl: "-pwoneclick-",
      timeZone: context.timezone,
    };
  } else {
    ctx = {
      messageId: id,
      linkWrapper: (url, linkId) => clickUrl({ shop: request.shop, messageId: id, linkId, url }),
      openPixelUrl: openPixelUrl(ref),
      unsubscribeUrl: urls.unsubscribe,
      oneClickUnsubscribeUrl: urls.oneClick,
      timeZone: context.timezone,
    };
  }
  const rendered = await request.render(ctx);
  return { request, id, attempts, now, context, rendered, substitutions, urls };
}

function claimInput(request: MarketingEmailRequest) {
  return {
    shop: request.shop,
    sendKey: request.sendKey,
    flowId: request.flowId,
    flowRunId: request.flowRunId,
    stepKey: request.stepKey,
    customerId: request.customerId,
    email: request.email ?? "",
    locale: request.locale ?? null,
  };
}

function existingResult(row: LedgerRow): SendResult {
  switch (row.status) {
    case "sent":
    case "captured":
    case "claimed": // taken over by a concurrent claim
    case "deferred":
      return { status: "already_sent", messageId: row.id };
    case "sending":
    case "uncertain":
      return { status: "uncertain", messageId: row.id };
    case "skipped":
      return { status: "skipped", messageId: row.id, reason: (row.skipReason ?? "no_consent") as SkipReason };
    case "failed":
      return { status: "failed", messageId: row.id, error: row.error ?? "failed" };
  }
}

function substitute(text: string, substitutions: Record<string, string>): string {
  const keys = Object.keys(substitutions);
  if (!keys.length) return text;
  return text.replace(/-pw(?:mid|open|unsub|oneclick|l\d+)-/g, (key) => substitutions[key] ?? key);
}

function contentKey(item: Prepared): string {
  const { rendered, context, request } = item;
  return createHash("sha256")
    .update([request.shop, rendered.subject, rendered.html, rendered.text, context.settings.fromName ?? "", context.settings.replyTo ?? "", request.flowId].join("\u0000"))
    .digest("hex");
}

function listUnsubscribeHeaders(urls: Prepared["urls"]): Record<string, string> {
  return { "List-Unsubscribe": `<${urls.oneClick}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

function customArgs(item: Prepared): Record<string, string> {
  return { pathwise_message_id: item.id, pathwise_shop: item.request.shop, pathwise_flow_id: item.request.flowId, pathwise_step: item.request.stepKey };
}

/** The v3 mail/send body for one group of messages with identical rendered content. */
export function buildMailSendBody(chunk: Prepared[]): Record<string, unknown> {
  const first = chunk[0];
  const single = chunk.length === 1;
  const content = (item: Prepared) => (single ? (value: string) => substitute(value, item.substitutions) : (value: string) => value);
  const render = content(first);
  const { settings, shopName } = first.context;
  return {
    personalizations: chunk.map((item) => ({
      to: [{ email: item.request.email }],
      custom_args: customArgs(item),
      headers: listUnsubscribeHeaders(item.urls),
      ...(single || !Object.keys(item.substitutions).length ? {} : { substitutions: item.substitutions }),
    })),
    from: { email: process.env.SENDGRID_FROM_EMAIL?.trim() || DEFAULT_FROM_EMAIL, name: settings.fromName ?? shopName },
    ...(settings.replyTo ? { reply_to: { email: settings.replyTo } } : {}),
    subject: render(first.rendered.subject),
    content: [
      { type: "text/plain", value: render(first.rendered.text) },
      { type: "text/html", value: render(first.rendered.html) },
    ],
    categories: ["pathwise", first.request.flowId.slice(0, 255)],
    // Our own signed redirects and pixel do the tracking; SendGrid rewriting links would hide the targets.
    tracking_settings: { click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false }, subscription_tracking: { enable: false } },
  };
}

async function deliver(chunk: Prepared[], provider: SendgridConfig | null): Promise<BatchItemResult[]> {
  // Move every row to "sending" (the last check, under the per-recipient lock), then one HTTP call.
  const sending: Prepared[] = [];
  const outcomes = new Map<Prepared, BatchItemResult>();
  const keepHtml = provider === null;
  const states = await beginSendingMany(
    chunk.map((item) => ({
      row: { id: item.id, attempts: item.attempts, shop: item.request.shop, email: item.request.email },
      content: {
        subject: substitute(item.rendered.subject, item.substitutions),
        html: keepHtml ? substitute(item.rendered.html, item.substitutions) : null,
        text: keepHtml ? substitute(item.rendered.text, item.substitutions) : null,
      },
      smartSendingCutoff: smartSendingCutoff(item.context.settings.smartSendingHours, item.now),
      now: item.now,
    })),
  );
  chunk.forEach((item, index) => {
    const state = states[index];
    if (state === "sending") sending.push(item);
    else if (state === "smart_sending") outcomes.set(item, { status: "skipped", messageId: item.id, reason: "smart_sending" });
    else outcomes.set(item, { status: "already_sent", messageId: item.id });
  });

  if (sending.length) {
    if (!provider) {
      for (const item of sending) {
        await markCaptured(item.id, item.now);
        outcomes.set(item, { status: "captured", messageId: item.id });
      }
    } else {
      await postAndRecord(sending, provider, outcomes);
    }
  }
  return chunk.map((item) => outcomes.get(item)!);
}

async function postAndRecord(sending: Prepared[], provider: SendgridConfig, outcomes: Map<Prepared, BatchItemResult>): Promise<void> {
  const ids = sending.map((item) => item.id);
  try {
    const { providerMessageId } = await postMailSend(provider, buildMailSendBody(sending));
    await markSent(ids, providerMessageId, sending[0].now);
    for (const item of sending) outcomes.set(item, { status: "sent", messageId: item.id, providerMessageId });
  } catch (error) {
    if (!(error instanceof SendgridSendError)) throw error;
    if (error.kind === "uncertain") {
      await markUncertain(ids, error.message);
      for (const item of sending) outcomes.set(item, { status: "uncertain", messageId: item.id });
    } else if (error.kind === "retryable") {
      await markRetryable(sending, error.message);
      for (const item of sending) outcomes.set(item, new RetryableSendError(error.message, item.id, error.statusCode, error.retryAfterSeconds));
    } else if (sending.length > 1) {
      // One bad recipient refuses the whole request (account-level refusals are retryable, above,
      // and never get here): nothing was accepted, so send each on its own.
      await markRetryable(sending, error.message);
      for (const item of sending) {
        const [outcome] = await deliver([{ ...item, substitutions: item.substitutions }], provider);
        outcomes.set(item, outcome);
      }
    } else {
      await markFailed(ids, error.message);
      outcomes.set(sending[0], { status: "failed", messageId: sending[0].id, error: error.message });
    }
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index], index);
    }
  });
  await Promise.all(workers);
}
