import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  isLikelyPrefetch,
  isOneClickUnsubscribeBody,
  isRedirectableUrl,
  oneClickUnsubscribePath,
  signOpenPixel,
  signRedirect,
  signUnsubscribe,
  TRANSPARENT_GIF,
  unsubscribePagePath,
  unsubscribeTokenMatchesEmail,
  verifyOpenPixel,
  verifyRedirect,
  verifyUnsubscribe,
} from "./links";

const SECRET = "test-secret-0123456789abcdef-0123456789";
const OTHER = "other-secret-0123456789abcdef-012345678";
const target = { messageId: "msg_01", linkId: "recover", url: "https://confetti.example/checkouts/abc/recover?key=k1&utm=x#top", shop: "confetti.myshopify.com" };
const tokenOf = (path: string, prefix: string) => {
  expect(path.startsWith(prefix)).toBe(true);
  return path.slice(prefix.length);
};

/** Re-sign a forged payload the way a token is built, but with a key we choose. */
function forge(payload: object, secret: string, purpose = "click") {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${createHmac("sha256", secret).update(`pathwise-email/v1/${purpose}.${body}`).digest("base64url")}`;
}

describe("click redirects", () => {
  it("round-trips the exact target, with URL-safe tokens", () => {
    const token = tokenOf(signRedirect(SECRET, target), "/t/c/");
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyRedirect(SECRET, token)).toEqual(target);
    const noShop = tokenOf(signRedirect(SECRET, { messageId: "m", linkId: "item-1", url: "http://shop.example/p" }), "/t/c/");
    expect(verifyRedirect(SECRET, noShop)).toEqual({ messageId: "m", linkId: "item-1", url: "http://shop.example/p" });
  });

  it("refuses a changed URL, a changed id, a truncated or altered signature and the wrong secret", () => {
    const token = tokenOf(signRedirect(SECRET, target), "/t/c/");
    const [payload, signature] = token.split(".");
    const data = JSON.parse(Buffer.from(payload, "base64url").toString());
    const reencode = (changed: object) => `${Buffer.from(JSON.stringify(changed)).toString("base64url")}.${signature}`;

    expect(verifyRedirect(SECRET, reencode({ ...data, u: "https://evil.example/phish" }))).toBeNull();
    expect(verifyRedirect(SECRET, reencode({ ...data, m: "msg_02" }))).toBeNull();
    expect(verifyRedirect(SECRET, reencode({ ...data, l: "item-9" }))).toBeNull();
    expect(verifyRedirect(SECRET, `${payload}.${signature.slice(0, -1)}`)).toBeNull();
    expect(verifyRedirect(SECRET, `${payload}.${signature.slice(0, 20)}`)).toBeNull();
    expect(verifyRedirect(SECRET, `${payload}.`)).toBeNull();
    expect(verifyRedirect(SECRET, payload)).toBeNull();
    expect(verifyRedirect(SECRET, `${payload}.${signature}=`)).toBeNull(); // decoders would ignore it; we do not
    expect(verifyRedirect(SECRET, `${payload}.${signature}.x`)).toBeNull();
    const flipped = signature[0] === "A" ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(verifyRedirect(SECRET, `${payload}.${flipped}`)).toBeNull();
    expect(verifyRedirect(OTHER, token)).toBeNull();
    expect(verifyRedirect(SECRET, forge(data, OTHER))).toBeNull();
    expect(verifyRedirect(SECRET, "")).toBeNull();
    expect(verifyRedirect(SECRET, "x".repeat(9_000))).toBeNull();
  });

  it("only signs and only follows http(s) targets", () => {
    for (const url of ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "mailto:a@b.c", "//evil.example", "/relative", "ftp://x.example/", "https://ok.example/\nSet-Cookie:x"]) {
      expect(isRedirectableUrl(url), url).toBe(false);
      expect(() => signRedirect(SECRET, { ...target, url }), url).toThrow(TypeError);
      // Even a correctly signed token naming such a target is refused.
      expect(verifyRedirect(SECRET, forge({ m: "m", l: "l", u: url }, SECRET)), url).toBeNull();
    }
    expect(verifyRedirect(SECRET, forge({ m: "m", l: "l", u: "https://fine.example/" }, SECRET))?.url).toBe("https://fine.example/");
  });

  it("keeps purposes apart: an open or unsubscribe token is not a redirect", () => {
    const open = tokenOf(signOpenPixel(SECRET, { messageId: "msg_01" }), "/t/o/").replace(/\.gif$/, "");
    expect(verifyRedirect(SECRET, open)).toBeNull();
    const forgedAsUnsubscribe = forge({ m: "m", l: "l", u: "https://evil.example" }, SECRET, "unsubscribe");
    expect(verifyRedirect(SECRET, forgedAsUnsubscribe)).toBeNull();
    const click = tokenOf(signRedirect(SECRET, target), "/t/c/");
    expect(verifyUnsubscribe(SECRET, click)).toBeNull();
  });

  it("verifies with any secret of a rotation list and signs with the first", () => {
    const old = tokenOf(signRedirect(OTHER, target), "/t/c/");
    expect(verifyRedirect([SECRET, OTHER], old)).toEqual(target);
    const fresh = tokenOf(signRedirect([SECRET, OTHER], target), "/t/c/");
    expect(verifyRedirect(SECRET, fresh)).toEqual(target);
    expect(() => signRedirect("short", target)).toThrow(/32 bytes/);
  });
});

describe("open pixel", () => {
  it("signs a message id into /t/o/<token>.gif and rejects tampering", () => {
    const path = signOpenPixel(SECRET, { messageId: "msg_01", shop: "confetti.myshopify.com" });
    expect(path).toMatch(/^\/t\/o\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.gif$/);
    const file = tokenOf(path, "/t/o/");
    expect(verifyOpenPixel(SECRET, file)).toEqual({ messageId: "msg_01", shop: "confetti.myshopify.com" });
    expect(verifyOpenPixel(SECRET, file.replace(/\.gif$/, ""))).toEqual({ messageId: "msg_01", shop: "confetti.myshopify.com" });
    expect(verifyOpenPixel(OTHER, file)).toBeNull();
    expect(verifyOpenPixel(SECRET, file.replace(/^./, (c) => (c === "e" ? "f" : "e")))).toBeNull();
  });

  it("serves a real 1×1 transparent GIF", () => {
    expect(TRANSPARENT_GIF.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    expect(TRANSPARENT_GIF.readUInt16LE(6)).toBe(1); // width
    expect(TRANSPARENT_GIF.readUInt16LE(8)).toBe(1); // height
    expect(TRANSPARENT_GIF.includes(Buffer.from([0x21, 0xf9, 0x04, 0x01]))).toBe(true); // graphic control extension, transparency flag set
    expect(TRANSPARENT_GIF[TRANSPARENT_GIF.length - 1]).toBe(0x3b); // trailer
  });
});

describe("unsubscribe tokens", () => {
  const ref = { shop: "confetti.myshopify.com", messageId: "msg_01", customerId: "gid://shopify/Customer/42", email: "Ann@Example.com " };

  it("bind shop, message and customer, and the address only as a digest", () => {
    const token = signUnsubscribe(SECRET, ref);
    expect(Buffer.from(token.split(".")[0], "base64url").toString()).not.toMatch(/ann|example/i);
    const verified = verifyUnsubscribe(SECRET, token)!;
    expect(verified).toMatchObject({ shop: ref.shop, messageId: "msg_01", customerId: "gid://shopify/Customer/42" });
    expect(unsubscribeTokenMatchesEmail(SECRET, verified, "ann@example.com")).toBe(true);
    expect(unsubscribeTokenMatchesEmail(SECRET, verified, "bob@example.com")).toBe(false);
    expect(unsubscribePagePath(token)).toBe(`/u/${token}`);
    expect(oneClickUnsubscribePath(token)).toBe(`/u/${token}?one-click=1`);
  });

  it("rejects tampering with the shop, message or customer, and the wrong secret", () => {
    const token = signUnsubscribe(SECRET, ref);
    const [payload, signature] = token.split(".");
    const data = JSON.parse(Buffer.from(payload, "base64url").toString());
    for (const changed of [{ ...data, s: "other.myshopify.com" }, { ...data, m: "msg_02" }, { ...data, c: "gid://shopify/Customer/43" }]) {
      expect(verifyUnsubscribe(SECRET, `${Buffer.from(JSON.stringify(changed)).toString("base64url")}.${signature}`)).toBeNull();
    }
    expect(verifyUnsubscribe(OTHER, token)).toBeNull();
    expect(verifyUnsubscribe(SECRET, token.slice(0, -2))).toBeNull();
    expect(() => signUnsubscribe(SECRET, { shop: "s", messageId: "m" })).toThrow(/customer id or an email/);
  });

  it("recognises the RFC 8058 one-click POST body", () => {
    expect(isOneClickUnsubscribeBody("List-Unsubscribe=One-Click")).toBe(true);
    expect(isOneClickUnsubscribeBody(new URLSearchParams({ "List-Unsubscribe": "One-Click" }))).toBe(true);
    expect(isOneClickUnsubscribeBody("")).toBe(false);
    expect(isOneClickUnsubscribeBody("List-Unsubscribe=Other")).toBe(false);
  });
});

describe("isLikelyPrefetch", () => {
  const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
  const iphoneMail = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

  it("flags mail privacy proxies and scanners", () => {
    expect(isLikelyPrefetch("Mozilla/5.0")).toBe(true); // Apple Mail Privacy Protection
    expect(isLikelyPrefetch("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")).toBe(true);
    expect(isLikelyPrefetch("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html")).toBe(true);
    expect(isLikelyPrefetch("Microsoft Office Protocol Discovery")).toBe(true);
    expect(isLikelyPrefetch("Mozilla/5.0 (compatible; BingPreview/1.0b)")).toBe(true);
    expect(isLikelyPrefetch("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).toBe(true);
    expect(isLikelyPrefetch("")).toBe(true);
    expect(isLikelyPrefetch(null, {})).toBe(true);
  });

  it("flags browser prefetch and preview requests by their headers", () => {
    expect(isLikelyPrefetch(chrome, new Headers({ "sec-purpose": "prefetch;prerender" }))).toBe(true);
    expect(isLikelyPrefetch(chrome, { Purpose: "prefetch" })).toBe(true);
    expect(isLikelyPrefetch(chrome, { "X-Purpose": ["preview"] })).toBe(true);
  });

  it("counts people", () => {
    expect(isLikelyPrefetch(chrome, new Headers())).toBe(false);
    expect(isLikelyPrefetch(iphoneMail)).toBe(false);
    expect(isLikelyPrefetch(null, new Headers({ "user-agent": chrome }))).toBe(false);
  });
});
