import type { RunCgroupReaper } from "../core/ports.js";
import type { Cgroups } from "./cgroup.js";

export function runCgroupReaper(cgroups: Cgroups): RunCgroupReaper {
  return {
    unavailable: () => cgroups.unavailable(),
    reap: async (svc, rid, runId) => {
      if (cgroups.unavailable() !== null) return 0;
      const names = new Set([String(runId)]);
      for (const [s, r, name] of cgroups.list()) if (s === svc && r === rid && name!.startsWith(`${runId}.`)) names.add(name!);
      let alive = 0;
      for (const name of names) {
        const cg = cgroups.find([svc, rid, name]);
        if (cg === null) continue;
        alive += cg.members().length;
        await cg.kill();
        cg.remove();
      }
      return alive;
    },
  };
}
