import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import { resolve } from "node:path";
import type { HardLimits } from "../run/drivers/podman-args.js";
import type { DriverPorts } from "../run/drivers/registry.js";
import { cgroupScope } from "./cgroup.js";

/** The drivers' ports for the svcmgr root whose var directory is `varDir`. */
export function driverPorts(varDir: string): DriverPorts {
  return {
    podman: { scope: cgroupScope(varDir), hardLimits: hardLimits(), kernelOomKills },
    self: [process.execPath, resolve(process.argv[1] ?? "svcmgr")],
  };
}

let limits: HardLimits | undefined;

/** svcmgr's own hard RLIMIT_NOFILE and RLIMIT_NPROC (/proc/self/limits; null: unlimited or unknown), read once. */
export function hardLimits(): HardLimits {
  return (limits ??= parseHardLimits(readText("/proc/self/limits")));
}

export function parseHardLimits(text: string): HardLimits {
  const hard = (label: string): number | null => {
    const line = text.split("\n").find((l) => l.startsWith(label));
    const value = line?.slice(label.length).trim().split(/\s+/)[1];
    return value === undefined || !/^\d+$/.test(value) ? null : Number(value);
  };
  return { nofile: hard("Max open files"), nproc: hard("Max processes") };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * OOM kills the kernel's log (/dev/kmsg) records in the memory cgroup of container `id`
 * (`oom-kill:…,oom_memcg=/…/libpod-<id>…` with cgroupfs, `libpod-<id>.scope` with systemd).
 * Podman's own flag (State.OOMKilled) is not set on every host: conmon watches the wrong
 * file on a hybrid cgroup v1 host. 0 when the log cannot be read.
 */
export function kernelOomKills(id: string): number {
  let fd: number;
  try {
    fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return 0;
  }
  let kills = 0;
  const buf = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EPIPE") continue; // a record overwritten while reading
        break; // EAGAIN: the end of the log
      }
      if (n <= 0) break;
      const record = buf.toString("utf8", 0, n);
      if (record.includes("oom-kill:") && record.includes(`oom_memcg=`) && record.includes(id)) kills++;
    }
  } finally {
    closeSync(fd);
  }
  return kills;
}
