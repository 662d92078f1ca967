/** A reader that does not keep up (`svcmgr … run | (sleep 30; cat)`) must not make svcmgr hold the task's output. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { collect, makeRoot, spawnCli } from "./helpers.js";

/** Resident memory of a process in KiB, or 0 once it is gone. */
function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  } catch {
    return 0;
  }
}

test("run with a stalled stdout reader: memory stays bounded, the output file has everything, stderr says what the reader missed", async (t) => {
  const root = makeRoot(t);
  const total = 100_000_000;
  root.writeConf("s", `[task#0]\ncommand = yes "${"a".repeat(99)}" | head -c ${total}\noutput_max = 0\nlog = false\n`);
  const child = spawnCli(["--root", root.dir, "-s", "s", "run"]);
  child.stdout!.pause(); // nobody reads: the pipe fills, and what svcmgr writes would wait in its memory
  let peakKb = 0;
  const watch = setInterval(() => (peakKb = Math.max(peakKb, rssKb(child.pid!))), 50);
  const ended = collect(child, { timeoutMs: 180_000 });
  const stalled = new Promise<void>((resolve) => setTimeout(resolve, 8_000));
  await Promise.race([stalled, ended]);
  child.stdout!.resume(); // the reader catches up
  const r = await ended;
  clearInterval(watch);
  t.diagnostic(`peak RSS ${(peakKb / 1024).toFixed(1)} MiB for ${total / 1e6} MB of output`);
  assert.equal(r.status, 0, r.stderr);
  const [rec] = root.history("s");
  assert.equal(rec!.outputBytes, total);
  assert.equal(statSync(rec!.logFile!).size, total, "the run's output file has everything");
  // Unbounded, the 100 MB would be queued for the reader (about 600 MiB resident).
  assert.ok(peakKb < 250 * 1024, `peak RSS ${(peakKb / 1024).toFixed(1)} MiB`);
  // One note each time the reader caught up after output was dropped for it.
  const notes = [...r.stderr.matchAll(/svcmgr: (\d+) bytes of task output not shown on stdout: its reader did not keep up \(the run's output file has them\)/g)];
  assert.ok(notes.length > 0, r.stderr.slice(-500));
  const dropped = notes.reduce((sum, m) => sum + Number(m[1]), 0);
  assert.equal(Buffer.byteLength(r.stdout) + dropped, total, "what the reader got plus what was dropped is the whole output");
});
