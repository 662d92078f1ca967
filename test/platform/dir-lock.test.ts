import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirLockTimeout, withDirLock } from "../../src/platform/dir-lock.js";
import { nativeAddon } from "../../src/platform/native-addon.js";
import { skipUnlessNative } from "../helpers/require-all.js";

const native = nativeAddon();
const moduleUrl = new URL("../../src/platform/dir-lock.ts", import.meta.url).pathname;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const parent = mkdtempSync(join(tmpdir(), "svcmgr-dirlock-"));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  mkdirSync(join(parent, "run"));
  return join(parent, "run");
}

function nodeScript(body: string): string[] {
  return ["--import", "tsx", "--input-type=module", "-e", `import { withDirLock } from ${JSON.stringify(moduleUrl)};\n${body}`];
}

/** `workers` processes each add 1 to a counter file `rounds` times, under the lock: nothing may be lost. */
async function contend(dir: string, mechanism: "flock" | "file", workers: number, rounds: number): Promise<number> {
  const counter = join(dir, "counter");
  writeFileSync(counter, "0");
  const body = `
    import { readFileSync, writeFileSync } from "node:fs";
    for (let i = 0; i < ${rounds}; i++) withDirLock(${JSON.stringify(dir)}, () => {
      const n = Number(readFileSync(${JSON.stringify(counter)}, "utf8"));
      writeFileSync(${JSON.stringify(counter)}, String(n + 1));
    }, { mechanism: ${JSON.stringify(mechanism)} });`;
  const runs = Array.from({ length: workers }, () => new Promise<number | null>((resolve) => spawn(process.execPath, nodeScript(body), { stdio: "inherit" }).once("exit", resolve)));
  assert.deepEqual(await Promise.all(runs), Array(workers).fill(0));
  return Number(readFileSync(counter, "utf8"));
}

/** A process holding the lock until killed; resolves once it holds it. */
async function holder(t: { after: (fn: () => void) => void }, dir: string, mechanism: "flock" | "file") {
  const body = `withDirLock(${JSON.stringify(dir)}, () => { console.log("locked"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); }, { mechanism: ${JSON.stringify(mechanism)} });`;
  const p = spawn(process.execPath, nodeScript(body), { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => p.kill("SIGKILL"));
  await new Promise<void>((resolve) => p.stdout.on("data", (c: Buffer) => c.toString().includes("locked") && resolve()));
  return p;
}

const mechanisms: Array<["flock" | "file", string | false]> = [
  ["flock", native === null && "native addon not built"],
  ["file", false],
];

for (const [mechanism, skip] of mechanisms) {
  describe(`${mechanism} lock`, { skip }, () => {
    test("holders in different processes exclude each other: no increment is lost", async (t) => {
      const dir = tempDir(t);
      assert.equal(await contend(dir, mechanism, 4, 150), 600);
    });

    test("a live holder is waited for, then the caller gets a timeout; a killed holder leaves no lock", async (t) => {
      const dir = tempDir(t);
          const p = await holder(t, dir, mechanism);
      let ran = false;
      const started = Date.now();
      assert.throws(() => withDirLock(dir, () => (ran = true), { waitMs: 150, mechanism }), DirLockTimeout);
      assert.ok(Date.now() - started >= 150, "waited for the holder");
      assert.equal(ran, false);
      p.kill("SIGKILL");
      await new Promise((resolve) => p.once("exit", resolve));
      assert.equal(withDirLock(dir, () => "taken", { waitMs: 150, mechanism }), "taken");
    });
  });
}

test("flock creates and leaves nothing; the file lock leaves nothing once released", { skip: skipUnlessNative() }, (t) => {
  const dir = tempDir(t);
  const parent = join(dir, "..");
  withDirLock(dir, () => assert.deepEqual(readdirSync(parent), ["run"]));
  withDirLock(dir, () => assert.deepEqual(readdirSync(parent).sort(), ["run", "run.lock"]), { mechanism: "file" });
  assert.deepEqual(readdirSync(parent), ["run"]);
});

test("flock: the same process's second open file is refused while the first holds the lock", { skip: skipUnlessNative() }, (t) => {
  const dir = tempDir(t);
  const fd = openSync(dir, "r");
  try {
    assert.equal(native!.tryLock(fd), true);
    assert.throws(() => withDirLock(dir, () => undefined, { waitMs: 50 }), /locked by another process for more than 0.05 s/);
  } finally {
    closeSync(fd);
  }
  assert.equal(withDirLock(dir, () => 1, { waitMs: 50 }), 1, "closing the descriptor dropped the lock");
});

test("file lock: a lock file naming a dead process (JSON or an older bare pid) is broken", (t) => {
  const dir = tempDir(t);
  const dead = spawnSync("true").pid!;
  for (const content of [String(dead), JSON.stringify({ owner: { pid: dead, startTime: null } })]) {
    writeFileSync(`${dir}.lock`, content);
    assert.equal(withDirLock(dir, () => "taken", { waitMs: 100, mechanism: "file" }), "taken");
    assert.ok(!existsSync(`${dir}.lock`));
  }
});

test("file lock: a lock file that stayed empty (its creator killed, or a full disk) is broken; a fresh empty one is waited for", (t) => {
  const dir = tempDir(t);
  writeFileSync(`${dir}.lock`, "");
  assert.throws(() => withDirLock(dir, () => "taken", { waitMs: 100, mechanism: "file" }), DirLockTimeout, "a lock being written is waited for");
  const old = new Date(Date.now() - 10_000);
  utimesSync(`${dir}.lock`, old, old);
  assert.equal(withDirLock(dir, () => "taken", { waitMs: 100, mechanism: "file" }), "taken");
  assert.ok(!existsSync(`${dir}.lock`));
});
