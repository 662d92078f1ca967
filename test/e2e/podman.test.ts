/**
 * Container tasks end to end (design §15) with real podman and a local image made in the
 * test from busybox (`podman import`, no registry): output and exit code recorded, the
 * container's environment, mounts, user and workdir, a timeout and a stop that leave no
 * container, an OOM kill at limit_memory recorded as such, a missing image, container_update
 * replacing a running container, and the container of a run whose daemon was killed -9
 * removed by the next daemon. Every container and image made here has a random name and is
 * removed at the end.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collect, makeRoot, spawnCli, type TestRoot } from "./helpers.js";
import { killAllDaemons, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";
import { skipUnless } from "../helpers/require-all.js";
import type { RunRecord } from "../../src/core/run-record.js";
import { parseHardLimits } from "../../src/platform/podman-host.js";

const BUSYBOX = "/bin/busybox";
const hasPodman = spawnSync("podman", ["--version"], { encoding: "utf8" }).status === 0;
const skip = skipUnless(hasPodman && existsSync(BUSYBOX) && process.getuid?.() === 0, "needs podman, runc and busybox-static (apt-get install podman runc busybox-static) and root");

const tag = Math.random().toString(16).slice(2, 10);
const IMAGE = `localhost/svcmgr-test-${tag}`;
const made: string[] = []; // containers made by the test itself

function podman(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("podman", args, { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An image of busybox with every applet linked, and /version saying `v`. */
function importImage(ref: string, version: string): void {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-img-"));
  try {
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "tmp"));
    copyFileSync(BUSYBOX, join(dir, "bin", "busybox"));
    const applets = spawnSync(BUSYBOX, ["--list"], { encoding: "utf8" }).stdout.split("\n").filter((a) => a !== "" && a !== "busybox");
    for (const a of applets) symlinkSync("busybox", join(dir, "bin", a));
    writeFileSync(join(dir, "version"), `${version}\n`);
    const tar = spawnSync("tar", ["-C", dir, "-cf", join(dir, "..", `${tag}-${version}.tar`), "."]);
    assert.equal(tar.status, 0);
    const r = podman("import", "-q", "--change", "CMD=/bin/sh", join(dir, "..", `${tag}-${version}.tar`), ref);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, "..", `${tag}-${version}.tar`), { force: true });
  }
}

/** Containers (any state) whose name starts with `prefix`. */
function containers(prefix: string): string[] {
  return podman("ps", "-a", "--format", "{{.Names}}").stdout.split("\n").filter((n) => n.startsWith(prefix));
}

const svcName = (base: string) => `${base}${tag}`;

function lastRecord(root: TestRoot, svc: string): RunRecord {
  return root.history(svc).at(-1)!;
}

before(() => {
  if (skip !== false) return;
  importImage(`${IMAGE}:v1`, "v1");
  importImage(`${IMAGE}:v2`, "v2");
});

after(async () => {
  await killAllDaemons();
  if (skip !== false) return;
  for (const c of [...made, ...containers(`svcmgr-`).filter((n) => n.includes(tag))]) podman("rm", "--force", "--time", "0", "--ignore", c);
  podman("rmi", "--force", `${IMAGE}:v1`, `${IMAGE}:v2`);
});

