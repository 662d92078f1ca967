/**
 * A full log filesystem (a real tmpfs, filled) must not stop a run or the daemon: output that
 * cannot be written is dropped, the record says so, the run and its record complete.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasStackTrace, makeRoot, type TestRoot } from "./helpers.js";
import { Daemon, killAllDaemons, records, waitRecords } from "./daemon-harness.js";
import { skipUnlessRoot } from "../helpers/require-all.js";
import { mountTmpfs, type Tmpfs } from "../helpers/tmpfs.js";
import { fileSink } from "../../src/platform/daemon-log.js";

/** A root whose log dir is a 1 MiB tmpfs, unmounted when the test ends. */
function rootWithLogFs(t: { after(fn: () => void): void }): { root: TestRoot; fs: Tmpfs; chatty: string } {
  const root = makeRoot();
  const fs = mountTmpfs(root.path("log"), 1 << 20);
  t.after(() => {
    fs.unmount();
    root.cleanup();
  });
  const chatty = root.path("chatty.sh");
  writeFileSync(chatty, '#!/bin/sh\ni=0\nwhile [ $i -lt 3000 ]; do echo "line $i of the chatty task"; i=$((i+1)); done\necho "last line"\n');
  chmodSync(chatty, 0o755);
  return { root, fs, chatty };
}

describe("full log filesystem", { skip: skipUnlessRoot("mounts a tmpfs"), concurrency: true }, () => {
  test("a daemon log file drops what it cannot write, never throws, and says so in its own format once it can", async (t) => {
    const { root, fs } = rootWithLogFs(t);
    const file = join(fs.dir, "daemon.log");
    const sink = fileSink(file, "json", () => Date.UTC(2026, 0, 1));
    sink.write("first\n");
    await new Promise((r) => setImmediate(r));
    fs.fill();
    for (let i = 0; i < 100; i++) sink.write(`lost ${i} ${"x".repeat(100)}\n`); // more than the file's last page takes
    await new Promise((r) => setImmediate(r));
    fs.free();
    sink.write("after\n");
    sink.close();
    // What fitted in the file's last page stays; the line cut by the full disk is ended before the note.
    const lines = readFileSync(file, "utf8").split("\n");
    assert.equal(lines[0], "first");
    const note = lines.findIndex((l) => l.startsWith("{"));
    for (const l of lines.slice(1, note)) assert.match(l, /^lost \d+ x*$/);
    const dropped = 100 - lines.slice(1, note).filter((l) => l.length === "lost 10 ".length + 100 || l.length === "lost 1 ".length + 100).length;
    assert.deepEqual(JSON.parse(lines[note]!), { time: "2026-01-01T00:00:00.000Z", level: "warning", message: `${dropped} log line(s) dropped: the log file could not be written (ENOSPC: no space left on device, write)`, event: "log-dropped", count: dropped });
    assert.deepEqual(lines.slice(note + 1), ["after", ""]);
    void root;
  });

  test("run: the task's output is dropped with a note in the record; the run completes and exits 0", async (t) => {
    const { root, fs, chatty } = rootWithLogFs(t);
    root.writeConf("s", `[task#0]\ncommand = ${chatty}\n`);
    fs.fill();
    const r = await root.runTasks("s", [], { timeoutMs: 30_000 });
    assert.equal(hasStackTrace(r.stderr), false, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /last line\n$/, "the terminal still gets the output");
    assert.match(r.stderr, /warning: output file incomplete: run log .*ENOSPC/);
    const [rec] = root.history("s");
    assert.equal(rec!.status, "succeeded");
    assert.equal(rec!.exitCode, 0);
    assert.match(rec!.reason ?? "", /output file incomplete: run log .*ENOSPC.*\(0 of \d+ bytes written\)/);
    assert.match(rec!.reason ?? "", /\d+ line\(s\) not written to the service log \(ENOSPC/);
    assert.match(rec!.outputTail, /last line\n$/, "the record keeps its excerpt");
    // Space is back: the next run writes, and the service log says what it lost.
    fs.free();
    const again = await root.runTasks("s");
    assert.equal(again.status, 0, again.stderr);
    const recs = root.history("s");
    assert.equal(recs[1]!.reason, null);
    assert.ok(existsSync(recs[1]!.logFile!));
  });

  test("run: a log filesystem that fills up during the run keeps what fitted, and says how much", async (t) => {
    const { root, fs, chatty } = rootWithLogFs(t);
    root.writeConf("s", `[task#0]\ncommand = ${chatty}\nlog = false\n`);
    fs.fill();
    fs.free(); // a nearly full disk: 1 MiB, of which the service log takes little
    writeFileSync(join(fs.dir, ".filler"), Buffer.alloc((1 << 20) - 48 * 1024));
    const r = await root.runTasks("s", [], { timeoutMs: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const [rec] = root.history("s");
    assert.equal(rec!.status, "succeeded");
    const m = /\((\d+) of (\d+) bytes written\)/.exec(rec!.reason ?? "");
    assert.ok(m, rec!.reason ?? "no reason");
    assert.equal(Number(m[2]), rec!.outputBytes);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) < rec!.outputBytes, rec!.reason!);
    assert.equal(readFileSync(rec!.logFile!).length, Number(m[1]));
  });

  test("daemon: keeps running and recording while the log filesystem is full", async (t) => {
    const { root, fs, chatty } = rootWithLogFs(t);
    t.after(killAllDaemons);
    root.writeConf("s", `[task#0]\ncommand = ${chatty}\nschedule = @1s\n`);
    fs.fill();
    const d = Daemon.start(root);
    const recs = await waitRecords(root, "3 runs", (rs) => rs.filter((x) => x.status === "succeeded").length >= 3, 20_000, d);
    assert.equal(d.exit, null, d.tail());
    for (const rec of recs.filter((x) => x.status === "succeeded")) assert.match(rec.reason ?? "", /output file incomplete.*ENOSPC/);
    fs.free();
    const before = records(root).length;
    await waitRecords(root, "a run with space back", (rs) => rs.slice(before).some((x) => x.status === "succeeded" && x.reason === null), 20_000, d);
    assert.equal(d.exit, null, d.tail());
    assert.match(root.serviceLog("s"), /WARN  \| svcmgr: \d+ line\(s\) dropped from this log: it could not be written \(ENOSPC/, "the daemon's service log says what it lost");
    const exit = await d.stop();
    assert.equal(exit.code, 0, d.tail());
    assert.equal(hasStackTrace(d.stderr), false, d.stderr);
  });
});
