import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type pg from "pg";

/**
 * Offline tokens expire (60 minutes) and their refresh tokens rotate: a refresh
 * token works once, and the access token it belonged to stops with it. Workers and
 * web processes all load the shop's offline session; left alone, each would refresh
 * it when it nears expiry, and all but the first would fail with a spent refresh
 * token. So the refresh happens here, one shop at a time across every process (a
 * PostgreSQL advisory lock), before Shopify's library would do it itself (it
 * refreshes within 5 minutes of expiry; this layer within 10): the first process
 * refreshes and stores, the others wait, re-read and find the fresh session.
 */
export const REFRESH_WITHIN_MS = 10 * 60_000;

export type RefreshOfflineToken = (shop: string, refreshToken: string) => Promise<Session>;

export class RefreshingSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly options: { refresh: RefreshOfflineToken; withShopLock: <T>(shop: string, work: () => Promise<T>) => Promise<T>; log?: (line: string) => void },
  ) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    if (!session || !needsRefresh(session)) return session;
    try {
      return await this.options.withShopLock(session.shop, async () => {
        const current = await this.inner.loadSession(id); // another process may have refreshed it meanwhile
        if (!current || !needsRefresh(current)) return current;
        const fresh = await this.options.refresh(current.shop, current.refreshToken!);
        await this.inner.storeSession(fresh);
        return fresh;
      });
    } catch (error) {
      // The library still refreshes a token that is about to expire on its own; until then the old one works.
      this.options.log?.(`could not refresh the offline token of ${session.shop}: ${(error as Error).message}`);
      return session;
    }
  }

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(session);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }
}

function needsRefresh(session: Session): boolean {
  return !session.isOnline && Boolean(session.refreshToken) && Boolean(session.expires) && session.isExpired(REFRESH_WITHIN_MS);
}

/**
 * Runs `work` holding a per-shop advisory lock (transaction-scoped: released on commit,
 * rollback or a lost connection). Waiting is bounded: a webhook acknowledgement can be
 * the load that finds the token due, and Shopify gives it 5 seconds; past the wait the
 * caller keeps the current token, still valid for minutes.
 */
export function advisoryShopLock(pool: pg.Pool, timeoutMs = 3_000) {
  return async <T>(shop: string, work: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${Math.round(timeoutMs)}`);
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`pathwise:offline-token-refresh:${shop}`]);
      const result = await work();
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
}
