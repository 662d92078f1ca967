import { spawn } from "node:child_process";
import { Socket } from "node:net";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { nativeAddon } from "./native-addon.js";

/**
 * A started task process: the leader of its own session and process group (pid = pgid),
 * stdin on /dev/null, stdout and stderr on pipes read here. Attach the stream listeners as
 * soon as the spawn settles (before any I/O turn), as for any Node stream.
 */
export interface TaskProcess {
  readonly pid: number;
  /** The leader's start time (/proc/<pid>/stat field 22) when the launcher read it; undefined: not read. */
  readonly startTime?: number | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Called once when the leader ends (even if that was before the listener was set). */
  onExit(listener: ExitListener): void;
}

/**
 * Starts `file` (an absolute path) with argv and exactly `env`, in `cwd`.
 * Rejects with an errno error (`code` such as ENOENT, EACCES) when nothing was started.
 */
export type SpawnTask = (file: string, argv: readonly string[], options: { cwd: string; env: Readonly<Record<string, string>> }) => Promise<TaskProcess>;

/** The native (vfork) launcher when its addon is built and the kernel has pidfds, else Node's. */
export function defaultSpawnTask(): SpawnTask {
  return nativeSpawnTask() ?? nodeSpawnTask;
}

/** Node's child_process: forks the agent, which costs in proportion to the agent's memory. */
export const nodeSpawnTask: SpawnTask = (file, argv, { cwd, env }) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, argv.slice(1), { argv0: argv[0], cwd, env: { ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid === undefined) {
      child.once("error", reject);
      return;
    }
    const exit = exitLatch();
    child.once("exit", exit.fire);
    resolve({ pid: child.pid, stdout: child.stdout!, stderr: child.stderr!, onExit: exit.onExit });
  });

type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/** Keeps the leader's end until a listener is set, so none can be missed. */
function exitLatch(): { fire: ExitListener; onExit: (listener: ExitListener) => void } {
  let ended: Parameters<ExitListener> | null = null;
  let listener: ExitListener | null = null;
  return {
    fire: (code, signal) => {
      ended = [code, signal];
      listener?.(code, signal);
    },
    onExit: (l) => (ended === null ? (listener = l) : l(...ended)),
  };
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/**
 * vfork through the addon: the child shares the agent's memory until exec instead of
 * copying its page tables, so a start costs the same however large the agent is; and the
 * vfork happens on a libuv pool thread, so the event loop does not wait for the exec.
 */
export function nativeSpawnTask(): SpawnTask | null {
  const native = nativeAddon();
  if (native === null || !native.spawnSupported) return null;
  return async (file, argv, { cwd, env }) => {
    const envp = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const nul = [file, cwd, ...argv, ...envp].find((s) => s.includes("\0"));
    if (nul !== undefined) throw Object.assign(new Error(`argument contains a NUL byte: ${JSON.stringify(nul)}`), { code: "ERR_INVALID_ARG_VALUE" });
    const exit = exitLatch();
    const [pid, outFd, errFd, startTime] = await native.spawn(file, argv, envp, cwd, (code, signal) =>
      exit.fire(code, signal === null ? null : (signalNames.get(signal) ?? (`SIG${signal}` as NodeJS.Signals))),
    );
    return {
      pid,
      startTime,
      stdout: new Socket({ fd: outFd, readable: true, writable: false }),
      stderr: new Socket({ fd: errFd, readable: true, writable: false }),
      onExit: exit.onExit,
    };
  };
}
