import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { openRunLog, runLogPath } from "../../src/platform/run-log.js";
import { pathsFor } from "../../src/core/paths.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { tempDir } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const WRITER = fileURLToPath(new URL("./fixtures/run-log-writer.ts", import.meta.url));

test("runLogPath: <log>/runs/<svc path>/<rid>/<id>.log", () => {
  const paths = pathsFor("/srv/x");
  assert.equal(runLogPath(paths, parseObjectPath("db"), "task#0", 42), "/srv/x/log/runs/db/task#0/42.log");
  assert.equal(runLogPath(paths, parseObjectPath("prod/svc/db"), "task#1", 7), "/srv/x/log/runs/prod/svc/db/task#1/7.log");
});

test("a run log holds the raw output in arrival order, mode 0640, dirs created", async (t) => {
  const path = join(tempDir(t), "runs", "db", "task#0", "1.log");
  const log = openRunLog(path);
  log.write("stdout", Buffer.from("out 1\n"));
  log.write("stderr", Buffer.from("err é\n"));
  log.write("stdout", Buffer.alloc(0));
  log.write("stdout", Buffer.from("out 2"));
  await log.close();
  assert.equal(readFileSync(path, "utf8"), "out 1\nerr é\nout 2");
  assert.equal(statSync(path).mode & 0o777, 0o640);
  await assert.rejects(log.close(), /already closed/);
});

test("an existing file is replaced, not appended to", async (t) => {
  const path = join(tempDir(t), "1.log");
  writeFileSync(path, "stale content from an older database\n");
  const log = openRunLog(path);
  log.write("stdout", Buffer.from("new"));
  await log.close();
  assert.equal(readFileSync(path, "utf8"), "new");
});

test("a fast producer: memory stays bounded and the file is exact", async (t) => {
  const path = join(tempDir(t), "big.log");
  const log = openRunLog(path, { maxQueuedBytes: 256 * 1024 });
  const chunks = 400;
  const size = 64 * 1024;
  gc();
  const before = process.memoryUsage().arrayBuffers;
  let maxQueued = 0;
  for (let i = 0; i < chunks; i++) {
    log.write("stdout", Buffer.alloc(size, 65 + (i % 26))); // 25 MiB, no await in between
    maxQueued = Math.max(maxQueued, log.queuedBytes);
  }
  assert.ok(maxQueued <= 256 * 1024, `${maxQueued} bytes queued at most`);
  // Freed backing stores are returned by V8 in the background: collect until they are.
  let held = Infinity;
  for (let i = 0; i < 10 && held > 256 * 1024 + size; i++) {
    gc();
    held = process.memoryUsage().arrayBuffers - before;
  }
  assert.ok(held <= 256 * 1024 + size, `${held} bytes held while writing`);
  await log.close();
  const data = readFileSync(path);
  assert.equal(data.length, chunks * size);
  for (let i = 0; i < chunks; i++) assert.equal(data[i * size + size - 1], 65 + (i % 26), `chunk ${i}`);
});

test("write errors surface at close, naming the file and how much it holds, without throwing at write", async (t) => {
  const path = join(tempDir(t), "full.log");
  const script = `ulimit -f 8; exec "${process.execPath}" --import tsx "${WRITER}" "${path}" 65536`; // 8 blocks of 512 bytes
  const r = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const outcome = JSON.parse(r.stdout) as { ok: boolean; message?: string };
  assert.equal(outcome.ok, false);
  assert.equal(outcome.message, `run log ${path}: EFBIG: file too large, write (4096 of 65536 bytes written)`);
});

test("a silent run creates no file, and removes a stale one left at its path", async (t) => {
  const dir = tempDir(t);
  const fresh = join(dir, "runs", "db", "task#0", "1.log");
  await openRunLog(fresh).close();
  assert.equal(existsSync(fresh), false, "no output, no file");
  assert.equal(existsSync(dirname(fresh)), false, "nor its directories");
  const stale = join(dir, "2.log");
  writeFileSync(stale, "output of a run from an older database\n");
  const log = openRunLog(stale);
  log.write("stdout", Buffer.alloc(0));
  await log.close();
  assert.equal(existsSync(stale), false, "the path never shows another run's output");
});

test("a log that cannot be created fails close with the path, not the run's writes", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "file"), "");
  const path = join(dir, "file", "1.log"); // a file where a directory should be
  const log = openRunLog(path);
  log.write("stdout", Buffer.from("a"));
  log.write("stdout", Buffer.from("b"));
  await assert.rejects(log.close(), (e: Error) => e.message.startsWith(`run log ${path}:`));
});

test("maxBytes: under the cap the file is whole; over it, the first and last halves with the cut said between them", async (t) => {
  const dir = tempDir(t);
  const output = Buffer.from(Array.from({ length: 5000 }, (_, i) => String.fromCharCode(65 + (i % 26))).join(""));
  for (const [total, chunk] of [[900, 100], [1000, 7], [1200, 64], [1499, 300], [1500, 1], [5000, 333]] as const) {
    const path = join(dir, `${total}-${chunk}.log`);
    const log = openRunLog(path, { maxBytes: 1000 });
    for (let at = 0; at < total; at += chunk) log.write("stdout", output.subarray(at, Math.min(total, at + chunk)));
    await log.close();
    const file = readFileSync(path);
    if (total <= 1000) {
      assert.equal(log.cutBytes, 0);
      assert.deepEqual(file, output.subarray(0, total), `${total}: whole`);
      continue;
    }
    const marker = `\n[svcmgr: ${total - 1000} bytes of output cut here: the output file keeps its first and last 500 bytes (output_max = 1000)]\n`;
    assert.equal(log.cutBytes, total - 1000, `${total}/${chunk}`);
    assert.equal(file.toString(), output.subarray(0, 500).toString() + marker + output.subarray(total - 500, total).toString(), `${total}/${chunk}`);
  }
});
