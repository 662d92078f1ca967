import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { ProcessSpec } from "../../src/core/ports.js";
import { createProcessRunner } from "../../src/platform/process-runner.js";
import { hostCgroups, openCgroups } from "../../src/platform/cgroup.js";
import { detectCgroupLayout } from "../../src/platform/cgroup-layout.js";
import { nodeSpawnTask } from "../../src/platform/task-spawn.js";
import { hasExited, readProcStat } from "../../src/platform/proc-stat.js";
import { skipUnless } from "../helpers/require-all.js";

/** Real cgroups: root and a writable cgroup filesystem (CI's machine has both). */
const why = hostCgroups("default").unavailable();
const skip = skipUnless(why === null, `needs writable cgroups (${why})`);

const ENV = { PATH: "/usr/bin:/bin" };
const marker = () => `${100 + Math.floor(Math.random() * 800)}.${process.pid}${Date.now() % 100000}`;

/** Live processes whose command line contains `needle`. */
function alive(needle: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readProcStat(Number(pid));
      if (stat === null || hasExited(stat)) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle)) found.push(Number(pid));
    } catch {
      // gone
    }
  }
  return found;
}

const path = () => ["cgtest", "task#1", marker()];

for (const [launcher, spawnTask] of [["default launcher", undefined], ["plain-Node launcher", nodeSpawnTask]] as const) {
  describe(`run cgroups (${launcher})`, { skip }, () => {
    const runner = createProcessRunner({ pipeGraceMs: 200, ...(spawnTask ? { spawnTask } : {}) });
    const run = (spec: Partial<ProcessSpec> & Pick<ProcessSpec, "argv">) => {
      let out = "";
      return runner.run({ env: ENV, cwd: "/", onOutput: (_s, c) => (out += c.toString()), ...spec }).then((result) => ({ result, out: () => out }));
    };

    test("the task's first instruction already runs in the run's cgroup", async () => {
      const p = path();
      const { result, out } = await run({ argv: ["/bin/cat", "/proc/self/cgroup"], cgroup: { path: p, limits: {} } });
      assert.equal(result.exitCode, 0);
      const name = p.map(encodeURIComponent).join("/");
      // v1: the hierarchies every run gets (to kill it whole, and measure it); v2: the unified one.
      const v1 = /:freezer:/.test(out());
      const used = v1 ? /^\d+:([a-z,]*,)?(freezer|memory|cpuacct)(,[a-z,]*)?:/ : /^0::/;
      const lines = out().split("\n").filter((l) => used.test(l));
      assert.ok(lines.length > 0, out());
      for (const l of lines) assert.ok(l.endsWith(`/svcmgr/default/${name}`), `${l} is the run's cgroup`);
      // v1: a run without limit_cpus or limit_pids costs no cgroup in those hierarchies.
      const unneeded = out().split("\n").filter((l) => /^\d+:(cpu|pids):/.test(l));
      for (const l of unneeded) assert.ok(!l.includes("/svcmgr/"), `${l}: not made without a limit`);
      await hostCgroups("default").settled();
      assert.equal(hostCgroups("default").find(p), null, "the cgroup is removed once the run is over");
    });

    test("limit_pids and limit_cpus: the run joins the pids and cpu hierarchies too", async () => {
      const p = path();
      const { result, out } = await run({ argv: ["/bin/cat", "/proc/self/cgroup"], cgroup: { path: p, limits: { pids: 100, cpus: 1 } } });
      assert.equal(result.exitCode, 0);
      const name = p.map(encodeURIComponent).join("/");
      const lines = out().split("\n").filter((l) => /^\d+:([a-z,]*,)?(pids|cpu)(,[a-z,]*)?:/.test(l));
      for (const l of lines) assert.ok(l.endsWith(`/svcmgr/default/${name}`), `${l} is the run's cgroup`);
    });

    test("setsid and double forks do not escape the timeout", async () => {
      const m = marker();
      const started = Date.now();
      const { result } = await run({
        argv: ["/bin/sh", "-c", `setsid sleep 1000 ${m} >/dev/null 2>&1 & (setsid sh -c 'sleep 1001 ${m} &' >/dev/null 2>&1 &) ; sleep 1002 ${m}`],
        cgroup: { path: path(), limits: {} }, timeoutMs: 500, killGraceMs: 300,
      });
      assert.equal(result.timedOut, true);
      assert.ok(Date.now() - started < 5000);
      assert.deepEqual(alive(m), [], "nothing of the run survives");
    });

    test("a process left behind by a finished leader is killed with the run", async () => {
      const m = marker();
      const { result } = await run({ argv: ["/bin/sh", "-c", `setsid sleep 1000 ${m} >/dev/null 2>&1 </dev/null & echo done`], cgroup: { path: path(), limits: {} } });
      assert.equal(result.exitCode, 0);
      assert.equal(result.leftoversKilled, 1);
      assert.deepEqual(alive(m), []);
    });

    test("limit_memory: the kernel's OOM killer ends a task allocating past it, and it is counted", async () => {
      const { result } = await run({
        argv: [process.execPath, "-e", "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));"],
        cgroup: { path: path(), limits: { memory: 64 * 1024 * 1024 } }, timeoutMs: 30_000,
      });
      assert.equal(result.signal, "SIGKILL");
      assert.equal(result.timedOut, false);
      assert.ok(result.usage!.oomKills >= 1, `oom kills: ${result.usage!.oomKills}`);
      assert.ok(result.usage!.peakMemory! <= 64 * 1024 * 1024 && result.usage!.peakMemory! > 32 * 1024 * 1024, `peak ${result.usage!.peakMemory}`);
    });

    test("limit_pids: a fork bomb is contained, and ends with the run", async () => {
      const m = marker();
      const { result, out } = await run({
        argv: ["/bin/sh", "-c", `(i=0; while [ $i -lt 200 ]; do sleep 1000 ${m} >/dev/null & i=$((i+1)); done) 2>/dev/null; echo tried; sleep 0.2`],
        cgroup: { path: path(), limits: { pids: 20 } }, timeoutMs: 20_000,
      });
      assert.match(out(), /tried/);
      assert.ok(result.leftoversKilled! >= 10 && result.leftoversKilled! < 20, `fewer than 20 processes: ${result.leftoversKilled}`);
      assert.deepEqual(alive(m), []);
    });

    test("CPU seconds: what the task's processes used is measured, and limit_cpus holds it down", async () => {
      // A child burns CPU; the leader reports the CPU time of both (its own and the child's).
      const script = "const { execFileSync } = require('node:child_process'); execFileSync(process.execPath, ['-e', 'let x = 0; for (let i = 0; i < 1e8; i++) x += i;']); const u = process.cpuUsage(); const c = require('node:fs').readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); console.log((u.user + u.system) / 1e6 + (Number(c[13]) + Number(c[14])) / 100);";
      const free = await run({ argv: [process.execPath, "-e", script], cgroup: { path: path(), limits: {} } });
      const reported = Number(free.out().trim());
      const measured = free.result.usage!.cpuSeconds!;
      assert.ok(reported > 0.2 && measured >= reported * 0.9 && measured <= reported + 0.5, `measured ${measured} s, the processes say ${reported} s`);
      const started = Date.now();
      const slow = await run({ argv: [process.execPath, "-e", "const end = Date.now() + 1500; while (Date.now() < end);"], cgroup: { path: path(), limits: { cpus: 0.1 } } });
      const wall = (Date.now() - started) / 1000;
      assert.ok(slow.result.usage!.cpuSeconds! <= 0.1 * wall + 0.15, `at 0.1 CPU for ${wall} s: ${slow.result.usage!.cpuSeconds} s of CPU`);
    });
  });
}

