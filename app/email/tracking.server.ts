import { createHmac, timingSafeEqual } from "node:crypto";
import { isbot } from "isbot";
import { pool } from "../db.server";

/**
 * Signed per-message URLs (click redirect, open pixel, unsubscribe) and what the
 * public routes record when they are hit. A token is base64url(JSON) + "." +
 * HMAC-SHA256 under PATHWISE_SECRET, bound to its purpose, so a click token can
 * only ever redirect to the URL it was signed for and cannot be replayed as an
 * unsubscribe token or the other way round.
 */
type Purpose = "click" | "open" | "unsubscribe";

export interface ClickTarget {
  shop: string;
  messageId: string;
  linkId: string;
  url: string;
}
export interface MessageRef {
  shop: string;
  messageId: string;
}

function secret(): string {
  const value = process.env.PATHWISE_SECRET;
  if (!value || value.length < 16) throw new Error("PATHWISE_SECRET (at least 16 characters) is required to sign email links");
  return value;
}

function mac(purpose: Purpose, payload: string): Buffer {
  return createHmac("sha256", secret()).update(`pathwise-email-${purpose}.${payload}`).digest();
}

export function signToken(purpose: Purpose, data: Record<string, string>): string {
  const payload = Buffer.from(JSON.stringify(data)).toString("base64url");
  return `${payload}.${mac(purpose, payload).toString("base64url")}`;
}

export function verifyToken(purpose: Purpose, token: string): Record<string, string> | null {
  const dot = token.indexOf(".");
  if (dot <= 0 || token.length > 8_000) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return data && typeof data === "object" ? data : null;
  } catch {
    return null;
  }
}

export function appUrl(): string {
  const url = process.env.SHOPIFY_APP_URL;
  if (!url) throw new Error("SHOPIFY_APP_URL is required to build email links");
  return url.replace(/\/+$/, "");
}

/** Only http(s) targets are ever signed: no javascript:, data: or mailto: behind a redirect. */
export function isRedirectableUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}

export function clickUrl(target: ClickTarget): string {
  if (!isRedirectableUrl(target.url)) throw new Error(`refusing to wrap a non-http(s) link (${target.linkId})`);
  return `${appUrl()}/t/c/${signToken("click", { s: target.shop, m: target.messageId, l: target.linkId, u: target.url })}`;
}
export function openPixelUrl(ref: MessageRef): string {
  return `${appUrl()}/t/o/${signToken("open", { s: ref.shop, m: ref.messageId })}.gif`;
}
/** Footer link: a confirmation page. The same token with ?one-click is the RFC 8058 POST target. */
export function unsubscribeUrl(ref: MessageRef): string {
  return `${appUrl()}/u/${signToken("unsubscribe", { s: ref.shop, m: ref.messageId })}`;
}
export function oneClickUnsubscribeUrl(ref: MessageRef): string {
  return `${unsubscribeUrl(ref)}?one-click=1`;
}

export function verifyClickToken(token: string): ClickTarget | null {
  const data = verifyToken("click", token);
  if (!data || !data.s || !data.m || !data.u || !isRedirectableUrl(data.u)) return null;
  return { shop: data.s, messageId: data.m, linkId: data.l ?? "", url: data.u };
}
export function verifyOpenToken(token: string): MessageRef | null {
  const data = verifyToken("open", token.replace(/\.gif$/, ""));
  return data?.s && data.m ? { shop: data.s, messageId: data.m } : null;
}
export function verifyUnsubscribeToken(token: string): MessageRef | null {
  const data = verifyToken("unsubscribe", token);
  return data?.s && data.m ? { shop: data.s, messageId: data.m } : null;
}

/**
 * Requests that are not a person: link scanners, Apple Mail Privacy Protection and
 * other proxies that fetch every image on delivery, browser prefetches.
 */
export function isLikelyPrefetch(headers: Headers): boolean {
  const purpose = `${headers.get("purpose") ?? ""} ${headers.get("sec-purpose") ?? ""} ${headers.get("x-purpose") ?? ""} ${headers.get("x-moz") ?? ""}`.toLowerCase();
  if (/prefetch|preview/.test(purpose)) return true;
  const agent = (headers.get("user-agent") ?? "").trim();
  if (!agent) return true;
  // Apple's MPP proxy presents a bare "Mozilla/5.0"; Gmail/Yahoo image proxies name themselves.
  if (agent === "Mozilla/5.0" || /GoogleImageProxy|YahooMailProxy|Outlook-iOS-Android|ms-office|Microsoft Office Protocol Discovery/i.test(agent)) return true;
  return isbot(agent);
}

/** One transparent 1x1 GIF. */
export const PIXEL_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export async function recordClick(target: ClickTarget, userAgent: string | null, prefetch: boolean, at = new Date()): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const updated = await client.query(
      prefetch
        ? `SELECT id FROM email_message WHERE shop = $1 AND id = $2`
        : `UPDATE email_message SET clicked_at = COALESCE(clicked_at, $3::timestamptz), click_count = click_count + 1, updated_at = now()
           WHERE shop = $1 AND id = $2 RETURNING id`,
      prefetch ? [target.shop, target.messageId] : [target.shop, target.messageId, at.toISOString()],
    );
    // A redacted or deleted message still redirects, but nothing is recorded about it.
    if (updated.rows.length) {
      await client.query(
        `INSERT INTO email_click (shop, message_id, link_id, url, user_agent, prefetch, clicked_at) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)`,
        [target.shop, target.messageId, target.linkId.slice(0, 100), target.url, userAgent?.slice(0, 500) ?? null, prefetch, at.toISOString()],
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * An open. A prefetch-like open marks the message's opens unreliable (and sets
 * opened_at only if nothing better exists); a human-looking one always counts.
 */
export async function recordOpen(ref: MessageRef, prefetch: boolean, at = new Date()): Promise<void> {
  await pool.query(
    `UPDATE email_message SET opened_at = COALESCE(opened_at, $3::timestamptz), open_count = open_count + 1,
            open_unreliable = CASE WHEN $4 THEN (opened_at IS NULL OR open_unreliable) ELSE false END, updated_at = now()
     WHERE shop = $1 AND id = $2`,
    [ref.shop, ref.messageId, at.toISOString(), prefetch],
  );
}
