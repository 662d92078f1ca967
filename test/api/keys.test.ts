/** The API key format and check (src/api/keys.ts, design §11). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, timingSafeEqual } from "node:crypto";
import { checkKey, hashSecret, newKey, parseKey, type KeyStore, type StoredKey } from "../../src/api/keys.js";

const KEY = /^svcmgr_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})$/;

function stored(over: Partial<StoredKey> & { id: string; hash: string }): StoredKey {
  return { name: "k", scope: "read", services: [], createdAt: 0, expiresAt: null, revokedAt: null, createdBy: "root", ...over };
}

function storeOf(keys: readonly StoredKey[]): KeyStore & { asked: string[] } {
  const asked: string[] = [];
  return { asked, find: (id) => (asked.push(id), keys.find((k) => k.id === id) ?? null), used: () => undefined };
}

describe("API key format", () => {
  test("svcmgr_<12 base62>_<43 base62>: the secret carries at least 256 bits; only its SHA-256 is kept", () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const k = newKey();
      const m = KEY.exec(k.text);
      assert.ok(m !== null, k.text);
      assert.equal(m[1], k.id);
      assert.equal(k.hash, createHash("sha256").update(m[2]!).digest("hex"));
      assert.ok(!k.text.includes(k.hash) && !k.hash.includes(m[2]!), "the stored hash is not the secret");
      for (const c of m[2]!) chars.add(c);
      seen.add(k.text);
      seen.add(k.id);
    }
    assert.equal(seen.size, 4000, "ids and keys never repeat");
    assert.ok(43 * Math.log2(62) >= 256);
    assert.equal(chars.size, 62, "every base62 digit shows up in the secrets (no bias to a subset)");
  });

  test("parseKey accepts only the exact shape", () => {
    const k = newKey();
    assert.deepEqual(parseKey(k.text), { id: k.id, secret: k.text.slice(20) });
    for (const bad of ["", k.text + "x", k.text.slice(0, -1), ` ${k.text}`, k.text.replace("svcmgr_", "svcmgr-"), k.text.replace(/_(?=[^_]*$)/, "-"), k.text.slice(0, -1) + "+", "Bearer " + k.text]) {
      assert.equal(parseKey(bad), null, JSON.stringify(bad));
    }
  });
});

describe("checkKey", () => {
  const good = newKey();
  const other = newKey();
  const keys = [stored({ id: good.id, hash: good.hash, name: "good" })];

  test("the right secret passes; a wrong one, an unknown id, a malformed text do not", () => {
    assert.deepEqual(checkKey(good.text, storeOf(keys), 1), { ok: true, key: keys[0] });
    const wrongSecret = `svcmgr_${good.id}_${other.text.slice(20)}`;
    assert.deepEqual(checkKey(wrongSecret, storeOf(keys), 1), { ok: false, why: "mismatch", key: keys[0] });
    assert.deepEqual(checkKey(other.text, storeOf(keys), 1), { ok: false, why: "unknown" });
    assert.deepEqual(checkKey("svcmgr_nope", storeOf(keys), 1), { ok: false, why: "malformed" });
  });

  test("revoked and expired keys are refused (expiry is the first refused instant), even with the right secret", () => {
    const revoked = [stored({ id: good.id, hash: good.hash, revokedAt: 5 })];
    assert.equal(checkKey(good.text, storeOf(revoked), 1).ok, false);
    assert.equal((checkKey(good.text, storeOf(revoked), 1) as { why: string }).why, "revoked");
    const expiring = [stored({ id: good.id, hash: good.hash, expiresAt: 1000 })];
    assert.equal(checkKey(good.text, storeOf(expiring), 999).ok, true);
    assert.deepEqual(checkKey(good.text, storeOf(expiring), 1000), { ok: false, why: "expired", key: expiring[0] });
  });

  test("a revoked or expired key with a wrong secret is a mismatch: its state is not told to who lacks the secret", () => {
    const revoked = [stored({ id: good.id, hash: good.hash, revokedAt: 5, expiresAt: 1 })];
    assert.equal((checkKey(`svcmgr_${good.id}_${other.text.slice(20)}`, storeOf(revoked), 10) as { why: string }).why, "mismatch");
  });

  test("an unknown id takes the same path: one constant-time comparison of two SHA-256 hashes", () => {
    const calls: Array<[number, number]> = [];
    const equal = (a: Buffer, b: Buffer) => (calls.push([a.length, b.length]), timingSafeEqual(a, b));
    checkKey(other.text, storeOf(keys), 1, equal); // unknown id
    checkKey(`svcmgr_${good.id}_${other.text.slice(20)}`, storeOf(keys), 1, equal); // known id, wrong secret
    checkKey(good.text, storeOf(keys), 1, equal); // right
    assert.deepEqual(calls, [[32, 32], [32, 32], [32, 32]]);
    const store = storeOf(keys);
    checkKey("svcmgr_short", store, 1, equal);
    assert.deepEqual(store.asked, [], "a malformed text never reaches the store");
  });

  test("hashSecret is hex SHA-256", () => {
    assert.equal(hashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
