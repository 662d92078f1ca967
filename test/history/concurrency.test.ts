import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { openHistory } from "../../src/history/store.js";
import { tempDir } from "./helpers.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const WRITER = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));

interface Writer {
  readonly child: ChildProcess;
  readonly ids: number[];
  readonly stderr: string[];
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Resolves once `n` ids were reported. */
  waitFor(n: number): Promise<void>;
}

/** Opens the database in a child process; it writes once told to go. */
function startWriter(file: string, count: number, tag: string): Writer {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, file, String(count), tag], { stdio: ["pipe", "pipe", "pipe"] });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const ids: number[] = [];
  const stderr: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    for (const l of lines) (l === "ready" ? markReady() : ids.push(Number(l)));
    for (const w of waiters.splice(0)) (ids.length >= w.n ? w.resolve() : waiters.push(w));
  });
  child.stderr!.setEncoding("utf8").on("data", (text: string) => stderr.push(text));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (n: number) => new Promise<void>((resolve) => (ids.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { child, ids, stderr, ready, exited, waitFor };
}

test("two processes writing at once: every record, no SQLITE_BUSY", { timeout: 60_000 }, async (t) => {
  const file = join(tempDir(t), "var", "history.sqlite");
  const writers = [startWriter(file, 500, "a"), startWriter(file, 500, "b")];
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.child.stdin!.end("go\n");
  const exits = await Promise.all(writers.map((w) => w.exited));
  for (const [i, w] of writers.entries()) {
    assert.deepEqual(exits[i], { code: 0, signal: null }, w.stderr.join(""));
    assert.equal(w.ids.length, 500);
  }
  const store = openHistory(file);
  t.after(() => store.close());
  const all = store.query({});
  assert.equal(all.length, 1000);
  assert.equal(new Set(all.map((r) => r.id)).size, 1000);
  assert.equal(all.filter((r) => r.status === "succeeded").length, 1000);
  assert.equal(store.lastScheduled("db", "task#a"), 499);
  const [a, b] = writers.map((w) => w.ids) as [number[], number[]];
  t.diagnostic(`ids a ${a[0]}..${a.at(-1)}, b ${b[0]}..${b.at(-1)}: the writers ${a.at(-1)! > b[0]! && b.at(-1)! > a[0]! ? "interleaved" : "did not overlap"}`);
});

test("kill -9 of a writer mid-stream leaves a readable database with every committed record", { timeout: 60_000 }, async (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const w = startWriter(file, 0, "k");
  await w.ready;
  w.child.stdin!.end("go\n");
  await w.waitFor(300);
  w.child.kill("SIGKILL");
  assert.deepEqual(await w.exited, { code: null, signal: "SIGKILL" });
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
  const store = openHistory(file);
  t.after(() => store.close());
  for (const id of w.ids) assert.equal(store.get(id)?.status, "succeeded", `record ${id} was reported committed`);
  // The record begun when the kill landed may be in flight: at most one, never more.
  assert.ok(store.inFlight().length <= 1);
  const total = store.query({}).length;
  assert.ok(total >= w.ids.length && total <= w.ids.length + 1, `${total} records for ${w.ids.length} reported`);
});
