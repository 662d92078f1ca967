import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProcessUsage } from "../core/ports.js";

/**
 * What a run's cgroup measured, read when its leader has ended (a few small files, read at
 * once: cgroupfs answers from memory). v1: the memory and cpuacct hierarchies, when the run
 * has them; v2: the run's one directory.
 */
function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** `key N` lines (memory.oom_control, memory.events, cpu.stat): N of `key`, or null. */
function readKey(file: string, key: string): number | null {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, "m").exec(readFileSync(file, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function usageV1(memoryDir: string | undefined, cpuacctDir: string | undefined): ProcessUsage {
  const ns = cpuacctDir === undefined ? null : readNumber(join(cpuacctDir, "cpuacct.usage"));
  return {
    peakMemory: memoryDir === undefined ? null : readNumber(join(memoryDir, "memory.max_usage_in_bytes")),
    cpuSeconds: ns === null ? null : ns / 1e9,
    oomKills: memoryDir === undefined ? 0 : (readKey(join(memoryDir, "memory.oom_control"), "oom_kill") ?? 0),
  };
}

export function usageV2(dir: string): ProcessUsage {
  const us = readKey(join(dir, "cpu.stat"), "usage_usec");
  return {
    peakMemory: readNumber(join(dir, "memory.peak")),
    cpuSeconds: us === null ? null : us / 1e6,
    oomKills: readKey(join(dir, "memory.events"), "oom_kill") ?? 0,
  };
}
