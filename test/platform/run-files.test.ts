import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRunSlots, liveRunFiles } from "../../src/platform/run-files.js";
import { processStartTime } from "../../src/platform/liveness.js";
import type { RunSlotGrant } from "../../src/core/run-ports.js";

/** A fresh var dir for one task; returns it and its run dir. */
function taskVar(t: { after: (fn: () => void) => void }) {
  const varDir = mkdtempSync(join(tmpdir(), "svcmgr-runfiles-"));
  t.after(() => rmSync(varDir, { recursive: true, force: true }));
  const runDir = join(varDir, "task#0", "run");
  return { varDir, runDir, files: () => (existsSync(runDir) ? readdirSync(runDir).sort() : []) };
}

function granted(g: RunSlotGrant): Extract<RunSlotGrant, { ok: true }> {
  assert.equal(g.ok, true, g.ok ? "" : `refused: ${g.running} running`);
  return g as Extract<RunSlotGrant, { ok: true }>;
}

/** A process that stays alive until the test ends: a live foreign owner or child. */
function liveProcess(t: { after: (fn: () => void) => void }): { pid: number; startTime: number | null } {
  const p = spawn("sleep", ["60"], { stdio: "ignore" });
  t.after(() => p.kill("SIGKILL"));
  return { pid: p.pid!, startTime: processStartTime(p.pid!) };
}

/** A pid that named a process which has exited. */
function deadPid(): number {
  return spawnSync("true").pid!;
}

const foreign = (dir: string, name: string, content: unknown) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
};

test("runs reuse the process's run file: same inode, idle between runs, JSON always whole", (t) => {
  const v = taskVar(t);
  const slots = createRunSlots(v.varDir);
  const first = granted(slots.acquire("task#0", 1, "session-one"));
  const [name] = v.files();
  assert.equal(name, `${process.pid}-0`);
  const path = join(v.runDir, name!);
  const inode = statSync(path).ino;
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { owner: { pid: process.pid, startTime: processStartTime(process.pid) }, session: "session-one" });
  first.attachChild(4242, 77);
  assert.equal(JSON.parse(readFileSync(path, "utf8")).child.pid, 4242);
  first.release();
  const idle = JSON.parse(readFileSync(path, "utf8")) as { idle?: boolean; session?: string };
  assert.equal(idle.idle, true, "released: idle");
  assert.equal(idle.session, undefined);
  assert.equal(liveRunFiles(v.runDir), 0, "an idle file is not a running task");
  for (let i = 0; i < 5; i++) granted(slots.acquire("task#0", 1, `s${i}`)).release();
  assert.deepEqual(v.files(), [name], "one file, reused");
  assert.equal(statSync(path).ino, inode, "no new file per run");
  assert.ok(!existsSync(join(v.varDir, "task#0", "run.lock")), "the lock is released");
});

test("a run file removed behind svcmgr's back is made again at the next run", (t) => {
  const v = taskVar(t);
  const slots = createRunSlots(v.varDir);
  granted(slots.acquire("task#0", 1, "a")).release();
  rmSync(join(v.runDir, `${process.pid}-0`));
  const again = granted(slots.acquire("task#0", 1, "b"));
  assert.equal(v.files().length, 1);
  assert.equal(JSON.parse(readFileSync(join(v.runDir, v.files()[0]!), "utf8")).session, "b");
  again.release();
});

test("max_parallel counts this process's busy files; a second concurrent run gets a second file", (t) => {
  const v = taskVar(t);
  const slots = createRunSlots(v.varDir);
  const a = granted(slots.acquire("task#0", 2, "a"));
  const b = granted(slots.acquire("task#0", 2, "b"));
  assert.deepEqual(v.files(), [`${process.pid}-0`, `${process.pid}-1`]);
  const refused = slots.acquire("task#0", 2, "c");
  assert.deepEqual(refused, { ok: false, running: 2 });
  assert.equal(v.files().length, 2, "a refused attempt creates nothing");
  a.release();
  const c = granted(slots.acquire("task#0", 2, "c"));
  assert.deepEqual(v.files(), [`${process.pid}-0`, `${process.pid}-1`], "idle files are taken again, no new one");
  b.release();
  c.release();
});

