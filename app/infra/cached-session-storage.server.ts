import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

/**
 * A short-lived in-process cache in front of the session table. Every webhook
 * delivery loads the shop's offline session (authenticate.webhook); at thousands
 * of deliveries a second that lookup would dominate the ack path. Only sessions
 * that exist are cached (a missing one is always re-read, so a fresh install is
 * seen at once), writes and deletes through this process invalidate, and entries
 * expire after a few seconds so another process's changes show up quickly. An entry
 * still in use in its last second is re-read in the background, so a shop receiving
 * deliveries never waits for that read: at expiry every delivery in flight did, and
 * under load the read took 3-25 ms (bench:webhooks' open loop, every 5 s).
 */
export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session; expires: number }>();
  private readonly loading = new Map<string, Promise<Session | undefined>>();
  private generation = 0;

  constructor(
    private readonly inner: SessionStorage,
    private readonly ttlMs = 5_000,
    private readonly refreshAheadMs = 1_000,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    this.invalidate(session.id);
    return this.inner.storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && hit.expires > now) {
      // A failed background read changes nothing: the entry expires and the next
      // delivery reads in the foreground, where a failure is seen.
      if (hit.expires - now <= this.refreshAheadMs && !this.loading.has(id)) this.read(id).catch(() => {});
      return hit.session;
    }
    // When an entry expires, every delivery in flight for that shop misses at once: they
    // share one read instead of each taking a pool connection for the same row.
    return this.loading.get(id) ?? this.read(id);
  }

  private read(id: string): Promise<Session | undefined> {
    const generation = this.generation;
    const load = this.inner
      .loadSession(id)
      .then((session) => {
        // A write or delete through this process during the read wins over what was read.
        if (generation === this.generation) {
          if (session) this.cache.set(id, { session, expires: Date.now() + this.ttlMs });
          else this.cache.delete(id);
        }
        return session;
      })
      .finally(() => {
        if (this.loading.get(id) === load) this.loading.delete(id);
      });
    this.loading.set(id, load);
    return load;
  }

  async deleteSession(id: string): Promise<boolean> {
    this.invalidate(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.invalidate(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }

  /** Forget a shop's sessions (uninstall handled in this process). */
  forgetShop(shop: string): void {
    for (const [id, entry] of this.cache) if (entry.session.shop === shop) this.cache.delete(id);
    this.generation++;
    this.loading.clear();
  }

  private invalidate(id: string) {
    this.cache.delete(id);
    this.loading.delete(id);
    this.generation++;
  }
}