describe("type = podman tasks", { skip, concurrency: true }, () => {
  test("output, exit code, environment, volume_mounts, user and cwd: the run's, recorded; the container is removed", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("out");
    const shared = mkdtempSync(join(tmpdir(), "svcmgr-vol-"));
    t.after(() => rmSync(shared, { recursive: true, force: true }));
    writeFileSync(join(shared, "data.txt"), "from the host\n", { mode: 0o644 });
    chmodSync(shared, 0o755);
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sh -c 'echo "foo=$FOO run=$SVCMGR_RUN_ID home=\${HOME:-none}"; cat /data/data.txt; echo "uid=$(id -u) cwd=$(pwd)"; echo "nofile=$(ulimit -Hn)"; echo oops >&2; exit 3'\nenvironment = FOO="a b"\nvolume_mounts = ${shared}:/data:ro\nuser = 1234\ncwd = /tmp\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 1, r.stderr);
    const rec = lastRecord(root, svc);
    assert.equal(rec.status, "failed");
    assert.equal(rec.exitCode, 3);
    assert.match(rec.command ?? "", /^podman run --name svcmgr-/);
    const out = await root.run(["-s", svc, "print", "run", String(rec.id), "--full"]);
    assert.match(out.stdout, new RegExp(`foo=a b run=${rec.id} home=`), "environment values reach the container");
    assert.doesNotMatch(out.stdout, /home=\/root/, "the host's HOME does not");
    assert.match(out.stdout, /from the host/);
    assert.match(out.stdout, /uid=1234 cwd=\/tmp/);
    assert.match(out.stdout, /oops/);
    const hard = parseHardLimits(readFileSync("/proc/self/limits", "utf8")).nofile;
    assert.match(out.stdout, new RegExp(`nofile=${Math.min(hard ?? 1_048_576, 1_048_576)}\n`), "the container's ulimits are svcmgr's hard limits (podman's defaults may exceed them)");
    assert.doesNotMatch(rec.command ?? "", /a b/, "values are not on podman's command line");
    assert.deepEqual(containers(`svcmgr-${svc}-`), [], "the container is removed");
  });

  test("--dry-run prints the podman command line and runs nothing", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("dry");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = echo hi\nlimit_memory = 64m\nlimit_cpus = 0.5\nlimit_pids = 50\nrun_args = --network none\n`);
    const r = await root.runTasks(svc, ["--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /would run \(exec\) .*podman run --name svcmgr-.* --pull missing --init .*--memory 67108864 --memory-swap 67108864 --cpus 0\.5 --pids-limit 50 --ulimit nofile\\=\d+\\:\d+ --ulimit nproc\\=\d+\\:\d+ --network none .*svcmgr-test-\w+\\:v1 echo hi/);
    assert.equal(root.history(svc).length, 0);
  });

  test("timeout: the container is killed and removed, the run recorded timed out", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("slow");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sleep 1000\ninit = false\ntimeout = 1\n`);
    const started = Date.now();
    const r = await root.runTasks(svc);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(lastRecord(root, svc).status, "timed_out");
    assert.ok(Date.now() - started < 20_000);
    assert.deepEqual(containers(`svcmgr-${svc}-`), [], "no container left");
  });

  test("a stop (SIGINT to run) stops the container: recorded aborted, no container left", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("stop");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sh -c 'echo started; sleep 1000'\n`);
    const child = spawnCli(["--root", root.dir, "-s", svc, "run"]);
    const done = collect(child);
    await waitFor(() => containers(`svcmgr-${svc}-`).length === 1 && podman("logs", containers(`svcmgr-${svc}-`)[0]!).stdout.includes("started"));
    child.kill("SIGINT");
    const r = await done;
    assert.equal(r.status, 130, r.stderr);
    assert.equal(lastRecord(root, svc).status, "aborted");
    assert.deepEqual(containers(`svcmgr-${svc}-`), []);
  });

  test("limit_memory: an allocation past it is OOM-killed in the container, recorded failed naming the limit", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("oom");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sh -c 'x=$(head -c 200000000 /dev/zero | tr "\\\\0" a); echo survived'\nlimit_memory = 32m\ninit = false\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 1, r.stderr);
    const rec = lastRecord(root, svc);
    assert.equal(rec.status, "failed");
    assert.equal(rec.exitCode, 137);
    assert.match(rec.reason ?? "", /killed by the kernel's OOM killer: the run reached the memory limit \(limit_memory = 32 MiB\)/);
    assert.doesNotMatch(r.stdout, /survived/);
  });

  test("limit_cpus and limit_pids are the container's cgroup's (cpu quota, pids.max)", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("lim");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sh -c 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us /sys/fs/cgroup/cpu.max 2>/dev/null; true'\nlimit_cpus = 0.5\nlimit_pids = 12\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^12$/m, "pids.max");
    assert.match(r.stdout, /^50000( 100000)?$/m, "half of each 100 ms period");
  });

  test("image_pull_policy = once with an image neither stored nor pullable: a clear failure, podman's message in the output", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("miss");
    root.writeConf(svc, `[task#0]\ntype = podman\nimage = localhost:1/svcmgr-missing-${tag}:none\nimage_pull_policy = once\ncommand = true\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 1);
    const rec = lastRecord(root, svc);
    assert.equal(rec.status, "failed");
    assert.equal(rec.exitCode, 125);
    assert.match(rec.reason ?? "", /podman could not create the container \(exit 125\): see its message in the output/);
    assert.match(r.stderr, new RegExp(`svcmgr-missing-${tag}`));
  });
});

