import type { ProcessRunner, ProcessResult } from "../../core/ports.js";
import { formatArgv } from "../command-line.js";
import type { AfterCommand, DriverIo, TaskDriver } from "../task-driver.js";
import { containerName, podmanRunArgv, type PodmanFacts } from "./podman-args.js";

/** What the podman driver needs from the host besides the runner. */
export interface PodmanPorts extends PodmanFacts {
  /** OOM kills the kernel logged for the container with this id (its cgroup is gone by now). */
  kernelOomKills(containerId: string): number;
}

/** How long each podman command of the cleanup may take. */
const CLEANUP_TIMEOUT_MS = 30_000;

/**
 * task.podman: the command runs in a new container (`podman run`, attached: its output is the
 * run's output, its exit code the run's). `podman run` is only a client: killing it (timeout,
 * stop) does not stop the container. So after the client ends, however it ended, svcmgr reads
 * how the container ended and removes it (`podman rm --force --time 0`: a container still
 * running is killed). A container left by a killed svcmgr is removed when the daemon starts.
 */
export function podmanDriver(ports: PodmanPorts): TaskDriver {
  return {
    type: "task.podman",
    ownLimits: true,
    commandLine: (task, run) => {
      const argv = podmanRunArgv(task.container!, run, task.rid, ports);
      return { mode: "exec", argv, display: formatArgv(argv) };
    },
    afterCommand: async (task, run, result, io) => {
      // podman did not start (not installed): there is no container, and nothing to ask podman.
      if (result.spawnError !== undefined) return {};
      const name = containerName(run.svc, task.rid, run.session);
      const ended = await inspect(io, name);
      const removed = await podman(io, ["rm", "--force", "--time", "0", "--ignore", name]);
      const notes: string[] = [];
      if (!removed.ok) notes.push(`container ${name} could not be removed: ${removed.text.trim() || "podman rm failed"}`);
      if (ended === null) {
        if (result.exitCode === 125) notes.push("podman could not create the container (exit 125): see its message in the output");
        return { usageNotMeasured: true, notes };
      }
      const oomKills = ended.oomKilled ? 1 : oomSuspect(result, run.limits.memory) ? ports.kernelOomKills(ended.id) : 0;
      return { usageNotMeasured: true, oomKills, notes } satisfies AfterCommand;
    },
  };
}

/** A container killed by SIGKILL (exit 137) under a memory limit may have met the OOM killer. */
function oomSuspect(result: ProcessResult, memory: number | undefined): boolean {
  return memory !== undefined && result.exitCode === 137;
}

async function inspect(io: DriverIo, name: string): Promise<{ id: string; oomKilled: boolean } | null> {
  const r = await podman(io, ["container", "inspect", "--format", "{{.Id}} {{.State.OOMKilled}}", name]);
  const [id, oom] = r.text.trim().split(" ");
  return r.ok && id !== undefined && /^[0-9a-f]{64}$/.test(id) ? { id, oomKilled: oom === "true" } : null;
}

async function podman(io: DriverIo, args: readonly string[]): Promise<{ ok: boolean; text: string }> {
  return runQuiet(io.runner, ["podman", ...args], io);
}

/** Runs a helper command of a driver, its output collected (stdout, then stderr when it failed). */
export async function runQuiet(runner: ProcessRunner, argv: readonly string[], io: Pick<DriverIo, "env" | "cwd">): Promise<{ ok: boolean; text: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const r = await runner.run({ argv, env: io.env, cwd: io.cwd, timeoutMs: CLEANUP_TIMEOUT_MS, killGraceMs: 1000, onOutput: (s, chunk) => (s === "stdout" ? out : err).push(chunk) });
  const ok = r.exitCode === 0;
  return { ok, text: Buffer.concat(ok ? out : [...out, ...err]).toString("utf8") };
}
