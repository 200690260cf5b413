import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

/**
 * A short-lived in-process cache in front of the session table. Every webhook
 * delivery loads the shop's offline session (authenticate.webhook); at thousands
 * of deliveries a second that lookup would dominate the ack path. Only sessions
 * that exist are cached (a missing one is always re-read, so a fresh install is
 * seen at once), writes and deletes through this process invalidate, and entries
 * expire after a few seconds so another process's changes show up quickly.
 */
export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session; expires: number }>();

  constructor(private readonly inner: SessionStorage, private readonly ttlMs = 5_000) {}

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.session;
    const session = await this.inner.loadSession(id);
    if (session) this.cache.set(id, { session, expires: Date.now() + this.ttlMs });
    else this.cache.delete(id);
    return session;
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }

  /** Forget a shop's sessions (uninstall handled in this process). */
  forgetShop(shop: string): void {
    for (const [id, entry] of this.cache) if (entry.session.shop === shop) this.cache.delete(id);
  }
}
