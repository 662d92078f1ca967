/**
 * The boundaries between svcmgr's logic and the outside world. Only src/platform/
 * implements them with Node I/O; tests substitute fakes.
 */

/** Wall-clock time and timers. Timers are never armed for more than the caller asks. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(ms: number, fire: () => void): { cancel(): void };
}

export interface UserInfo {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

export interface GroupInfo {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** The passwd and group databases. Lookups accept a name or a numeric id as text. */
export interface UserDb {
  user(nameOrUid: string): UserInfo | null;
  group(nameOrGid: string): GroupInfo | null;
  /** Gids of the groups that list `user` as a member (not including the primary group). */
  supplementaryGids(user: string): number[];
}

export const LIMIT_NAMES = [
  "as", "core", "cpu", "data", "fsize", "memlock", "nofile", "nproc", "rss", "stack", "vmem",
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Limits enforced by a run's cgroup (limit_memory, limit_cpus, limit_pids). */
export interface CgroupLimits {
  /** Bytes. */
  readonly memory?: number;
  /** CPUs (1.5: one and a half CPU's time per period). */
  readonly cpus?: number;
  readonly pids?: number;
}

/**
 * The cgroup a process runs in: `path` names it below svcmgr's own (`[svc, rid, "42"]`); the
 * launcher child joins it before exec, so every process of the run is in it.
 */
export interface ProcessCgroup {
  readonly path: readonly string[];
  readonly limits: CgroupLimits;
}

/** What a run's cgroup measured. */
export interface ProcessUsage {
  /** Highest memory use of the cgroup, bytes; null when not measured (no memory controller). */
  readonly peakMemory: number | null;
  /** CPU time of every process of the cgroup, seconds; null when not measured. */
  readonly cpuSeconds: number | null;
  /** Processes the kernel's OOM killer killed in the cgroup (its memory limit reached). */
  readonly oomKills: number;
}

/** The cgroups of one run, as the daemon handles them when the svcmgr that began the run is gone. */
export interface RunCgroupReaper {
  /** Null when there are run cgroups here; else why not. */
  unavailable(): string | null;
  /**
   * Kills every process in the cgroups of run `runId` (its command's and its triggers', see
   * run/attempt.ts) and removes them; answers how many processes were alive in them.
   */
  reap(svc: string, rid: string, runId: number): Promise<number>;
}

/** The containers of container tasks' runs, as the daemon handles them when the svcmgr that began the run is gone. */
export interface RunContainerReaper {
  /**
   * Removes the container of a task's run (session), killing it if it still runs; true when
   * there was one. False at once where podman is not installed. Never throws.
   */
  reap(svc: string, rid: string, session: string): Promise<boolean>;
}

/** A process to start, fully resolved: no references, no lookups left. */
export interface ProcessSpec {
  /** argv[0] is looked up in env.PATH when it has no `/`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Switch to this identity before exec (requires root). Supplementary groups from the group db. */
  readonly identity?: { readonly user: string; readonly uid: number; readonly gid: number };
  readonly umask?: number;
  /** rlimits, soft = hard; cpu in seconds, others in bytes or counts. */
  readonly limits?: Readonly<Partial<Record<LimitName, number>>>;
  /**
   * Run it in its own cgroup (when the host has writable cgroups): the timeout and the abort
   * then kill every process of the cgroup, setsid or not, and so does the end of the leader.
   * Limits there and no writable cgroups: not started (spawnError).
   */
  readonly cgroup?: ProcessCgroup;
  /** SIGTERM the whole process group at this deadline, SIGKILL after killGraceMs. */
  readonly timeoutMs?: number;
  readonly killGraceMs?: number;
  /** Called as soon as the child exists, with its pid and start time (/proc/<pid>/stat field 22; null when unknown). */
  readonly onSpawn?: (pid: number, startTime: number | null) => void;
  /** Raw output chunks, in arrival order per stream. */
  readonly onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** Aborting kills the process group as a timeout would (recorded as aborted, not timed out). */
  readonly signal?: AbortSignal;
}

export interface ProcessResult {
  readonly pid: number | null;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Exit status when the process exited; null when it died from a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** True when the group had to be SIGKILLed: SIGTERM did not end it within the grace period. */
  readonly forceKilled?: boolean;
  /** Set when the process could not be started (ENOENT, EACCES...). */
  readonly spawnError?: string;
  /** What its cgroup measured, when it ran in one. */
  readonly usage?: ProcessUsage;
  /** Processes left in its cgroup after the leader ended, killed then. */
  readonly leftoversKilled?: number;
}

export interface ProcessRunner {
  run(spec: ProcessSpec): Promise<ProcessResult>;
  /** Null when specs with a `cgroup` get one; else why runs are contained by process group only. */
  cgroupsUnavailable?(): string | null;
  /** Processes on svcmgr's own terminal (`svcmgr shell`); absent where there is none to give. */
  readonly terminal?: TerminalRunner;
}

/**
 * A process given svcmgr's own stdin, stdout and stderr (the caller's terminal): nothing is
 * captured or forwarded, svcmgr only waits for it. No timeout: it ends when its user ends it.
 */
export type TerminalSpec = Pick<ProcessSpec, "argv" | "env" | "cwd" | "identity" | "umask" | "limits" | "cgroup" | "onSpawn">;

export type TerminalResult = Pick<ProcessResult, "pid" | "startedAt" | "endedAt" | "exitCode" | "signal" | "spawnError" | "usage" | "leftoversKilled"> & {
  /** Its end as a shell reports it: the exit code, or 128 + the signal's number; null when not started. */
  readonly shellStatus: number | null;
};

export interface TerminalRunner {
  /** Null when stdin is a terminal; else why not. */
  unavailable(): Promise<string | null>;
  /** The login shells the system allows (/etc/shells); empty when it cannot be read. */
  loginShells(): readonly string[];
  /**
   * Runs the process in the foreground of the terminal and waits for it. Meanwhile Ctrl-C and
   * Ctrl-\ are the process's alone (svcmgr ignores SIGINT and SIGQUIT), and a SIGTERM or SIGHUP
   * to svcmgr is passed on to it. Never throws: nothing started is a spawnError.
   */
  run(spec: TerminalSpec): Promise<TerminalResult>;
}

/** How a question ended: the trimmed answer, the timeout, stdin closed, or the run interrupted. */
export type PromptReply = { answer: string } | { timeout: true } | { closed: true } | { interrupted: true };

/** Asks a human. Implementations must settle: on timeout, on EOF, on a closed stream, on abort. */
export interface Prompter {
  /** True when a human can answer (stdin is a terminal). */
  isInteractive(): boolean;
  /** Prints `text` (no newline added) and waits for a line; settles early when `signal` aborts. */
  ask(text: string, timeoutMs: number, signal?: AbortSignal): Promise<PromptReply>;
}

/** The daemon log: one line per decision, with structured fields. Writing never throws. */
export interface DaemonLog {
  write(level: "info" | "warning" | "error", message: string, fields?: Record<string, unknown>): void;
  close(): void;
}