describe("without writable cgroups", () => {
  const none = openCgroups({ version: null, why: "test: none" }, "t");
  const runner = createProcessRunner({ cgroups: none });

  test("a plain run works, contained by its process group", async () => {
    const r = await runner.run({ argv: ["/bin/true"], env: ENV, cwd: "/", cgroup: { path: path(), limits: {} } });
    assert.equal(r.exitCode, 0);
    assert.equal(runner.cgroupsUnavailable?.(), "test: none");
  });

  test("a limit is never silently ignored: not started, and said why", async () => {
    const r = await runner.run({ argv: ["/bin/true"], env: ENV, cwd: "/", cgroup: { path: path(), limits: { memory: 1 << 26, pids: 5 } } });
    assert.equal(r.pid, null);
    assert.equal(r.spawnError, "limit_memory, limit_pids cannot be enforced: cgroups are not writable here (test: none)");
  });

  test("a read-only place for cgroups says so", { skip }, () => {
    const ro = openCgroups({ version: 2, dir: "/proc/sys" }, "t");
    assert.match(ro.unavailable() ?? "", /cannot create \/proc\/sys\/svcmgr/);
  });
});

/** Removes a tree of (empty) cgroup directories, deepest first. */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  rmdirSync(dir);
}

test("svcmgr's cgroup bases are made once; removed by hand since, they are made again by the next run", { skip }, async () => {
  const scope = `rebase${process.pid}`;
  const layout = detectCgroupLayout(readFileSync("/proc/self/cgroup", "utf8"), readFileSync("/proc/self/mountinfo", "utf8"));
  const bases = layout.version === 2 ? [join(layout.dir, "svcmgr", scope)] : layout.version === 1 ? layout.hierarchies.map((h) => join(h.dir, "svcmgr", scope)) : [];
  const runner = createProcessRunner({ pipeGraceMs: 200, cgroupScope: scope });
  const runIn = async (p: string[]) => {
    let out = "";
    const result = await runner.run({ argv: ["/bin/cat", "/proc/self/cgroup"], env: ENV, cwd: "/", onOutput: (_s, c) => (out += c.toString()), cgroup: { path: p, limits: {} } });
    await hostCgroups(scope).settled();
    return { result, out };
  };
  try {
    const first = await runIn(["cgtest", "task#1", marker()]);
    assert.equal(first.result.exitCode, 0);
    for (const b of bases) removeCgroupTree(b);
    const name = marker();
    const again = await runIn(["cgtest", "task#1", name]);
    assert.equal(again.result.exitCode, 0, "the run starts although its bases were gone");
    assert.match(again.out, new RegExp(`/svcmgr/${scope}/cgtest/task%231/${name.replace(".", "\\.")}$`, "m"), "and runs in its own cgroup");
  } finally {
    for (const b of bases) removeCgroupTree(b);
  }
});

test("the leftover cgroup directories of this file are gone", { skip }, () => {
  const cg = hostCgroups("default");
  assert.deepEqual(cg.list().filter(([svc]) => svc === "cgtest"), []);
  assert.ok(existsSync(join("/proc/self")));
});
