/**
 * The run pipeline with fake ports: each row is a task and its circumstances, and what the
 * run came to (status, the stage that refused it, the record written, the processes started).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ProcessResult, ProcessSpec, PromptReply, UserDb } from "../../src/core/ports.js";
import type { Status } from "../../src/core/status.js";
import type { CompleteRun, NewRun, RunOutcome } from "../../src/core/run-record.js";
import type { RunRecorder } from "../../src/core/run-ports.js";
import { runTask } from "../../src/run/pipeline.js";
import type { PipelineDeps } from "../../src/run/pipeline-deps.js";
import type { RunContext } from "../../src/run/context.js";
import { hostDriver } from "../../src/run/drivers/host.js";
import type { TaskDef } from "../../src/task/model.js";

const T0 = Date.parse("2026-07-01T00:00:00Z");

function task(over: Partial<TaskDef> = {}): TaskDef {
  return {
    rid: "task#0", type: "task.host", command: "/bin/backup --full", environment: {}, confirmation: false, schedule: "", scheduleParameter: "task#0.schedule",
    tags: [], disable: false, optional: false, standby: false, runRequires: [], maxParallel: 1, retcodes: new Map([[0, "up"], [1, "down"]]),
    check: "", log: true, limits: {}, cgroupLimits: {}, catchup: "latest", retry: 0, retryDelayMs: 30_000, ...over,
  };
}

const users: UserDb = {
  user: (n) => (n === "0" || n === "root" ? { name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/sh" } : null),
  group: () => null,
  supplementaryGids: () => [],
};

interface World {
  /** Exit code of each started process, in order (default 0). */
  readonly exits?: readonly (number | "timeout" | "spawn-error")[];
  readonly states?: Readonly<Record<string, Status>>;
  readonly runningAlready?: number;
  readonly reply?: PromptReply;
  readonly interactive?: boolean;
  /** The history refuses to begin a record (a full disk). */
  readonly historyFull?: boolean;
  /** The slot already has a record. */
  readonly slotTaken?: boolean;
}

function harness(world: World = {}) {
  let now = T0;
  const started: ProcessSpec[] = [];
  const begun: NewRun[] = [];
  const finished: RunOutcome[] = [];
  const refusals: CompleteRun[] = [];
  const messages: string[] = [];
  let asked = 0;
  const recorder: RunRecorder = {
    begin: async (run, logFileFor) => {
      if (world.historyFull === true) throw new Error("database or disk is full");
      if (world.slotTaken === true) return null;
      begun.push({ ...run, logFile: logFileFor?.(41) });
      return 41;
    },
    setPid: () => undefined,
    finish: async (_id, outcome) => void finished.push(outcome),
    record: async (run) => (refusals.push(run), 42),
  };
  const deps: PipelineDeps = {
    clock: { now: () => (now += 10), setTimer: () => ({ cancel: () => undefined }) },
    drivers: new Map([[hostDriver.type, hostDriver]]),
    runner: {
      run: async (spec): Promise<ProcessResult> => {
        const exit = world.exits?.[started.length] ?? 0;
        started.push(spec);
        spec.onSpawn?.(1000 + started.length, 7);
        spec.onOutput?.("stdout", Buffer.from("out\n"));
        const base = { pid: 1000 + started.length, startedAt: now, endedAt: (now += 100), signal: null, timedOut: false, aborted: false };
        if (exit === "timeout") return { ...base, exitCode: null, signal: "SIGTERM", timedOut: true };
        if (exit === "spawn-error") return { ...base, pid: null, exitCode: null, spawnError: "ENOENT: no such file" };
        return { ...base, exitCode: exit };
      },
    },
    prompter: { isInteractive: () => world.interactive ?? false, ask: async () => (asked++, world.reply ?? { timeout: true }) },
    host: { users, uid: 0, gid: 0, env: {}, nodename: "n1", lang: "C.UTF-8", isDirectory: () => true },
    service: { name: "db", path: "db", namespace: "root", varDir: "/var/lib/svcmgr/svc/db" },
    states: { statusOf: async (rid) => world.states?.[rid] ?? "undef" },
    slots: {
      acquire: () => (world.runningAlready !== undefined ? { ok: false, running: world.runningAlready } : { ok: true, attachChild: () => undefined, release: () => undefined }),
    },
    recorder,
    reporter: { message: (level, rid, text) => void messages.push(`${level} ${rid} ${text}`), output: () => undefined },
    lastRun: { write: () => undefined },
    outputLogPath: (rid, id) => `/var/log/svcmgr/runs/db/${rid}/${id}.log`,
    openOutputLog: () => ({ write: () => undefined, close: async () => undefined, cutBytes: 0 }),
    ownerPid: 99,
    ownerStartTime: 5,
  };
  return { deps, started, begun, finished, refusals, messages, asked: () => asked };
}

