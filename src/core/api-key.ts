/**
 * API keys as stored (design §11): an id, the SHA-256 of the secret (never the secret), a
 * scope, service globs, expiry and revocation. Scopes nest: `read` ⊂ `run` ⊂ `admin`.
 */
export const SCOPES = ["read", "run", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export interface StoredKey {
  readonly id: string;
  readonly name: string;
  /** Hex SHA-256 of the secret part. */
  readonly hash: string;
  readonly scope: Scope;
  /** Service globs; empty: every service. */
  readonly services: readonly string[];
  readonly createdAt: number;
  /** Epoch ms, or null: never expires. */
  readonly expiresAt: number | null;
  /** Epoch ms, or null: in force. */
  readonly revokedAt: number | null;
  /** Who created it (the CLI's user). */
  readonly createdBy: string;
}

/** Where the daemon finds keys (a file the CLI writes) and notes their last use. */
export interface KeyStore {
  /** The key with this id, as stored now (revoked and expired ones included), or null. */
  find(id: string): StoredKey | null;
  /** Notes a successful use (kept in memory, written in the background). */
  used(id: string, at: number): void;
}
