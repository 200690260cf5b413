import { afterEach, describe, expect, it, vi } from "vitest";
import { Session } from "@shopify/shopify-api";
import { MemorySessionStorage } from "@shopify/shopify-app-session-storage-memory";
import { CachedSessionStorage } from "./cached-session-storage.server";

/** Shopify's memory storage, counting reads and letting a test hold them open. */
class CountingStorage extends MemorySessionStorage {
  reads = 0;
  gate: Promise<void> | null = null;
  async loadSession(id: string) {
    this.reads++;
    const session = await super.loadSession(id);
    if (this.gate) await this.gate;
    return session;
  }
}

const session = (token: string) => new Session({ id: "offline_a.myshopify.com", shop: "a.myshopify.com", state: "s", isOnline: false, accessToken: token });

describe("CachedSessionStorage", () => {
  it("serves concurrent misses for one session from one read, then from the cache", async () => {
    const inner = new CountingStorage();
    await inner.storeSession(session("t1"));
    const cached = new CachedSessionStorage(inner);
    const loaded = await Promise.all(Array.from({ length: 32 }, () => cached.loadSession("offline_a.myshopify.com")));
    expect(inner.reads).toBe(1);
    expect(loaded.every((s) => s?.accessToken === "t1")).toBe(true);
    await cached.loadSession("offline_a.myshopify.com");
    expect(inner.reads).toBe(1);
  });

  it("does not cache a read that a write through it overtook", async () => {
    const inner = new CountingStorage();
    await inner.storeSession(session("old"));
    const cached = new CachedSessionStorage(inner);
    let open!: () => void;
    inner.gate = new Promise((resolve) => (open = resolve));
    const inFlight = cached.loadSession("offline_a.myshopify.com");
    await new Promise((resolve) => setImmediate(resolve));
    await cached.storeSession(session("new"));
    open();
    inner.gate = null;
    expect((await inFlight)?.accessToken).toBe("old");
    expect((await cached.loadSession("offline_a.myshopify.com"))?.accessToken).toBe("new");
  });

  describe("in an entry's last second", () => {
    afterEach(() => vi.useRealTimers());

    // A 5 s entry read at 12:00:00, re-read ahead in its last second.
    async function cachedAtNoon() {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2026-12-03T12:00:00Z"));
      const inner = new CountingStorage();
      await inner.storeSession(session("t1"));
      const cached = new CachedSessionStorage(inner, 5_000, 1_000);
      await cached.loadSession("offline_a.myshopify.com");
      return { inner, cached };
    }

    it("answers from the cache at once and re-reads in the background, so deliveries never wait at expiry", async () => {
      const { inner, cached } = await cachedAtNoon();
      expect(inner.reads).toBe(1);

      // 4.5 s later the token has changed in the database (another process refreshed it),
      // and the read is slow: the deliveries in flight are answered from the cache anyway.
      await inner.storeSession(session("t2"));
      let open!: () => void;
      inner.gate = new Promise((resolve) => (open = resolve));
      vi.setSystemTime(new Date("2026-12-03T12:00:04.500Z"));
      const answered = await Promise.race([
        Promise.all(Array.from({ length: 8 }, () => cached.loadSession("offline_a.myshopify.com"))),
        new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 200)),
      ]);
      expect(answered).not.toBe("waited");
      expect((answered as Array<Session | undefined>).map((s) => s?.accessToken)).toEqual(Array(8).fill("t1"));
      expect(inner.reads).toBe(2); // one background read for all of them

      open();
      inner.gate = null;
      await new Promise((resolve) => setTimeout(resolve, 10));
      // Past the first entry's expiry: the re-read one serves, with no read of its own.
      vi.setSystemTime(new Date("2026-12-03T12:00:05.500Z"));
      expect((await cached.loadSession("offline_a.myshopify.com"))?.accessToken).toBe("t2");
      expect(inner.reads).toBe(2);
    });

    it("drops the entry when the background read finds the session gone (uninstalled through another process)", async () => {
      const { inner, cached } = await cachedAtNoon();
      await inner.deleteSession("offline_a.myshopify.com");
      vi.setSystemTime(new Date("2026-12-03T12:00:04.500Z"));
      expect((await cached.loadSession("offline_a.myshopify.com"))?.accessToken).toBe("t1");
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await cached.loadSession("offline_a.myshopify.com")).toBeUndefined();
    });
  });

  it("re-reads a missing session every time (a fresh install is seen at once)", async () => {
    const inner = new CountingStorage();
    const cached = new CachedSessionStorage(inner);
    expect(await cached.loadSession("offline_a.myshopify.com")).toBeUndefined();
    await inner.storeSession(session("t1"));
    expect((await cached.loadSession("offline_a.myshopify.com"))?.accessToken).toBe("t1");
  });
});
