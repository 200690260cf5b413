import { afterEach, describe, expect, it, vi } from "vitest";
import { createHmac } from "node:crypto";
import { HashFormat, canonicalizeHeaderName, createSHA256HMAC, getHeader } from "@shopify/shopify-api/runtime";

/**
 * patches/@shopify+shopify-api+15.0.0.patch (applied by patch-package at install) makes
 * two of Shopify's helpers cheaper without changing what they answer: HMAC-SHA256 through
 * node:crypto instead of WebCrypto, and canonical header names remembered. Every webhook
 * delivery and app proxy request goes through both (bench:webhooks).
 */
const secret = "shpss_0123456789abcdef";

async function webCryptoHmac(key: string | Uint8Array<ArrayBuffer>, payload: string): Promise<Buffer> {
  const keyBytes = typeof key === "string" ? new TextEncoder().encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return Buffer.from(await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(payload)));
}

describe("the patched Shopify HMAC", () => {
  afterEach(() => vi.restoreAllMocks());

  it("no longer goes through WebCrypto on Node (the patch is applied)", async () => {
    const sign = vi.spyOn(crypto.subtle, "sign");
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    await createSHA256HMAC(secret, '{"id":1}', HashFormat.Base64);
    expect(sign).not.toHaveBeenCalled();
    expect(importKey).not.toHaveBeenCalled();
  });

  it.each([
    ["an order body", JSON.stringify({ id: 820982911946154500, email: "jon@example.com", note: null })],
    ["multi-byte UTF-8 (Korean, Thai, emoji)", JSON.stringify({ title: "파티 풍선 ลูกโป่ง 🎉" })],
    ["a lone surrogate (encoded as U+FFFD either way)", '{"x":"\ud800"}'],
    ["an empty body", ""],
  ])("answers what WebCrypto answers for %s, base64 and hex", async (_label, payload) => {
    const expected = await webCryptoHmac(secret, payload);
    expect(await createSHA256HMAC(secret, payload, HashFormat.Base64)).toBe(expected.toString("base64"));
    expect(await createSHA256HMAC(secret, payload, HashFormat.Hex)).toBe(expected.toString("hex"));
    // What Shopify signs with: node's HMAC of the same bytes.
    expect(await createSHA256HMAC(secret, payload)).toBe(createHmac("sha256", secret).update(payload, "utf8").digest("base64"));
  });

  it("takes a key given as bytes, as the library allows", async () => {
    const keyBytes = new Uint8Array([0, 1, 2, 250, 251, 252]);
    const expected = await webCryptoHmac(keyBytes, "payload");
    expect(await createSHA256HMAC(keyBytes as unknown as string, "payload", HashFormat.Hex)).toBe(expected.toString("hex"));
  });
});

describe("the patched header-name canonicalisation", () => {
  it("answers as before, also when asked again", () => {
    const cases: Array<[string, string]> = [
      ["x-shopify-hmac-sha256", "X-Shopify-Hmac-Sha256"],
      ["X-SHOPIFY-TOPIC", "X-Shopify-Topic"],
      ["content-type", "Content-Type"],
      ["shopify-event-id", "Shopify-Event-Id"],
      ["x_odd--name", "X_odd--Name"],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [name, canonical] of cases) expect(canonicalizeHeaderName(name)).toBe(canonical);
    }
  });

  it("stays correct past the bound on remembered names (names come from requests)", () => {
    for (let i = 0; i < 2_500; i++) expect(canonicalizeHeaderName(`x-custom-${i}-header`)).toBe(`X-Custom-${i}-Header`);
    expect(getHeader({ "x-shopify-topic": "orders/create" }, "X-Shopify-Topic")).toBe("orders/create");
  });

  it("still remembers the names that repeat after a client has sent thousands of made-up ones", () => {
    for (let i = 0; i < 2_500; i++) canonicalizeHeaderName(`x-made-up-${i}`);
    canonicalizeHeaderName("x-shopify-webhook-id");
    const replace = vi.spyOn(String.prototype, "replace");
    try {
      expect(canonicalizeHeaderName("x-shopify-webhook-id")).toBe("X-Shopify-Webhook-Id");
      expect(replace).not.toHaveBeenCalled();
    } finally {
      replace.mockRestore();
    }
  });
});
