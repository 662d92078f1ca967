import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { openHistory, switchToWal } from "../../src/platform/sqlite/store.js";
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

test("opening a rollback-mode database while another process reads it waits to switch it to WAL instead of failing", { timeout: 60_000 }, async (t) => {
  const file = join(tempDir(t), "converting.sqlite");
  const holder = new Database(file); // a database in rollback mode (made by hand or by another tool)
  holder.exec("CREATE TABLE other (a)");
  holder.exec("BEGIN");
  holder.prepare("SELECT count(*) FROM sqlite_master").get(); // a reader's shared lock: the switch to WAL needs the file alone
  const store = new URL("../../src/platform/sqlite/store.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `
    import { openHistory } from ${JSON.stringify(store)};
    process.stdout.write("opening\\n");
    openHistory(${JSON.stringify(file)}).close();
  `], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  await new Promise((r) => setTimeout(r, 700)); // the opener meets the reader
  holder.exec("COMMIT");
  holder.close();
  assert.equal(await exited, 0, stderr);
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  db.close();
});

test("processes opening the same fresh databases at the same moment all succeed (the switch to WAL waits for the others; none takes another's creation for an empty, damaged file)", { timeout: 60_000 }, async (t) => {
  const store = new URL("../../src/platform/sqlite/store.ts", import.meta.url).pathname;
  const dir = tempDir(t);
  const FILES = 20;
  // Each process opens fresh-0, fresh-1, … in turn: all meet on each fresh file.
  const opener = `
    import { openHistory } from ${JSON.stringify(store)};
    const [dir, at] = process.argv.slice(1);
    while (Date.now() < Number(at)) {}
    for (let i = 0; i < ${FILES}; i++) openHistory(dir + "/fresh-" + i + ".sqlite").close();
  `;
  const at = Date.now() + 3000; // every process is up and spinning by then
  const runs = Array.from({ length: 6 }, () => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", opener, dir, String(at)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stderr })));
  });
  for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < FILES; i++) {
    const db = new Database(join(dir, `fresh-${i}.sqlite`), { readonly: true });
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    db.close();
  }
});

test("the switch to WAL is tried again while SQLite answers SQLITE_BUSY, and gives up at the deadline", () => {
  const busy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
  let answers = 0;
  const pauses: number[] = [];
  const flaky = { pragma: () => (++answers <= 3 ? (() => { throw busy(); })() : "wal") };
  switchToWal(flaky as never, Date.now() + 10_000, (ms) => pauses.push(ms));
  assert.equal(answers, 4, "three refusals, then the switch");
  assert.deepEqual(pauses, [5, 10, 20], "a growing pause between tries");
  const always = { pragma: () => { throw busy(); } };
  assert.throws(() => switchToWal(always as never, Date.now() + 50, () => undefined), /database is locked/, "past the deadline the error stands");
  const other = { pragma: () => { throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" }); } };
  let slept = false;
  assert.throws(() => switchToWal(other as never, Date.now() + 10_000, () => (slept = true)), /disk I\/O error/);
  assert.equal(slept, false, "any other error is not retried");
});
