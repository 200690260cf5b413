import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * App Bridge session tokens (HS256 JWTs signed with the app's secret) and
 * Shopify's app proxy signature, as Shopify produces them.
 */
const base64url = (input: Buffer | string) => Buffer.from(input).toString("base64url");

export interface SessionTokenOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** The staff member the token speaks for (`sub`); a fixed merchant id by default. */
  userId?: number | string;
  ttlSeconds?: number;
  /** Issue the token as if at this moment (tests of expiry). */
  now?: Date;
}

export function createSessionToken(options: SessionTokenOptions): string {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: String(options.userId ?? 70_000_001),
    exp: now + (options.ttlSeconds ?? 60),
    nbf: now - 1,
    iat: now - 1,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac("sha256", options.apiSecret).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub?: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid?: string;
}

/**
 * Verifies what Shopify checks on token exchange: HS256 signature with the app's
 * secret, audience = the app's client id, the time window (a few seconds of skew)
 * and that `iss` is the admin of the shop named in `dest`. Returns the claims or null.
 */
export function verifySessionToken(token: string, apiKey: string, apiSecret: string): SessionTokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  let header: { alg?: string };
  let claims: SessionTokenClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString());
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString()) as SessionTokenClaims;
  } catch {
    return null;
  }
  if (header.alg !== "HS256") return null;
  const expected = createHmac("sha256", apiSecret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== apiKey || typeof claims.exp !== "number" || claims.exp < now - 5 || claims.nbf > now + 5) return null;
  const shop = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)$/.exec(claims.dest ?? "")?.[1];
  if (!shop || claims.iss !== `https://${shop}/admin`) return null;
  return claims;
}

/** Adds Shopify's app proxy `signature`: hex HMAC-SHA256 over sorted `key=value` pairs (arrays joined by ","), concatenated. */
export function signAppProxyParams(params: Record<string, string | string[]>, secret: string): Record<string, string | string[]> {
  const message = Object.keys(params)
    .filter((key) => key !== "signature")
    .sort()
    .map((key) => `${key}=${Array.isArray(params[key]) ? (params[key] as string[]).join(",") : params[key]}`)
    .join("");
  return { ...params, signature: createHmac("sha256", secret).update(message).digest("hex") };
}

/** The URL Shopify requests on the app when a shopper opens `https://{shop}/apps/pathwise/{path}`. */
export function appProxyUrl(options: {
  appUrl: string;
  shop: string;
  secret: string;
  path: string;
  query?: Record<string, string | string[]>;
  customerId?: string | null;
  /** Unix seconds; now by default (Shopify's libraries refuse signatures older than 90 s). */
  timestamp?: number;
}): string {
  const params = signAppProxyParams(
    {
      ...(options.query ?? {}),
      shop: options.shop,
      logged_in_customer_id: options.customerId ?? "",
      path_prefix: "/apps/pathwise",
      timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    },
    options.secret,
  );
  // Repeated parameters arrive repeated (`ids=1&ids=2`) and are signed joined (`ids=1,2`).
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  return `${options.appUrl}/apps/pathwise${options.path}?${search.toString()}`;
}
