import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/**
 * Shopify access and refresh tokens are encrypted at rest (AES-256-GCM): a copy of
 * the database, a backup or a read-only SQL leak must not hand out API access to
 * every shop. The stored form is `enc:v1:<key id>:<base64url(iv | tag | ciphertext)>`,
 * bound to the session's id (a token copied onto another session's row does not
 * decrypt). The key id lets keys rotate: new writes use the current key, reads also
 * accept the previous ones. A value without the prefix is a token stored before
 * encryption: it is read as is and encrypted on its next write.
 */
const PREFIX = "enc:v1:";

export interface TokenCipher {
  encrypt(plain: string, boundTo: string): string;
  decrypt(stored: string, boundTo: string): string;
}

interface Key {
  id: string;
  bytes: Buffer;
}

function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync("sha256", secret, "", "pathwise session tokens v1", 32));
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/**
 * From SESSION_ENCRYPTION_KEY (falling back to PATHWISE_SECRET) and, for rotation,
 * SESSION_ENCRYPTION_PREVIOUS_KEYS (comma-separated; read only).
 */
export function tokenCipherFromEnv(env: Record<string, string | undefined> = process.env): TokenCipher {
  const current = env.SESSION_ENCRYPTION_KEY || env.PATHWISE_SECRET;
  const previous = (env.SESSION_ENCRYPTION_PREVIOUS_KEYS ?? "").split(",").map((key) => key.trim()).filter(Boolean);
  return createTokenCipher(current, previous);
}

export function createTokenCipher(current: string | undefined, previous: string[] = []): TokenCipher {
  // Checked on use, not on import: modules that never touch a session load without it.
  const currentKey = () => {
    if (!current || current.length < 16) {
      throw new Error("SESSION_ENCRYPTION_KEY or PATHWISE_SECRET (16+ characters) is required: Shopify tokens are encrypted at rest");
    }
    return deriveKey(current);
  };
  let keys: Map<string, Key> | undefined;
  const keyById = (id: string) => {
    keys ??= new Map([currentKey(), ...previous.map(deriveKey)].map((key) => [key.id, key]));
    return keys.get(id);
  };
  return {
    encrypt(plain, boundTo) {
      const key = currentKey();
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${PREFIX}${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
    },
    decrypt(stored, boundTo) {
      if (!stored.startsWith(PREFIX)) return stored; // stored before encryption
      const rest = stored.slice(PREFIX.length);
      const colon = rest.indexOf(":");
      const key = keyById(rest.slice(0, colon));
      if (colon < 0 || !key) throw new Error("a stored Shopify token was encrypted with a key this process does not have (SESSION_ENCRYPTION_PREVIOUS_KEYS?)");
      const raw = Buffer.from(rest.slice(colon + 1), "base64url");
      if (raw.length < 28) throw new Error("a stored Shopify token is truncated");
      const decipher = createDecipheriv("aes-256-gcm", key.bytes, raw.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}

/** Production entry points call this first: without a key no session could be stored or read. */
export function requireTokenKeyInProduction(env: Record<string, string | undefined> = process.env): void {
  if (env.NODE_ENV === "production" && !(env.SESSION_ENCRYPTION_KEY || env.PATHWISE_SECRET)) {
    throw new Error("PATHWISE_SECRET (or SESSION_ENCRYPTION_KEY) is required in production: it encrypts Shopify tokens at rest and signs email links");
  }
}
