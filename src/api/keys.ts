import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyStore, StoredKey } from "../core/api-key.js";

export type { KeyStore, StoredKey };

/**
 * API keys (design §11): `svcmgr_<id>_<secret>`, both base62; the secret is 43 characters
 * (≥ 32 random bytes). Only the id and the SHA-256 of the secret are stored; a presented
 * secret is compared in constant time. Pure apart from the randomness of `newKey`.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_SHAPE = /^svcmgr_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})$/;
export const KEY_NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex") || "0"}`);
  let out = "";
  while (n > 0n) {
    out = BASE62[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out;
}

/** `length` base62 characters from fresh random bytes (rejection-free: extra bytes, then cut). */
function randomBase62(length: number, bytes: number): string {
  for (;;) {
    const text = base62(randomBytes(bytes));
    if (text.length >= length) return text.slice(0, length);
  }
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new key: the text shown once to its creator, and its id and hash to store. */
export function newKey(): { readonly text: string; readonly id: string; readonly hash: string } {
  const id = randomBase62(12, 10);
  const secret = randomBase62(43, 34); // 34 random bytes ≈ 272 bits; 43 base62 chars keep ≥ 256
  return { text: `svcmgr_${id}_${secret}`, id, hash: hashSecret(secret) };
}

/** The id and secret of a presented key, or null when it does not have a key's shape. */
export function parseKey(text: string): { readonly id: string; readonly secret: string } | null {
  const m = KEY_SHAPE.exec(text);
  return m === null ? null : { id: m[1]!, secret: m[2]! };
}

export type KeyCheck =
  | { readonly ok: true; readonly key: StoredKey }
  | { readonly ok: false; readonly why: "malformed" | "unknown" | "mismatch" | "revoked" | "expired"; readonly key?: StoredKey };

/**
 * Checks a presented key against the store. The hash comparison is constant-time and runs
 * even for an unknown id (against a dummy), so timing tells nothing about which ids exist.
 * `equal` is the comparison of two equal-length hashes (a parameter so tests can see it run).
 */
export function checkKey(text: string, keys: KeyStore, now: number, equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual): KeyCheck {
  const parsed = parseKey(text);
  if (parsed === null) return { ok: false, why: "malformed" };
  const key = keys.find(parsed.id);
  const presented = Buffer.from(hashSecret(parsed.secret), "hex");
  const stored = Buffer.from(key?.hash ?? (dummyHash ??= hashSecret("")), "hex");
  const same = stored.length === presented.length && equal(stored, presented);
  if (key === null) return { ok: false, why: "unknown" };
  if (!same) return { ok: false, why: "mismatch", key };
  if (key.revokedAt !== null) return { ok: false, why: "revoked", key };
  if (key.expiresAt !== null && now >= key.expiresAt) return { ok: false, why: "expired", key };
  return { ok: true, key };
}

/** Compared against when the id is unknown (computed at the first such check, not at load). */
let dummyHash: string | undefined;
