import { randomUUID } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { createTokenCipher, requireTokenKeyInProduction, tokenCipherFromEnv } from "./token-cipher.server";

const SECRET = "a-sufficiently-long-secret-0123456789";

describe("Shopify tokens encrypted at rest", () => {
  it("round-trips, with a fresh IV each time, and refuses a tampered value, another session's value or an unknown key", () => {
    const cipher = createTokenCipher(SECRET);
    const a = cipher.encrypt("shpat_secret", "offline_a.myshopify.com");
    const b = cipher.encrypt("shpat_secret", "offline_a.myshopify.com");
    expect(a).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(a).not.toContain("shpat_secret");
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a, "offline_a.myshopify.com")).toBe("shpat_secret");
    const flipped = a.slice(0, -2) + (a.at(-2) === "A" ? "B" : "A") + a.at(-1);
    expect(() => cipher.decrypt(flipped, "offline_a.myshopify.com")).toThrow();
    expect(() => cipher.decrypt(a, "offline_b.myshopify.com")).toThrow();
    expect(() => createTokenCipher("another-long-secret-0123456789").decrypt(a, "offline_a.myshopify.com")).toThrow(/key this process does not have/);
    expect(() => cipher.decrypt(a.slice(0, 20), "offline_a.myshopify.com")).toThrow();
  });

  it("reads tokens written before encryption, and rotates keys: new writes use the new key, old values still read", () => {
    const old = createTokenCipher(SECRET);
    const written = old.encrypt("shpat_old", "s1");
    const rotated = tokenCipherFromEnv({ SESSION_ENCRYPTION_KEY: "the-new-key-0123456789abcdef", SESSION_ENCRYPTION_PREVIOUS_KEYS: SECRET });
    expect(rotated.decrypt(written, "s1")).toBe("shpat_old");
    expect(rotated.decrypt("shpat_plain_legacy", "s1")).toBe("shpat_plain_legacy");
    const rewritten = rotated.encrypt("shpat_old", "s1");
    expect(rewritten.split(":")[2]).not.toBe(written.split(":")[2]);
    expect(() => createTokenCipher(undefined).encrypt("x", "s1")).toThrow(/SESSION_ENCRYPTION_KEY or PATHWISE_SECRET/);
    // The web server and the worker refuse to start in production without a key.
    expect(() => requireTokenKeyInProduction({ NODE_ENV: "production" })).toThrow(/PATHWISE_SECRET/);
    expect(() => requireTokenKeyInProduction({ NODE_ENV: "production", SESSION_ENCRYPTION_KEY: "k".repeat(32) })).not.toThrow();
    expect(() => requireTokenKeyInProduction({ NODE_ENV: "development" })).not.toThrow();
  });

  it("keeps the session table free of plain tokens while the app reads them as usual", async () => {
    const { sessionStorage } = await import("../shopify.server");
    const shop = `${randomUUID().slice(0, 8)}.myshopify.com`;
    const session = new Session({ id: `offline_${shop}`, shop, state: "s", isOnline: false, scope: "read_orders", accessToken: "shpat_plain_1", refreshToken: "shprt_plain_1", refreshTokenExpires: new Date(Date.now() + 86_400_000), expires: new Date(Date.now() + 3_600_000) });
    await sessionStorage.storeSession(session);
    expect(session.accessToken).toBe("shpat_plain_1"); // the caller's session is not changed

    const row = await prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.accessToken).toMatch(/^enc:v1:/);
    expect(row.refreshToken).toMatch(/^enc:v1:/);
    expect(JSON.stringify(row)).not.toMatch(/shpat_plain_1|shprt_plain_1/);

    (sessionStorage as unknown as { forgetShop(shop: string): void }).forgetShop(shop); // past the in-process cache
    const loaded = await sessionStorage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_plain_1");
    expect(loaded?.refreshToken).toBe("shprt_plain_1");
    expect((await sessionStorage.findSessionsByShop(shop)).map((s) => s.accessToken)).toEqual(["shpat_plain_1"]);

    // A row from before encryption still works.
    await prisma.session.update({ where: { id: session.id }, data: { accessToken: "shpat_legacy", refreshToken: null } });
    (sessionStorage as unknown as { forgetShop(shop: string): void }).forgetShop(shop);
    expect((await sessionStorage.loadSession(session.id))?.accessToken).toBe("shpat_legacy");
  });
});