const manual: RunContext = { trigger: "manual", cron: false, confirm: false, dryRun: false, session: "s1", extraEnv: {}, initiatedBy: "alice" };
const cron: RunContext = { ...manual, cron: true };
const scheduled: RunContext = { ...manual, trigger: "schedule", cron: true, scheduledFor: T0 };

interface Row {
  readonly name: string;
  readonly task?: Partial<TaskDef>;
  readonly ctx?: RunContext;
  readonly world?: World;
  readonly status: string;
  readonly gate?: string;
  readonly failed: boolean;
  /** Processes started (command and triggers), by argv[0]. */
  readonly ran: readonly string[];
  /** What was recorded: `run` (begun, then finished), `refusal` (a final record), or nothing. */
  readonly recorded: "run" | "refusal" | "none";
  readonly reason?: RegExp;
}

const TABLE: readonly Row[] = [
  { name: "a command that exits 0 succeeds", status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "exit 1 is down: failed", world: { exits: [1] }, status: "failed", failed: true, ran: ["/bin/backup"], recorded: "run", reason: /exited with code 1 \(status down\)/ },
  { name: "an optional task's failure does not fail the run", task: { optional: true }, world: { exits: [1] }, status: "failed", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "an unlisted exit code is warn: failed", world: { exits: [3] }, status: "failed", failed: true, ran: ["/bin/backup"], recorded: "run", reason: /status warn/ },
  { name: "retcodes may make 3 up", task: { retcodes: new Map([[3, "up"]]) }, world: { exits: [3] }, status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "a timeout", world: { exits: ["timeout"] }, task: { timeoutMs: 60_000 }, status: "timed_out", failed: true, ran: ["/bin/backup"], recorded: "run", reason: /timed out after 1m/ },
  { name: "a command that cannot start", world: { exits: ["spawn-error"] }, status: "failed", failed: true, ran: ["/bin/backup"], recorded: "run", reason: /cannot run: ENOENT/ },
  { name: "disabled: skipped, recorded, not a failure", task: { disable: true }, status: "skipped", gate: "disabled", failed: false, ran: [], recorded: "refusal" },
  { name: "requires unmet, manual run: aborted and a failure", task: { runRequires: [{ rid: "fs#0", states: ["up"] }] }, world: { states: { "fs#0": "down" } }, status: "aborted", gate: "requires", failed: true, ran: [], recorded: "refusal", reason: /requires on resource fs#0 in state up, current state down/ },
  { name: "requires unmet, --cron: skipped quietly", task: { runRequires: [{ rid: "fs#0", states: ["up"] }] }, ctx: cron, world: { states: { "fs#0": "down" } }, status: "skipped", gate: "requires", failed: false, ran: [], recorded: "refusal" },
  { name: "requires met", task: { runRequires: [{ rid: "fs#0", states: ["up"] }] }, world: { states: { "fs#0": "up" } }, status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "confirmation without a terminal: aborted", task: { confirmation: true }, status: "aborted", gate: "confirmation", failed: true, ran: [], recorded: "refusal" },
  { name: "confirmation answered yes", task: { confirmation: true }, world: { interactive: true, reply: { answer: "yes" } }, status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "confirmation answered no", task: { confirmation: true }, world: { interactive: true, reply: { answer: "no" } }, status: "aborted", gate: "confirmation", failed: true, ran: [], recorded: "refusal" },
  { name: "confirmation with --confirm: no question", task: { confirmation: true }, ctx: { ...manual, confirm: true }, status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
  { name: "confirmation on schedule: skipped", task: { confirmation: true }, ctx: scheduled, status: "skipped", gate: "confirmation", failed: false, ran: [], recorded: "refusal" },
  { name: "an unknown user: aborted before anything runs", task: { user: "nobody-here" }, status: "aborted", gate: "identity", failed: true, ran: [], recorded: "refusal" },
  { name: "a command that does not parse", task: { command: "echo 'unterminated" }, status: "aborted", gate: "command", failed: true, ran: [], recorded: "refusal", reason: /^command: / },
  { name: "a task type without a driver", task: { type: "task.podman" }, status: "aborted", gate: "command", failed: true, ran: [], recorded: "refusal", reason: /no driver for task\.podman/ },
  { name: "max_parallel reached, manual: skipped but a failure", world: { runningAlready: 1 }, status: "skipped", gate: "max-parallel", failed: true, ran: [], recorded: "refusal", reason: /already running 1 times/ },
  { name: "max_parallel reached, on schedule: skipped", world: { runningAlready: 1 }, ctx: scheduled, status: "skipped", gate: "max-parallel", failed: false, ran: [], recorded: "refusal" },
  { name: "the history cannot be written: not run at all", world: { historyFull: true }, status: "missed", gate: "record", failed: true, ran: [], recorded: "none", reason: /its record could not be written \(database or disk is full\)/ },
  { name: "the slot already has a record: not run again", world: { slotTaken: true }, ctx: scheduled, status: "skipped", gate: "duplicate-slot", failed: false, ran: [], recorded: "none" },
  { name: "a failing blocking_pre_run fails the run, the command never starts", task: { blockingPreRun: "/bin/check" }, world: { exits: [2] }, status: "failed", failed: true, ran: ["/bin/check"], recorded: "run", reason: /blocking_pre_run failed/ },
  { name: "a failing pre_run only warns", task: { preRun: "/bin/note" }, world: { exits: [2, 0] }, status: "succeeded", failed: false, ran: ["/bin/note", "/bin/backup"], recorded: "run" },
  { name: "a failing blocking_post_run fails a successful run", task: { blockingPostRun: "/bin/verify" }, world: { exits: [0, 1] }, status: "failed", failed: true, ran: ["/bin/backup", "/bin/verify"], recorded: "run", reason: /blocking_post_run failed/ },
  { name: "on_error runs after a failure, last", task: { onError: "/bin/page", postRun: "/bin/after" }, world: { exits: [1, 0, 0] }, status: "failed", failed: true, ran: ["/bin/backup", "/bin/after", "/bin/page"], recorded: "run" },
  { name: "on_error does not run after a success", task: { onError: "/bin/page" }, status: "succeeded", failed: false, ran: ["/bin/backup"], recorded: "run" },
];

describe("run pipeline: gates and outcomes", () => {
  for (const row of TABLE) {
    it(row.name, async () => {
      const h = harness(row.world);
      const run = await runTask(task(row.task), row.ctx ?? manual, h.deps);
      assert.equal(run.status, row.status);
      assert.equal(run.gate, row.gate);
      assert.equal(run.failed, row.failed);
      assert.deepEqual(h.started.map((s) => s.argv[0]), row.ran);
      if (row.reason !== undefined) assert.match(run.reason ?? "", row.reason);
      const recorded = h.begun.length > 0 ? "run" : h.refusals.length > 0 ? "refusal" : "none";
      assert.equal(recorded, row.recorded);
      if (row.recorded === "none") assert.equal(run.record, undefined);
      else {
        // The TaskRun carries the record as written: the same status, reason and id.
        assert.equal(run.record?.status, row.status);
        assert.equal(run.record?.id, row.recorded === "run" ? 41 : 42);
        assert.equal(run.record?.reason ?? undefined, run.reason);
      }
      if (row.recorded === "run") assert.equal(h.finished.length, 1, "a begun record is finished once");
    });
  }
});

describe("run pipeline: what the record says", () => {
  it("a run's record has the command, the user, the pid, the exit code, the output excerpt and the log file", async () => {
    const h = harness({ exits: [0] });
    const run = await runTask(task(), scheduled, h.deps);
    const r = run.record!;
    assert.deepEqual(
      [r.svc, r.rid, r.trigger, r.scheduledFor, r.attempt, r.command, r.user, r.initiatedBy, r.pid, r.pidStartTime, r.ownerPid, r.exitCode, r.outputHead, r.logFile],
      ["db", "task#0", "schedule", T0, 1, "/bin/backup --full", "root", "alice", 1001, 7, 99, 0, "out\n", "/var/log/svcmgr/runs/db/task#0/41.log"],
    );
    assert.equal(r.durationMs, r.endedAt! - r.startedAt);
  });

  it("a dry run records nothing and says what would run", async () => {
    const h = harness();
    const run = await runTask(task(), { ...manual, dryRun: true }, h.deps);
    assert.equal(run.status, "dry-run");
    assert.deepEqual(run.plan?.argv, ["/bin/backup", "--full"]);
    assert.equal(run.plan?.user, "root");
    assert.deepEqual([h.started.length, h.begun.length, h.refusals.length], [0, 0, 0]);
  });

  it("a refusal asks no question and starts nothing after the first gate that refuses", async () => {
    const h = harness({ states: { "fs#0": "down" }, interactive: true, reply: { answer: "yes" } });
    await runTask(task({ confirmation: true, runRequires: [{ rid: "fs#0", states: ["up"] }] }), manual, h.deps);
    assert.equal(h.asked(), 0, "requires are checked before the confirmation");
  });
});
