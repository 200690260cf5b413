import { createHmac, timingSafeEqual } from "node:crypto";
import { isbot } from "isbot";

/**
 * Signed tokens for the URLs inside an email: click-tracking redirects, the open
 * pixel and unsubscribe links. Pure functions of (secret, data): no environment,
 * no clock, no database.
 *
 * Token = base64url(JSON payload) "." base64url(HMAC-SHA256(secret, "pathwise-email/v1/<purpose>." + payload)).
 *  - The purpose is inside the MAC, so a click token can never be used as an
 *    unsubscribe token (or the other way round).
 *  - The payload is signed as the exact string in the URL; any change to it (the
 *    target URL, an id) or to the signature fails verification, compared in
 *    constant time.
 *  - Tokens do not expire: links in a delivered email must keep working.
 *  - Key rotation: sign with one secret; verify with a list (new first, old after).
 *  - The payload is readable (base64, not encrypted), so it carries no email
 *    address: unsubscribe tokens bind the address as a keyed digest.
 */
export type LinkSecret = string | Buffer;
/** One secret, or several during rotation (the first one is used to sign). */
export type LinkSecrets = LinkSecret | readonly LinkSecret[];

type Purpose = "click" | "open" | "unsubscribe";

const MIN_SECRET_BYTES = 32;
/** Longest token we will even try to verify (URLs over ~8 KB break in mail clients anyway). */
export const MAX_TOKEN_LENGTH = 8_000;

export const CLICK_PATH_PREFIX = "/t/c/";
export const OPEN_PATH_PREFIX = "/t/o/";
export const UNSUBSCRIBE_PATH_PREFIX = "/u/";

