/** The API keys file (src/platform/api-key-file.ts): written whole, read fail-closed, changed under a lock. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyFileAccess, readKeyFile, readLastUse, watchedKeyStore, writeKeyFile } from "../../src/platform/api-key-file.js";
import { SvcmgrError } from "../../src/core/errors.js";
import type { StoredKey } from "../../src/core/api-key.js";

const moduleUrl = new URL("../../src/platform/api-key-file.ts", import.meta.url).pathname;

function files(t: { after: (fn: () => void) => void }): { keys: string; lastUse: string; dir: string } {
  const parent = mkdtempSync(join(tmpdir(), "svcmgr-keys-"));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, "var");
  mkdirSync(dir);
  return { dir, keys: join(dir, "apikeys.json"), lastUse: join(dir, "apikeys-used.json") };
}

function key(name: string, over: Partial<StoredKey> = {}): StoredKey {
  return { id: name.padEnd(12, "0").slice(0, 12), name, hash: "ab".repeat(32), scope: "read", services: [], createdAt: 1, expiresAt: null, revokedAt: null, createdBy: "root", ...over };
}

describe("keys file", () => {
  test("written whole with mode 0600 and read back; a missing file has no key", (t) => {
    const f = files(t);
    assert.deepEqual(readKeyFile(f.keys), { keys: [] });
    const keys = [key("a", { scope: "run", services: ["web*"], expiresAt: 9 }), key("b", { revokedAt: 5 })];
    writeKeyFile(f.keys, { keys });
    assert.equal(statSync(f.keys).mode & 0o777, 0o600);
    assert.deepEqual(readKeyFile(f.keys), { keys });
  });

  test("a damaged file is an error naming the file and what is wrong", (t) => {
    const f = files(t);
    const good = JSON.parse(JSON.stringify({ version: 1, keys: [key("a")] })) as { version: number; keys: Array<Record<string, unknown>> };
    const cases: Array<[string, RegExp]> = [
      ["{not json", /apikeys\.json: not JSON \(/],
      ["null", /apikeys\.json: not an svcmgr API keys file \(version 1\)/],
      [JSON.stringify({ ...good, version: 2 }), /not an svcmgr API keys file/],
      [JSON.stringify({ version: 1, keys: [null] }), /apikeys\.json: key 1: not an object/],
      [JSON.stringify({ version: 1, keys: [{ ...good.keys[0], scope: "root" }] }), /key 1: unknown scope "root"/],
      [JSON.stringify({ version: 1, keys: [{ ...good.keys[0], services: "web*" }] }), /key 1: "services" is not a list of globs/],
      [JSON.stringify({ version: 1, keys: [good.keys[0], { ...good.keys[0], services: ["[z-a]"] }] }), /key 2: bad service glob "\[z-a\]": not a valid set/],
      [JSON.stringify({ version: 1, keys: [{ ...good.keys[0], hash: 7 }] }), /key 1: "hash" is not a string/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(f.keys, text);
      assert.throws(() => readKeyFile(f.keys), message, text);
    }
  });
});

describe("the daemon's view of the keys file", () => {
  test("a change shows at the next lookup: a new key, a revocation", (t) => {
    const f = files(t);
    const store = watchedKeyStore(f, () => assert.fail("no error expected"));
    t.after(() => store.close());
    assert.equal(store.find("a00000000000"), null);
    writeKeyFile(f.keys, { keys: [key("a")] });
    assert.equal(store.find("a00000000000")?.revokedAt, null);
    writeKeyFile(f.keys, { keys: [key("a", { revokedAt: 7 })] });
    assert.equal(store.find("a00000000000")?.revokedAt, 7);
  });

  test("a bad file refuses every key (fail closed), and says why once, not at every request", (t) => {
    const f = files(t);
    const errors: string[] = [];
    const store = watchedKeyStore(f, (m) => errors.push(m));
    t.after(() => store.close());
    writeKeyFile(f.keys, { keys: [key("a")] });
    assert.notEqual(store.find("a00000000000"), null);
    writeFileSync(f.keys, JSON.stringify({ version: 1, keys: [key("a"), { ...key("b"), scope: "everything" }] }));
    for (let i = 0; i < 5; i++) assert.equal(store.find("a00000000000"), null, "the good key in a bad file is refused too");
    assert.deepEqual(errors, [`API keys unusable, every key refused: ${f.keys}: key 2: unknown scope "everything"`]);
    writeKeyFile(f.keys, { keys: [key("a")] });
    assert.notEqual(store.find("a00000000000"), null, "fixed: the keys work again");
    writeFileSync(f.keys, "{");
    assert.equal(store.find("a00000000000"), null);
    store.find("a00000000000");
    assert.equal(errors.length, 2, "a new problem is said again, once");
    assert.match(errors[1]!, /not JSON/);
  });

  test("last uses are written (mode 0600) when the store closes, and read back", (t) => {
    const f = files(t);
    const store = watchedKeyStore(f, (m) => assert.fail(m));
    store.used("a00000000000", 1234);
    store.used("a00000000000", 5678);
    store.close();
    assert.deepEqual(readLastUse(f.lastUse), new Map([["a00000000000", 5678]]));
    assert.equal(statSync(f.lastUse).mode & 0o777, 0o600);
    writeFileSync(f.lastUse, "garbage");
    assert.deepEqual(readLastUse(f.lastUse), new Map(), "an unreadable last-use file is no last use, not an error");
  });
});

describe("changing the keys (svcmgr apikey)", () => {
  test("concurrent changes from several processes never lose a key", async (t) => {
    const f = files(t);
    const workers = 4;
    const rounds = 25;
    const body = (w: number) => `import { keyFileAccess } from ${JSON.stringify(moduleUrl)};
      const access = keyFileAccess(${JSON.stringify({ keys: f.keys, lastUse: f.lastUse })});
      for (let i = 0; i < ${rounds}; i++) access.update((keys) => ({ keys: [...keys, { id: "w${w}-" + i, name: "w${w}-" + i, hash: "00", scope: "read", services: [], createdAt: i, expiresAt: null, revokedAt: null, createdBy: "t" }], result: null }));`;
    const runs = Array.from({ length: workers }, (_, w) => new Promise<number | null>((resolve) => spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body(w)], { stdio: "inherit" }).once("exit", resolve)));
    assert.deepEqual(await Promise.all(runs), Array(workers).fill(0));
    const names = readKeyFile(f.keys).keys.map((k) => k.name);
    assert.equal(new Set(names).size, workers * rounds, `${workers * rounds - new Set(names).size} key(s) lost`);
  });

  test("a damaged file is an error (exit 2) naming it, and a change leaves it as it was", (t) => {
    const f = files(t);
    const access = keyFileAccess(f);
    writeFileSync(f.keys, '{"version": 1, "keys": [');
    const damaged = (e: unknown) => e instanceof SvcmgrError && e.exitCode === 2 && e.message.startsWith(`${f.keys}: not JSON`) && /the daemon refuses every key until it is fixed/.test(e.message);
    assert.throws(() => access.list(), damaged);
    assert.throws(() => access.update((keys) => ({ keys: [...keys, key("x")], result: null })), damaged);
    assert.equal(readFileSync(f.keys, "utf8"), '{"version": 1, "keys": [');
  });

  test("an update's result is returned; a throwing change writes nothing", (t) => {
    const f = files(t);
    const access = keyFileAccess(f);
    assert.equal(access.update(() => ({ keys: [key("a")], result: 42 })), 42);
    assert.throws(() => access.update(() => {
      throw new Error("refused");
    }), /refused/);
    assert.deepEqual(access.list().map((k) => k.name), ["a"]);
  });
});
