import { describe, expect, it } from "vitest";
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

  it("re-reads a missing session every time (a fresh install is seen at once)", async () => {
    const inner = new CountingStorage();
    const cached = new CachedSessionStorage(inner);
    expect(await cached.loadSession("offline_a.myshopify.com")).toBeUndefined();
    await inner.storeSession(session("t1"));
    expect((await cached.loadSession("offline_a.myshopify.com"))?.accessToken).toBe("t1");
  });
});