test("another process's files: busy counts, idle does not, a dead owner's file counts only while its child lives", (t) => {
  const v = taskVar(t);
  const live = liveProcess(t);
  const child = liveProcess(t);
  foreign(v.runDir, "busy", { owner: live, session: "x" });
  foreign(v.runDir, "idle", { owner: live, idle: true });
  foreign(v.runDir, "dead", { owner: { pid: deadPid(), startTime: null }, session: "y" });
  foreign(v.runDir, "reused-pid", { owner: { pid: live.pid, startTime: (live.startTime ?? 0) + 1 }, session: "z" });
  foreign(v.runDir, "orphan", { owner: { pid: deadPid(), startTime: null }, session: "w", child });
  foreign(v.runDir, "old-format", { session: "v", owner: live }); // no idle field: a run
  const before = new Map(v.files().map((n) => [n, readFileSync(join(v.runDir, n), "utf8")]));
  assert.equal(liveRunFiles(v.runDir), 3, "busy, orphan, old-format");
  assert.deepEqual(new Map(v.files().map((n) => [n, readFileSync(join(v.runDir, n), "utf8")])), before, "counting without the lock changes nothing");
  assert.deepEqual(createRunSlots(v.varDir).acquire("task#0", 3, "s"), { ok: false, running: 3 });
});

test("a run takes over a stale file (owner and child gone) in place rather than creating one", (t) => {
  const v = taskVar(t);
  const live = liveProcess(t);
  foreign(v.runDir, "idle-of-live", { owner: live, idle: true });
  foreign(v.runDir, "dead", { owner: { pid: deadPid(), startTime: null }, session: "a-long-session-name-from-before", child: { pid: deadPid(), startTime: 1 } });
  const inode = statSync(join(v.runDir, "dead")).ino;
  const slots = createRunSlots(v.varDir);
  const g = granted(slots.acquire("task#0", 1, "s"));
  assert.deepEqual(v.files(), ["dead", "idle-of-live"], "no new file; the live owner's idle file is left alone");
  assert.equal(statSync(join(v.runDir, "dead")).ino, inode);
  const text = readFileSync(join(v.runDir, "dead"), "utf8");
  assert.deepEqual(JSON.parse(text), { owner: { pid: process.pid, startTime: processStartTime(process.pid) }, session: "s" }, "whole JSON, padded over the longer old content");
  assert.equal(JSON.parse(readFileSync(join(v.runDir, "idle-of-live"), "utf8")).owner.pid, live.pid);
  assert.deepEqual(slots.acquire("task#0", 1, "t"), { ok: false, running: 1 }, "the taken-over file counts as this process's run");
  g.release();
  assert.equal(liveRunFiles(v.runDir), 0);
});

test("an unreadable run file counts as running while recent, and is stale after a minute", (t) => {
  const v = taskVar(t);
  foreign(v.runDir, "half-written", '{"owner":{"pid":');
  assert.equal(liveRunFiles(v.runDir), 1);
  const old = (Date.now() - 120_000) / 1000;
  utimesSync(join(v.runDir, "half-written"), old, old);
  assert.equal(liveRunFiles(v.runDir), 0);
  assert.deepEqual(v.files(), ["half-written"], "counting without the lock removes nothing");
  granted(createRunSlots(v.varDir).acquire("task#0", 1, "s")).release();
  assert.deepEqual(v.files(), [`${process.pid}-0`], "the next run removes it");
});

test("a lock file left by a dead process (as older svcmgr versions made them) does not block a run", (t) => {
  const v = taskVar(t);
  const slots = createRunSlots(v.varDir);
  const lock = join(v.varDir, "task#0", "run.lock");
  mkdirSync(v.runDir, { recursive: true });
  writeFileSync(lock, String(deadPid())); // the bare pid
  granted(slots.acquire("task#0", 1, "a")).release();
  writeFileSync(lock, JSON.stringify({ owner: { pid: deadPid(), startTime: null } }));
  granted(slots.acquire("task#0", 1, "b")).release();
});

test("a file left by an exited process, held or not, is taken over by the next process's run: no new file", (t) => {
  const v = taskVar(t);
  const script = (release: boolean) => `
    import { createRunSlots } from ${JSON.stringify(new URL("../../src/platform/run-files.ts", import.meta.url).pathname)};
    const g = createRunSlots(${JSON.stringify(v.varDir)}).acquire("task#0", 1, "s");
    if (!g.ok) process.exit(3);
    ${release ? "g.release();" : ""}
  `;
  const run = (release: boolean) => spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(release)], { encoding: "utf8" });
  const r = run(true);
  assert.equal(r.status, 0, r.stderr);
  const [name] = v.files();
  assert.ok(name !== undefined, "the released file stays for the next run");
  const inode = statSync(join(v.runDir, name)).ino;
  const held = run(false);
  assert.equal(held.status, 0, held.stderr);
  assert.deepEqual(v.files(), [name], "the second process took the first one's file");
  assert.equal(statSync(join(v.runDir, name)).ino, inode);
  assert.equal(liveRunFiles(v.runDir), 0, "a run still holding its file at exit leaves it stale: not counted");
  granted(createRunSlots(v.varDir).acquire("task#0", 1, "here")).release();
  assert.deepEqual(v.files(), [name], "and this process takes it over too");
});
