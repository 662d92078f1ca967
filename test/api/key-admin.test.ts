/** What `svcmgr apikey create|ls|revoke` accept and the key lists they make (src/api/key-admin.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IdTaken, keyRequest, keyViews, withNewKey, withRevoked } from "../../src/api/key-admin.js";
import { NotFoundError, UsageError } from "../../src/core/errors.js";
import type { StoredKey } from "../../src/core/api-key.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const DAY = 86_400_000;

function rejects(input: Parameters<typeof keyRequest>[0], message: RegExp): void {
  assert.throws(() => keyRequest(input, NOW), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message), JSON.stringify(input));
}

describe("apikey create: what is asked", () => {
  test("a scope, service globs and an expiry", () => {
    assert.deepEqual(keyRequest({ name: "ci-1.x_y", scope: "run", services: "web*, prod/svc/db,web*", expires: "30d" }, NOW), {
      name: "ci-1.x_y", scope: "run", services: ["web*", "prod/svc/db"], expiresAt: NOW + 30 * DAY,
    });
    assert.deepEqual(keyRequest({ name: "ro", scope: "read" }, NOW), { name: "ro", scope: "read", services: [], expiresAt: null });
    assert.deepEqual(keyRequest({ name: "ops", scope: "admin", expires: "1w2d" }, NOW).expiresAt, NOW + 9 * DAY);
    assert.deepEqual(keyRequest({ name: "n", scope: "read", services: "ns1/svc/[a-c]?,db[!0-9]" }, NOW).services, ["ns1/svc/[a-c]?", "db[!0-9]"]);
  });

  test("bad names, scopes, globs and durations are usage errors naming the value and what is allowed", () => {
    for (const name of ["", "-x", "a b", "a/b", "x".repeat(65), "ключ", "a:b"]) rejects({ name, scope: "read" }, /^key name ".*": 1 to 64 letters, digits/);
    rejects({ name: "x", scope: undefined }, /^--scope is required: read \(every GET/);
    rejects({ name: "x", scope: "write" }, /^--scope write: expected read .* run .* or admin/);
    rejects({ name: "x", scope: "READ" }, /^--scope READ: expected/);
    rejects({ name: "x", scope: "admin", services: "web*" }, /^--services does not apply to an admin key/);
    rejects({ name: "x", scope: "run", services: "web*,[z-a]" }, /^--services web\*,\[z-a\]: bad glob "\[z-a\]": not a valid set: range out of order/);
    rejects({ name: "x", scope: "run", services: "web[" }, /bad glob "web\[": "\[" at 4 is never closed/);
    rejects({ name: "x", scope: "run", services: "a,,b" }, /bad glob "": an empty glob/);
    rejects({ name: "x", scope: "run", services: "we b" }, /bad glob "we b": service globs are made of letters/);
    rejects({ name: "x", scope: "run", services: "a/b/c/d" }, /at most 3 parts/);
    rejects({ name: "x", scope: "run", services: "(a|b)" }, /service globs are made of/);
    rejects({ name: "x", scope: "read", expires: "90" }, /^--expires 90: expected a duration with a unit, such as 12h, 30d or 1w$/);
    rejects({ name: "x", scope: "read", expires: "soon" }, /^--expires soon: expected a duration/);
    rejects({ name: "x", scope: "read", expires: "0s" }, /^--expires 0s: a key must be valid for some time/);
    rejects({ name: "x", scope: "read", expires: "3651d" }, /^--expires 3651d: at most 3650d; leave --expires out/);
  });
});

describe("apikey create and revoke: the new list of keys", () => {
  const req = keyRequest({ name: "ci", scope: "run", services: "web*" }, NOW);
  const first = withNewKey([], req, { id: "AAAAAAAAAAAA", hash: "h1" }, "alice", NOW);

  test("a new key is added whole, with who created it and when", () => {
    assert.deepEqual(first, [{ id: "AAAAAAAAAAAA", name: "ci", hash: "h1", scope: "run", services: ["web*"], createdAt: NOW, expiresAt: null, revokedAt: null, createdBy: "alice" }]);
  });

  test("a name is never reused, even once its key is revoked; a taken id asks for another draw", () => {
    assert.throws(() => withNewKey(first, req, { id: "BBBBBBBBBBBB", hash: "h2" }, "bob", NOW), /an API key named "ci" already exists; choose another name/);
    const revoked = withRevoked(first, "ci", NOW + 1).keys;
    assert.throws(() => withNewKey(revoked, req, { id: "BBBBBBBBBBBB", hash: "h2" }, "bob", NOW), /already exists \(revoked: names are not reused/);
    assert.throws(() => withNewKey(first, { ...req, name: "other" }, { id: "AAAAAAAAAAAA", hash: "h2" }, "bob", NOW), IdTaken);
  });

  test("revoking keeps the key, stamped; a second revoke changes nothing; an unknown name is not found", () => {
    const two = withNewKey(first, { ...req, name: "ro", scope: "read" }, { id: "BBBBBBBBBBBB", hash: "h2" }, "bob", NOW);
    const r = withRevoked(two, "ci", NOW + 5);
    assert.equal(r.already, false);
    assert.deepEqual(r.keys.map((k) => [k.name, k.revokedAt]), [["ci", NOW + 5], ["ro", null]]);
    const again = withRevoked(r.keys, "ci", NOW + 9);
    assert.equal(again.already, true);
    assert.deepEqual(again.keys, r.keys);
    assert.throws(() => withRevoked(r.keys, "nope", NOW), (e: unknown) => e instanceof NotFoundError && e.message === 'no API key named "nope"; keys in force: ro');
  });
});

describe("apikey ls: what is shown", () => {
  const key = (name: string, over: Partial<StoredKey>): StoredKey => ({
    id: name.padEnd(12, "0"), name, hash: `secret-hash-of-${name}`, scope: "read", services: [], createdAt: NOW, expiresAt: null, revokedAt: null, createdBy: "root", ...over,
  });
  const keys = [
    key("late", { createdAt: NOW + 2 }),
    key("gone", { createdAt: NOW - 2, revokedAt: NOW - 1 }),
    key("old", { createdAt: NOW - 1, expiresAt: NOW }),
    key("live", { createdAt: NOW, expiresAt: NOW + 1, scope: "run", services: ["web*"] }),
  ];

  test("oldest first, with state and last use; revoked keys only with --all; never a hash", () => {
    const views = keyViews(keys, new Map([["live00000000", NOW - 7]]), NOW, false);
    assert.deepEqual(views.map((v) => [v.name, v.state, v.lastUsedAt]), [["old", "expired", null], ["live", "active", NOW - 7], ["late", "active", null]]);
    const all = keyViews(keys, new Map(), NOW, true);
    assert.deepEqual(all.map((v) => [v.name, v.state, v.revokedAt]), [["gone", "revoked", NOW - 1], ["old", "expired", null], ["live", "active", null], ["late", "active", null]]);
    assert.ok(!JSON.stringify(all).includes("secret-hash-of"), "no hash in what ls shows");
    assert.deepEqual(Object.keys(all[0]!).sort(), ["createdAt", "createdBy", "expiresAt", "id", "lastUsedAt", "name", "revokedAt", "scope", "services", "state"]);
  });
});
