import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openServiceLog } from "../../src/platform/service-log.js";

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) sid=[0-9a-f]{8}( rid=\S+)? \| message \d+ x+$/;

function tempLog(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-servicelog-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "log", "db.log");
}

const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : "");

test("rotates by size: the full file becomes .1, every line stays whole, nothing is lost", (t) => {
  const file = tempLog(t);
  const log = openServiceLog(file, { session: "0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff", now: () => Date.UTC(2026, 10, 22, 10, 45, 45), maxBytes: 1000, backups: 3 });
  for (let i = 0; i < 30; i++) log.write(i % 3 === 0 ? "error" : "info", i % 2 === 0 ? "task#0" : null, `message ${i} ${"x".repeat(20)}`);
  log.close();
  assert.ok(existsSync(`${file}.1`), ".1 exists");
  assert.ok(existsSync(`${file}.2`), ".2 exists");
  const files = [`${file}.3`, `${file}.2`, `${file}.1`, file];
  const lines = files.flatMap((f) => read(f).split("\n").filter((l) => l !== ""));
  for (const l of lines) assert.match(l, LINE);
  for (const f of files.filter(existsSync)) assert.ok(read(f).endsWith("\n"), `${f} ends with a whole line`);
  // Every file but the newest reached the limit, and passed it by at most one line.
  for (const f of files.slice(0, -1).filter(existsSync)) {
    const size = statSync(f).size;
    assert.ok(size >= 1000 && size < 1000 + 100, `${f}: ${size} bytes`);
  }
  assert.deepEqual(lines.map((l) => Number(/message (\d+)/.exec(l)![1])), Array.from({ length: 30 }, (_, i) => i), "in order, none lost");
  assert.ok(lines[0]!.startsWith("2026-11-22T10:45:45.000Z ERROR sid=0b1c2d3e rid=task#0 | message 0 "), lines[0]);
});

test("keeps at most `backups` old files, dropping the oldest", (t) => {
  const file = tempLog(t);
  const log = openServiceLog(file, { session: "12345678", now: () => 0, maxBytes: 200, backups: 2 });
  for (let i = 0; i < 100; i++) log.write("info", "task#1", `message ${i} xxxxxxxxxx`);
  log.close();
  assert.ok(existsSync(`${file}.1`) && existsSync(`${file}.2`));
  assert.ok(!existsSync(`${file}.3`), "no third backup");
  const kept = [`${file}.2`, `${file}.1`, file].flatMap((f) => read(f).split("\n").filter((l) => l !== ""));
  const numbers = kept.map((l) => Number(/message (\d+)/.exec(l)![1]));
  assert.equal(numbers.at(-1), 99, "the newest line is kept");
  assert.ok(numbers[0]! > 0, "the oldest lines were dropped");
  assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i), "what is kept is contiguous");
});

test("two writers on one file: lines never interleave", (t) => {
  const file = tempLog(t);
  const a = openServiceLog(file, { session: "aaaaaaaa", now: () => 0, maxBytes: 1 << 20 });
  const b = openServiceLog(file, { session: "bbbbbbbb", now: () => 0, maxBytes: 1 << 20 });
  for (let i = 0; i < 200; i++) {
    a.write("info", null, `message ${i} ${"x".repeat(50)}`);
    b.write("warning", "task#2", `message ${i} ${"x".repeat(50)}`);
  }
  a.close();
  b.close();
  const lines = read(file).split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 400);
  for (const l of lines) assert.match(l, LINE);
});

test("lines are written at the end of the event-loop turn, in one write, and on close", async (t) => {
  const file = tempLog(t);
  const log = openServiceLog(file, { session: "cafebabe", now: () => 0 });
  log.write("info", null, "message 1 x");
  log.write("info", null, "message 2 x");
  assert.equal(read(file), "", "nothing written within the turn");
  await new Promise((r) => setImmediate(r));
  assert.equal(read(file).split("\n").filter(Boolean).length, 2, "both lines at the end of the turn");
  log.write("info", null, "message 3 x");
  log.close();
  assert.equal(read(file).split("\n").filter(Boolean).length, 3, "close writes what is pending");
});

test("a process that exits in the same turn still writes its lines", (t) => {
  const file = tempLog(t);
  const module = new URL("../../src/platform/service-log.ts", import.meta.url).href;
  const script = `import { openServiceLog } from ${JSON.stringify(module)};
    const log = openServiceLog(${JSON.stringify(file)}, { session: "cafebabe", now: () => 0 });
    log.write("info", null, "message 1 x");
    process.exit(3);`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(read(file), "1970-01-01T00:00:00.000Z INFO  sid=cafebabe | message 1 x\n");
});

test("a multi-line message gets the prefix on every line", (t) => {
  const file = tempLog(t);
  const log = openServiceLog(file, { session: "cafebabe", now: () => 0 });
  log.write("error", "task#0", "first\nsecond");
  log.close();
  assert.equal(read(file), "1970-01-01T00:00:00.000Z ERROR sid=cafebabe rid=task#0 | first\n1970-01-01T00:00:00.000Z ERROR sid=cafebabe rid=task#0 | second\n");
});

test("two writers and rotation: a writer follows the other's rotation, so lines stay in order and backups full", async (t) => {
  const file = tempLog(t);
  const a = openServiceLog(file, { session: "aaaaaaaa", now: () => 0, maxBytes: 1000, backups: 10 });
  const b = openServiceLog(file, { session: "bbbbbbbb", now: () => 0, maxBytes: 1000, backups: 10 });
  for (let i = 0; i < 60; i += 2) {
    a.write("info", null, `message ${i} ${"x".repeat(20)}`);
    b.write("info", "task#0", `message ${i + 1} ${"x".repeat(20)}`);
    await new Promise((r) => setImmediate(r)); // as two processes would: each turn's lines are written at its end
  }
  a.close();
  b.close();
  const backups = Array.from({ length: 10 }, (_, i) => `${file}.${i + 1}`).filter(existsSync).reverse();
  assert.ok(backups.length >= 2, `${backups.length} backups`);
  for (const f of backups) assert.ok(statSync(f).size >= 1000, `${f} rotated early: ${statSync(f).size} bytes`);
  const lines = [...backups, file].flatMap((f) => read(f).split("\n").filter((l) => l !== ""));
  for (const l of lines) assert.match(l, LINE);
  assert.deepEqual(lines.map((l) => Number(/message (\d+)/.exec(l)![1])), Array.from({ length: 60 }, (_, i) => i), "in write order across files, none lost");
});
