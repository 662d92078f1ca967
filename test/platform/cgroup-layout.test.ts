import { test } from "node:test";
import assert from "node:assert/strict";
import { detectCgroupLayout } from "../../src/platform/cgroup-layout.js";

const HYBRID_MOUNTS = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;

const HYBRID_SELF = `9:name=systemd:/
8:pids:/
6:freezer:/
4:memory:/process_api/fa5e
3:cpuset:/
1:cpu,cpuacct:/user.slice
0::/`;

test("v1 hybrid: one hierarchy per mount, co-mounted controllers shared, under the process's own cgroup", () => {
  assert.deepEqual(detectCgroupLayout(HYBRID_SELF, HYBRID_MOUNTS), {
    version: 1,
    hierarchies: [
      { controllers: ["cpu", "cpuacct"], dir: "/sys/fs/cgroup/cpu,cpuacct/user.slice" },
      { controllers: ["memory"], dir: "/sys/fs/cgroup/memory/process_api/fa5e" },
      { controllers: ["freezer"], dir: "/sys/fs/cgroup/freezer" },
      { controllers: ["pids"], dir: "/sys/fs/cgroup/pids" },
    ],
  });
});

test("v2 unified: the process's cgroup under the cgroup2 mount", () => {
  const mounts = "29 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate";
  assert.deepEqual(detectCgroupLayout("0::/system.slice/svcmgr.service\n", mounts), { version: 2, dir: "/sys/fs/cgroup/system.slice/svcmgr.service" });
});

test("a container's mount whose root is a cgroup below /: paths are taken relative to it", () => {
  const mounts = "29 22 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw";
  assert.deepEqual(detectCgroupLayout("0::/docker/abc/app\n", mounts), { version: 2, dir: "/sys/fs/cgroup/app" });
  assert.deepEqual(detectCgroupLayout("0::/elsewhere\n", mounts).version, null);
});

test("no freezer on v1, or nothing mounted: no cgroups, and why", () => {
  const noFreezer = HYBRID_MOUNTS.split("\n").filter((l) => !l.includes("freezer")).join("\n");
  assert.deepEqual(detectCgroupLayout(HYBRID_SELF, noFreezer), { version: null, why: "cgroup v1 without a freezer hierarchy (needed to kill a whole run)" });
  assert.deepEqual(detectCgroupLayout("", "22 1 0:5 / /proc rw - proc proc rw"), { version: null, why: "no cgroup filesystem mounted" });
});

test("escaped mount points (\\040 is a space)", () => {
  const mounts = "29 22 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw";
  assert.deepEqual(detectCgroupLayout("0::/a\n", mounts), { version: 2, dir: "/sys/fs/my cgroup/a" });
});