describe("type = container_update", { skip }, () => {
  test("replaces a running container: same name, new id, the new image, the old container gone", async (t) => {
    const root = makeRoot(t);
    const name = `web-${tag}`;
    made.push(name, `${name}-previous`);
    const run = podman("run", "-d", "--name", name, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "-e", "KEEP=me", `${IMAGE}:v1`, "sleep", "1000");
    assert.equal(run.status, 0, run.stderr);
    const oldId = run.stdout.trim();
    const svc = svcName("upd");
    root.writeConf(svc, `[task#0]\ntype = container_update\ncontainer = ${name}\nimage = ${IMAGE}:v2\nimage_pull_policy = once\nstop_timeout = 1\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`replaced container ${name}: ${oldId.slice(0, 12)} .* → \\w{12} \\(${IMAGE}:v2\\), running`));
    const now = JSON.parse(podman("container", "inspect", name).stdout)[0] as { Id: string; ImageName: string; State: { Running: boolean }; Config: { Env: string[] } };
    assert.notEqual(now.Id, oldId);
    assert.equal(now.ImageName, `${IMAGE}:v2`);
    assert.equal(now.State.Running, true);
    assert.ok(now.Config.Env.includes("KEEP=me"), "made with the old one's options");
    assert.equal(podman("exec", name, "cat", "/version").stdout.trim(), "v2");
    assert.deepEqual(containers(`${name}-previous`), []);
    assert.equal(lastRecord(root, svc).status, "succeeded");
  });

  test("a container that does not exist: the run fails saying so, nothing else touched", async (t) => {
    const root = makeRoot(t);
    const svc = svcName("nope");
    root.writeConf(svc, `[task#0]\ntype = container_update\ncontainer = nope-${tag}\nimage_pull_policy = once\n`);
    const r = await root.runTasks(svc);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`container-update: no container "nope-${tag}"`));
    assert.equal(lastRecord(root, svc).status, "failed");
  });
});

describe("podman tasks and the daemon", { skip }, () => {
  test("daemon killed with -9 while a container runs: the restarted daemon removes the container and records the run interrupted", async (t) => {
    const o = setup(t);
    const svc = svcName("orph");
    o.root.writeConf(svc, `[task#1]\ntype = podman\nimage = ${IMAGE}:v1\ncommand = sleep 1000\nschedule = @1h\n`);
    const d1 = startDaemon(o);
    await waitRecords(o.root, "the run in flight", (rs) => rs.some((x) => x.status === "running" && x.pid !== null), 15_000, d1);
    await waitFor(() => podman("ps", "--filter", "status=running", "--format", "{{.Names}}").stdout.includes(`svcmgr-${svc}-`));
    const run = records(o.root).find((x) => x.status === "running")!;
    await d1.stop("SIGKILL");
    const d2 = startDaemon(o);
    const removed = await d2.waitEvent("the container removed", (e) => e.event === "orphan-container-removed", 30_000);
    assert.equal(removed.runId, run.id);
    await d2.waitEvent("the run recorded interrupted", (e) => e.event === "interrupted" && e.runId === run.id, 15_000);
    assert.deepEqual(containers(`svcmgr-${svc}-`), [], "no container left");
    assert.match(records(o.root).find((x) => x.id === run.id)!.reason ?? "", /its container removed at daemon start/);
    await d2.stop("SIGTERM");
  });
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}


