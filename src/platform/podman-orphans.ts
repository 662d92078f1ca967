import { accessSync, constants } from "node:fs";
import type { ProcessRunner, RunContainerReaper } from "../core/ports.js";
import { RUN_PATH } from "../run/environment.js";
import { containerName } from "../run/drivers/podman-args.js";

/**
 * The containers of runs whose svcmgr was killed (kill -9, a crash): `podman run` was only its
 * client, so the container may still run. Found by the name svcmgr gave it (service, rid and
 * the run's session), removed with `podman rm --force --time 0` (killed if it still runs).
 */
export function runContainerReaper(runner: ProcessRunner): RunContainerReaper {
  return {
    reap: async (svc, rid, session) => {
      if (!podmanInstalled()) return false;
      const name = containerName(svc, rid, session);
      const out: Buffer[] = [];
      try {
        const r = await runner.run({ argv: ["podman", "rm", "--force", "--time", "0", "--ignore", name], env: { PATH: RUN_PATH, HOME: process.env.HOME ?? "/", LANG: "C.UTF-8" }, cwd: "/", timeoutMs: 60_000, killGraceMs: 1000, onOutput: (s, c) => s === "stdout" && out.push(c) });
        return r.exitCode === 0 && Buffer.concat(out).toString("utf8").trim() !== "";
      } catch {
        return false;
      }
    },
  };
}

function podmanInstalled(): boolean {
  return RUN_PATH.split(":").some((dir) => {
    try {
      accessSync(`${dir}/podman`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