function secretList(secrets: LinkSecrets): LinkSecret[] {
  const list = (Array.isArray(secrets) ? [...secrets] : [secrets]) as LinkSecret[];
  if (!list.length) throw new Error("at least one link-signing secret is required");
  for (const secret of list) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new Error(`link-signing secrets must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return list;
}

function mac(secret: LinkSecret, purpose: Purpose, payload: string): string {
  return createHmac("sha256", secret).update(`pathwise-email/v1/${purpose}.${payload}`).digest("base64url");
}

function sign(secrets: LinkSecrets, purpose: Purpose, data: unknown): string {
  const payload = Buffer.from(JSON.stringify(data), "utf8").toString("base64url");
  return `${payload}.${mac(secretList(secrets)[0], purpose, payload)}`;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function verify(secrets: LinkSecrets, purpose: Purpose, token: string): unknown {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return null;
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  // Compare the canonical base64url text, not decoded bytes: base64 decoders ignore stray characters.
  if (!secretList(secrets).some((secret) => constantTimeEqual(signature, mac(secret, purpose, payload)))) return null;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** Only absolute http(s) URLs are ever signed or followed: no javascript:, data:, mailto:, relative paths. */
export function isRedirectableUrl(url: unknown): url is string {
  if (typeof url !== "string" || /[\u0000-\u001f\u007f]/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.hostname.length > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Click-tracking redirects: /t/c/<token>

export interface RedirectTarget {
  messageId: string;
  linkId: string;
  /** The exact target the redirect may lead to. */
  url: string;
  /** The shop's domain, so the route can scope its writes without trusting a parameter. */
  shop?: string;
}

/** Path of the signed redirect for one link of one message. Throws on a non-http(s) target. */
export function signRedirect(secrets: LinkSecrets, target: RedirectTarget): string {
  if (!isRedirectableUrl(target.url)) throw new TypeError(`refusing to sign a redirect to a non-http(s) URL (link ${target.linkId})`);
  if (!isNonEmptyString(target.messageId) || !isNonEmptyString(target.linkId)) throw new TypeError("messageId and linkId are required");
  const data: Record<string, string> = { m: target.messageId, l: target.linkId, u: target.url };
  if (target.shop) data.s = target.shop;
  return `${CLICK_PATH_PREFIX}${sign(secrets, "click", data)}`;
}

/**
 * The signed target of a redirect token (the path segment after /t/c/), or null
 * when the token was altered, signed with another secret, or names a target that
 * is not http(s). Redirect only to the returned `url`.
 */
export function verifyRedirect(secrets: LinkSecrets, token: string): RedirectTarget | null {
  const data = verify(secrets, "click", token) as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || !isNonEmptyString(data.m) || !isNonEmptyString(data.l) || !isRedirectableUrl(data.u)) return null;
  return { messageId: data.m, linkId: data.l, url: data.u, ...(isNonEmptyString(data.s) ? { shop: data.s } : {}) };
}

// ---------------------------------------------------------------------------
// Open pixel: /t/o/<token>.gif

export interface OpenPixelRef {
  messageId: string;
  shop?: string;
}

export function signOpenPixel(secrets: LinkSecrets, ref: OpenPixelRef): string {
  if (!isNonEmptyString(ref.messageId)) throw new TypeError("messageId is required");
  return `${OPEN_PATH_PREFIX}${sign(secrets, "open", ref.shop ? { m: ref.messageId, s: ref.shop } : { m: ref.messageId })}.gif`;
}

/** Accepts the token with or without its ".gif" suffix. */
export function verifyOpenPixel(secrets: LinkSecrets, token: string): OpenPixelRef | null {
  const data = verify(secrets, "open", typeof token === "string" ? token.replace(/\.gif$/, "") : token) as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || !isNonEmptyString(data.m)) return null;
  return { messageId: data.m, ...(isNonEmptyString(data.s) ? { shop: data.s } : {}) };
}

/** A transparent 1×1 GIF (43 bytes), served for every pixel request, valid or not. */
export const TRANSPARENT_GIF: Buffer = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

// ---------------------------------------------------------------------------
// Unsubscribe: /u/<token> (footer page) and /u/<token>?one-click=1 (RFC 8058 POST)

export interface UnsubscribeRef {
  shop: string;
  messageId: string;
  /** Shopify customer id (GID or numeric), when known. */
  customerId?: string | null;
  /** The recipient address; stored in the token only as a keyed digest. */
  email?: string | null;
}

export interface VerifiedUnsubscribe {
  shop: string;
  messageId: string;
  customerId: string | null;
  /** Keyed digest of the address the email went to; compare with unsubscribeTokenMatchesEmail. */
  emailDigest: string | null;
}

export function normalizeEmailAddress(email: string): string {
  return email.trim().toLowerCase();
}

function emailDigest(secret: LinkSecret, email: string): string {
  return createHmac("sha256", secret).update(`pathwise-email/v1/address.${normalizeEmailAddress(email)}`).digest("base64url").slice(0, 22);
}

export function signUnsubscribe(secrets: LinkSecrets, ref: UnsubscribeRef): string {
  if (!isNonEmptyString(ref.shop) || !isNonEmptyString(ref.messageId)) throw new TypeError("shop and messageId are required");
  if (!ref.customerId && !ref.email) throw new TypeError("an unsubscribe token binds a customer id or an email address");
  const data: Record<string, string> = { s: ref.shop, m: ref.messageId };
  if (ref.customerId) data.c = ref.customerId;
  if (ref.email) data.e = emailDigest(secretList(secrets)[0], ref.email);
  return sign(secrets, "unsubscribe", data);
}

export function verifyUnsubscribe(secrets: LinkSecrets, token: string): VerifiedUnsubscribe | null {
  const data = verify(secrets, "unsubscribe", token) as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || !isNonEmptyString(data.s) || !isNonEmptyString(data.m)) return null;
  const customerId = isNonEmptyString(data.c) ? data.c : null;
  const digest = isNonEmptyString(data.e) ? data.e : null;
  if (!customerId && !digest) return null;
  return { shop: data.s, messageId: data.m, customerId, emailDigest: digest };
}

/** True when the verified token was issued for this address (under any of the secrets). */
export function unsubscribeTokenMatchesEmail(secrets: LinkSecrets, verified: VerifiedUnsubscribe, email: string): boolean {
  if (!verified.emailDigest) return false;
  return secretList(secrets).some((secret) => constantTimeEqual(verified.emailDigest!, emailDigest(secret, email)));
}

/** Footer link: a confirmation page (GET shows it; a scanner's GET must not unsubscribe). */
export function unsubscribePagePath(token: string): string {
  return `${UNSUBSCRIBE_PATH_PREFIX}${token}`;
}

/** RFC 8058 target for List-Unsubscribe: a POST with body "List-Unsubscribe=One-Click" unsubscribes at once. */
export function oneClickUnsubscribePath(token: string): string {
  return `${UNSUBSCRIBE_PATH_PREFIX}${token}?one-click=1`;
}

/** True for the body an RFC 8058 one-click POST carries (form-encoded). */
export function isOneClickUnsubscribeBody(body: string | URLSearchParams): boolean {
  const params = typeof body === "string" ? new URLSearchParams(body) : body;
  return params.get("List-Unsubscribe") === "One-Click";
}

// ---------------------------------------------------------------------------
// Prefetchers

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function header(headers: HeaderSource, name: string): string {
  if (!headers) return "";
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? "";
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key ? record[key] : undefined;
  return Array.isArray(value) ? value.join(", ") : value ?? "";
}

/** Mail-privacy proxies and scanners that fetch images or links without a person. */
const PREFETCHER_AGENTS = [
  /GoogleImageProxy/i, // Gmail image proxy (ggpht.com)
  /YahooMailProxy/i, // Yahoo / AOL
  /Microsoft Office Protocol Discovery|ms-office|MSOffice \d/i, // Outlook link checks
  /Outlook-Proxy|OutlookImageProxy|BingPreview/i, // Outlook.com image proxy and link previews
  /Barracuda|Mimecast|Proofpoint|Symantec|Trend ?Micro|Forcepoint|ZScaler|SafeLinks/i, // enterprise link scanners
];

/**
 * True when a pixel or click request is most likely not a person reading the email:
 * Apple Mail Privacy Protection (its proxy sends the bare UA "Mozilla/5.0"), Gmail's
 * GoogleImageProxy, YahooMailProxy, Microsoft's proxies and link checkers, security
 * scanners, browser prefetch/preview requests, no User-Agent at all, or any known bot.
 * Count such opens as unreliable rather than dropping them.
 */
export function isLikelyPrefetch(userAgent: string | null | undefined, headers?: HeaderSource): boolean {
  const purpose = ["purpose", "sec-purpose", "x-purpose", "x-moz"].map((name) => header(headers, name)).join(" ").toLowerCase();
  if (/prefetch|preview|prerender/.test(purpose)) return true;
  const agent = (userAgent ?? header(headers, "user-agent")).trim();
  if (!agent) return true;
  if (agent === "Mozilla/5.0") return true; // Apple MPP
  if (PREFETCHER_AGENTS.some((pattern) => pattern.test(agent))) return true;
  return isbot(agent);
}
