/**
 * Run cgroups end to end (design §15), through the real CLI and daemon: limits enforced by the
 * kernel, an OOM kill recorded as such, a setsid escape that does not outlive its timeout, and
 * the processes of a run whose daemon was killed with -9, killed and recorded at restart.
 * Needs writable cgroups (root); runs with both launchers (scripts/test.mjs, SVCMGR_NATIVE=0).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cgroupScope, hostCgroups } from "../../src/platform/cgroup.js";
import { makeRoot, processesWith, uniqueMarker, type TestRoot } from "./helpers.js";
import { killAllDaemons, marked, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";
import { skipUnless } from "../helpers/require-all.js";
import type { RunRecord } from "../../src/core/run-record.js";

const why = hostCgroups("default").unavailable();
const skip = skipUnless(why === null, `needs writable cgroups (${why})`);

after(() => killAllDaemons());

async function lastRecord(root: TestRoot, svc: string): Promise<RunRecord> {
  const id = root.history(svc).at(-1)!.id;
  const r = await root.run(["-s", svc, "print", "run", String(id), "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunRecord;
}

describe("run cgroups through the CLI", { skip, concurrency: true }, () => {
  test("limit_memory: a task allocating past it is OOM-killed, recorded failed naming the limit, with its peak memory", async (t) => {
    const root = makeRoot(t);
    root.writeConf("oom", `[task#0]\ncommand = ${process.execPath} -e "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))"\nlimit_memory = 64m\ntimeout = 60\n`);
    const r = await root.runTasks("oom");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /OOM killer: the run reached the memory limit \(limit_memory = 64 MiB\)/);
    const rec = await lastRecord(root, "oom");
    assert.equal(rec.status, "failed");
    assert.ok(rec.signal === "SIGKILL" || rec.exitCode === 137, `killed: ${rec.signal} ${rec.exitCode}`);
    assert.match(rec.reason ?? "", /^1 process\(es\) killed by the kernel's OOM killer: the run reached the memory limit \(limit_memory = 64 MiB\)$/);
    assert.ok(rec.peakMemory! > 32 * 2 ** 20 && rec.peakMemory! <= 64 * 2 ** 20, `peak ${rec.peakMemory}`);
    const text = await root.run(["-s", "oom", "print", "run", String(rec.id)]);
    assert.match(text.stdout, /peak memory +6\d(\.\d)? MiB\ncpu time +\d+\.\d{3} s\n/);
  });

  test("node.conf [limits] limit_memory applies to a task that sets none; the task's own wins", async (t) => {
    const root = makeRoot(t);
    root.writeConf("node", "[limits]\nlimit_memory = 64m\n");
    const grab = (mb: number) => `${process.execPath} -e "const a = []; for (let i = 0; i < ${mb}; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('allocated')"`;
    root.writeConf("dflt", `[task#0]\ncommand = ${grab(100)}\n`);
    root.writeConf("own", `[task#0]\ncommand = ${grab(100)}\nlimit_memory = 512m\n`);
    assert.equal((await root.runTasks("dflt")).status, 1);
    assert.equal(root.history("dflt").at(-1)?.status, "failed");
    assert.match(root.history("dflt").at(-1)?.reason ?? "", /limit_memory = 64 MiB/);
    const own = await root.runTasks("own");
    assert.equal(own.status, 0, own.stderr);
    assert.match(own.stdout, /allocated/);
  });

  test("a setsid escape attempt does not outlive the timeout: nothing of the run survives", async (t) => {
    const root = makeRoot(t);
    const m = uniqueMarker();
    root.writeConf("esc", `[task#0]\ncommand = setsid sleep 1000 ${m} >/dev/null 2>&1 & (setsid sh -c 'sleep 1001 ${m} &' &) ; sleep 1002 ${m}\ntimeout = 1\n`);
    const r = await root.runTasks("esc");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /timed out after 1s/);
    assert.deepEqual(processesWith(m), [], "no process of the run survives");
    assert.equal((await lastRecord(root, "esc")).status, "timed_out");
  });

  test("limit_pids: a fork bomb is held to the limit, and ends with the run", async (t) => {
    const root = makeRoot(t);
    const m = uniqueMarker();
    root.writeConf("bomb", `[task#0]\ncommand = (i=0; while [ $i -lt 100 ]; do sleep 1000 ${m} >/dev/null & i=$((i+1)); done) 2>/dev/null; echo forked\nlimit_pids = 16\n`);
    const r = await root.runTasks("bomb");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /task#0: 1[0-5] process\(es\) left behind by the command killed with the run/);
    assert.deepEqual(processesWith(m), []);
  });

  test("SVCMGR_RUN_CGROUPS=0 (what benchmarks compare with): no run cgroup, said once; a limit is refused", async (t) => {
    const root = makeRoot(t);
    root.writeConf("off", "[task#0]\ncommand = cat /proc/self/cgroup\n[task#1]\ncommand = /bin/true\nlimit_pids = 10\n");
    const plain = await root.runTasks("off", ["--rid", "task#0"], { env: { SVCMGR_RUN_CGROUPS: "0" } });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /\/svcmgr\//);
    assert.match(plain.stderr, /runs are contained by their process group only: cgroups are not writable here \(turned off by SVCMGR_RUN_CGROUPS=0\)/);
    const limited = await root.runTasks("off", ["--rid", "task#1"], { env: { SVCMGR_RUN_CGROUPS: "0" } });
    assert.equal(limited.status, 1);
    assert.match(limited.stderr, /limit_pids cannot be enforced/);
  });

  test("CPU seconds and peak memory are on every record of a run; print history --format json has them", async (t) => {
    const root = makeRoot(t);
    root.writeConf("cpu", `[task#0]\ncommand = ${process.execPath} -e "let x = 0; for (let i = 0; i < 3e7; i++) x += i"\n`);
    const r = await root.runTasks("cpu");
    assert.equal(r.status, 0, r.stderr);
    const rec = await lastRecord(root, "cpu");
    assert.ok(rec.cpuSeconds! > 0.05 && rec.cpuSeconds! < 30, `cpu ${rec.cpuSeconds}`);
    assert.ok(rec.peakMemory! > 1 << 20, `peak ${rec.peakMemory}`);
    const h = await root.run(["-s", "cpu", "print", "history", "--format", "json"]);
    const rows = JSON.parse(h.stdout) as RunRecord[];
    assert.equal(rows[0]!.cpuSeconds, rec.cpuSeconds);
  });
});

describe("run cgroups and the daemon", { skip }, () => {
  test("daemon killed with -9 while a run's processes (setsid included) live: the restarted daemon kills them and records the run interrupted", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m = marked(o);
    r.writeConf("orph", `[task#1]\ncommand = setsid sleep 1000 ${m} >/dev/null 2>&1 & sleep 1001 ${m}\nschedule = @1h\n`);
    const d1 = startDaemon(o);
    const running = await waitRecords(r, "the run in flight", (rs) => rs.some((x) => x.status === "running" && x.pid !== null), 15_000, d1);
    const run = running.find((x) => x.status === "running")!;
    await d1.stop("SIGKILL");
    const left = processesWith(m).length;
    assert.equal(left, 3, "the shell and both sleeps outlive the killed daemon");
    const d2 = startDaemon(o);
    const killed = await d2.waitEvent("the orphan's processes killed", (e) => e.event === "orphan-killed", 15_000);
    assert.equal(killed.runId, run.id);
    assert.equal(killed.processes, left);
    await d2.waitEvent("the run recorded interrupted", (e) => e.event === "interrupted" && e.runId === run.id, 15_000);
    assert.deepEqual(processesWith(m), [], "nothing of the run survives");
    const rec = records(r).find((x) => x.id === run.id)!;
    assert.equal(rec.status, "interrupted");
    assert.match(rec.reason ?? "", /exited while the task ran .*; its 3 remaining process\(es\) killed at daemon start \(\[limits\] orphans = kill\)/);
    assert.equal(hostCgroups(cgroupScope(r.path("var"))).find(["orph", "task#1", String(run.id)]), null, "its cgroup is removed");
    await d2.stop("SIGTERM");
  });

  test("the daemon says once how runs are contained", async (t) => {
    const o = setup(t);
    const d = startDaemon(o);
    const e = await d.waitEvent("containment", (x) => x.event === "containment", 15_000);
    assert.equal(e.cgroups, true);
    assert.match(e.message, /runs are contained by cgroups/);
    await d.stop("SIGTERM");
  });
});
