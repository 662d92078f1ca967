import { constants } from "node:os";
import type { Readable } from "node:stream";
import { nativeAddon } from "./native-addon.js";
import { closeInheritedDescriptors } from "./inherited-fds.js";

export type OutputStream = "stdout" | "stderr";
/** A chunk of output, or null once that stream is closed. */
export type OutputListener = (stream: OutputStream, chunk: Buffer | null) => void;
export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/**
 * A started task process: the leader of its own session and process group (pid = pgid),
 * stdin on /dev/null, stdout and stderr on pipes read here. Events that come before their
 * listener is set are kept for it, so none can be missed.
 */
export interface TaskProcess {
  readonly pid: number;
  /** The leader's start time (/proc/<pid>/stat field 22) when the launcher read it; undefined: not read. */
  readonly startTime?: number | null;
  /** Output chunks per stream in arrival order, then null once that stream is closed: exactly once per stream. */
  onOutput(listener: OutputListener): void;
  /** Called once when the leader ends. */
  onExit(listener: ExitListener): void;
  /** Stops reading pipes that something outside the task's group still holds: each stream not yet closed reports null now. */
  abandonOutput(): void;
}

/**
 * Starts `file` (an absolute path) with argv and exactly `env`, in `cwd`; with `cgroupProcs`,
 * the child writes itself into each of those cgroup.procs files before the task's program runs.
 * Rejects with an errno error (`code` such as ENOENT, EACCES) when nothing was started.
 */
export type SpawnTask = (file: string, argv: readonly string[], options: SpawnOptions) => Promise<TaskProcess>;

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cgroupProcs?: readonly string[];
}

/** The native (vfork) launcher when its addon is built and the kernel has pidfds, else Node's. */
export function defaultSpawnTask(): SpawnTask {
  return nativeSpawnTask() ?? nodeSpawnTask;
}

/**
 * Node's child_process: forks the agent, which costs in proportion to the agent's memory.
 * Loaded at the first spawn: child_process brings net, dgram and the streams with it.
 * The child gets no descriptor above 2: the agent first closes those it inherited without
 * close-on-exec (inherited-fds.ts), once, since everything it opens itself is close-on-exec.
 */
let inheritedClosed = false;
export const nodeSpawnTask: SpawnTask = async (taskFile, taskArgv, { cwd, env, cgroupProcs }) => {
  const { spawn } = await import("node:child_process");
  if (!inheritedClosed) {
    closeInheritedDescriptors();
    inheritedClosed = true;
  }
  const [file, argv] = cgroupProcs === undefined || cgroupProcs.length === 0 ? [taskFile, taskArgv] : cgroupJoinArgv(taskFile, taskArgv, cgroupProcs, env);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv.slice(1), { argv0: argv[0], cwd, env: { ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid === undefined) {
      child.once("error", reject);
      return;
    }
    const events = new TaskEvents();
    child.once("exit", (code, signal) => events.exited(code, signal));
    const read = (stream: OutputStream, s: Readable) => {
      s.on("data", (chunk: Buffer) => events.output(stream, chunk));
      s.once("close", () => events.output(stream, null));
    };
    read("stdout", child.stdout!);
    read("stderr", child.stderr!);
    resolve({
      pid: child.pid,
      onOutput: (l) => events.onOutput(l),
      onExit: (l) => events.onExit(l),
      abandonOutput: () => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        events.closeOpenStreams();
      },
    });
  });
};

/**
 * Node's spawn cannot run code in the child before exec: a /bin/sh prelude writes its own pid
 * into each cgroup.procs file, then execs the task in the same pid (so nothing of the task
 * runs outside the cgroup). A write that fails ends it with 127 before the task starts.
 * dash exports PWD: it is unset first unless the task's env has one, to keep the env exact.
 */
export function cgroupJoinArgv(file: string, argv: readonly string[], procs: readonly string[], env: Readonly<Record<string, string>>): [string, string[]] {
  const unsetPwd = "PWD" in env ? "" : "unset PWD; ";
  const script = `${unsetPwd}while [ "$1" != -- ]; do echo $$ >"$1" || exit 127; shift; done; shift; exec "$@"`;
  return ["/bin/sh", ["/bin/sh", "-c", script, "svcmgr", ...procs, "--", file, ...argv.slice(1)]];
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
const STREAM_OF_EVENT: readonly OutputStream[] = ["stdout", "stdout", "stderr"]; // native event kinds 1 and 2

/**
 * vfork through the addon: the child shares the agent's memory until exec instead of
 * copying its page tables, so a start costs the same however large the agent is; and the
 * vfork happens on a libuv pool thread, so the event loop does not wait for the exec. The
 * addon also reads the pipes itself, so a run costs no Node stream.
 */
export function nativeSpawnTask(): SpawnTask | null {
  const native = nativeAddon();
  if (native === null || !native.spawnSupported) return null;
  return async (file, argv, { cwd, env, cgroupProcs }) => {
    const envp = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const nul = [file, cwd, ...argv, ...envp].find((s) => s.includes("\0"));
    if (nul !== undefined) throw Object.assign(new Error(`argument contains a NUL byte: ${JSON.stringify(nul)}`), { code: "ERR_INVALID_ARG_VALUE" });
    const events = new TaskEvents();
    const [pid, startTime, handle] = await native.spawn(file, argv, envp, cwd, (kind, a, b) => {
      if (kind !== 0) return events.output(STREAM_OF_EVENT[kind]!, a as Buffer | null);
      events.exited(a as number | null, b === null ? null : (signalNames.get(b as number) ?? (`SIG${b}` as NodeJS.Signals)));
    }, cgroupProcs);
    return {
      pid,
      startTime,
      onOutput: (l) => events.onOutput(l),
      onExit: (l) => events.onExit(l),
      abandonOutput: () => {
        native.abandonOutput(handle);
        events.closeOpenStreams();
      },
    };
  };
}

/** A task's events, kept until their listeners are set; each stream closes exactly once. */
class TaskEvents {
  #outputListener: OutputListener | null = null;
  #early: Array<[OutputStream, Buffer | null]> = [];
  readonly #open = new Set<OutputStream>(["stdout", "stderr"]);
  #exitListener: ExitListener | null = null;
  #ended: Parameters<ExitListener> | null = null;

  output(stream: OutputStream, chunk: Buffer | null): void {
    if (!this.#open.has(stream)) return;
    if (chunk === null) this.#open.delete(stream);
    if (this.#outputListener !== null) this.#outputListener(stream, chunk);
    else this.#early.push([stream, chunk]);
  }

  closeOpenStreams(): void {
    for (const stream of [...this.#open]) this.output(stream, null);
  }

  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#ended = [code, signal];
    this.#exitListener?.(code, signal);
  }

  onOutput(listener: OutputListener): void {
    this.#outputListener = listener;
    for (const [stream, chunk] of this.#early.splice(0)) listener(stream, chunk);
  }

  onExit(listener: ExitListener): void {
    if (this.#ended !== null) listener(...this.#ended);
    else this.#exitListener = listener;
  }
}
