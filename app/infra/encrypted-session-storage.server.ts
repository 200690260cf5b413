import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { TokenCipher } from "./token-cipher.server";

/**
 * Session storage that keeps Shopify's access and refresh tokens encrypted in the
 * table (see token-cipher.server.ts) and hands the library plain sessions.
 */
export class EncryptedSessionStorage implements SessionStorage {
  constructor(private readonly inner: SessionStorage, private readonly cipher: TokenCipher) {}

  async storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.transform(session, (token) => this.cipher.encrypt(token, session.id)));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session && this.open(session);
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((session) => this.open(session));
  }

  private open(session: Session): Session {
    return this.transform(session, (token) => this.cipher.decrypt(token, session.id));
  }

  /** A copy with its tokens passed through `change` (the caller's session is left as it is). */
  private transform(session: Session, change: (token: string) => string): Session {
    const copy = new Session(session.toObject());
    if (copy.accessToken) copy.accessToken = change(copy.accessToken);
    if (copy.refreshToken) copy.refreshToken = change(copy.refreshToken);
    return copy;
  }
}
