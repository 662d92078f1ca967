import { accessSync, constants } from "node:fs";
import type { ProcessRunner, RunContainerReaper } from "../core/ports.js";
import { RUN_PATH } from "../run/environment.js";
import { containerName, LABEL_SCOPE } from "../run/drivers/podman-args.js";

/** How long one listing of this root's containers answers for (the daemon reaps many records in a row at start). */
const LIST_TTL_MS = 5000;

/**
 * The containers of runs whose svcmgr was killed (kill -9, a crash): `podman run` was only its
 * client, so the container may still run. Found by the name svcmgr gave it (service, rid and
 * the run's session) among this root's containers (label `svcmgr.scope`, one listing for many
 * records), removed with `podman rm --force --time 0` (killed if it still runs).
 */
export function runContainerReaper(runner: ProcessRunner, scope: string): RunContainerReaper {
  const podman = async (args: readonly string[]) => {
    const out: Buffer[] = [];
    const env = { PATH: RUN_PATH, HOME: process.env.HOME ?? "/", LANG: "C.UTF-8" };
    const r = await runner.run({ argv: ["podman", ...args], env, cwd: "/", timeoutMs: 60_000, killGraceMs: 1000, onOutput: (s, c) => s === "stdout" && out.push(c) });
    return { ok: r.exitCode === 0, stdout: Buffer.concat(out).toString("utf8") };
  };
  let listed: { at: number; names: Promise<Set<string>> } | undefined;
  const names = () => {
    if (listed === undefined || Date.now() - listed.at > LIST_TTL_MS) {
      const names = podman(["ps", "--all", "--filter", `label=${LABEL_SCOPE}=${scope}`, "--format", "{{.Names}}"]).then((r) => new Set(r.ok ? r.stdout.split("\n").filter((n) => n !== "") : []));
      listed = { at: Date.now(), names };
    }
    return listed.names;
  };
  return {
    reap: async (svc, rid, session) => {
      try {
        if (!podmanInstalled()) return false;
        const name = containerName(svc, rid, session);
        if (!(await names()).has(name)) return false;
        const r = await podman(["rm", "--force", "--time", "0", "--ignore", name]);
        return r.ok && r.stdout.trim() !== "";
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
