import type { App } from "../../service/app.js";
import { ActionError, UsageError } from "../../core/errors.js";
import { formatAlert } from "../../core/alert.js";
import type { HistoryStore } from "../../core/history-store.js";
import type { RunRecorder } from "../../core/run-ports.js";
import { ofNode, recoverInterrupted } from "../../history/recover.js";
import { initiatingUser } from "../../history/initiator.js";
import { parallelSubsets, taskDef } from "../../task/model.js";
import { selectTasks, NO_MATCH_MESSAGE } from "../../task/select.js";
import { runTasks } from "../../run/run-tasks.js";
import type { RunContext } from "../../run/context.js";
import { openService, requireNodeMember, requireSelector, selectServices } from "../../service/open.js";
import { createReporter } from "../../service/reporter.js";
import { FORMAT_OPTION, type CliCommand, type ParsedArgs } from "../command.js";
import { planLine, summaryEntry, type RunSummaryEntry } from "../run-summary.js";
import { interruptOnSignals } from "../interrupt.js";
import { manualRunVerdict } from "../../service/cluster-check.js";
import { forcedInitiator } from "../../cluster/manual-run.js";

export const runCommand: CliCommand = {
  words: ["run"],
  describe: "Run the service's tasks (all, or those selected by --rid, --tags and --subsets, which intersect)",
  needsService: true,
  options: {
    rid: { type: "string", describe: "Comma list of rids (task#0), globs (task#*), driver groups (task) or types (task.host)", requiresArg: true },
    tags: { type: "string", describe: "Tag expression: ',' is OR, '+' is AND and binds tighter (backup+nightly,adhoc)", requiresArg: true },
    subsets: { type: "string", describe: "Comma list of subsets", requiresArg: true },
    confirm: { type: "boolean", describe: "Confirm tasks that have confirmation = true without asking" },
    cron: { type: "boolean", describe: "Behave as a scheduled run: unmet requirements skip quietly (exit 0), confirmation tasks are refused, --confirm or not" },
    "dry-run": { type: "boolean", describe: "Show what would run (mode, user, cwd, argv) on stdout without running it; requirements are still checked" },
    env: { type: "array", describe: "K=V exported to the tasks, after everything else (repeatable)", requiresArg: true },
    format: { ...FORMAT_OPTION, describe: "Output format: json prints one entry per task on stdout (status, exit code, reason, run id, its history record, a dry run's plan) and sends the tasks' output to stderr" },
    detach: { type: "boolean", describe: "Hand the run to the daemon over its socket and print the run id(s): closing the terminal no longer stops it (trigger api; needs a running daemon)" },
    wait: { type: "boolean", describe: "With --detach: follow the runs' output as it comes and exit with the task's exit code; Ctrl-C stops following, not the run" },
    force: { type: "boolean", describe: "In a cluster: run a failover service's tasks on this node even though it does not own the service (or its owner cannot be confirmed); recorded as forced" },
    "inherit-env": { type: "boolean", describe: "Debugging: start the tasks from svcmgr's own environment instead of the clean one (PATH, the user's HOME/USER/LOGNAME/SHELL, LANG); recorded with the run" },
  },
  examples: [
    ["svcmgr -s db run --rid task#0", "run one task"],
    ["svcmgr -s db run --tags backup", "run every task tagged backup"],
    ["svcmgr -s db run --rid task#restore --confirm", "run a confirmation task without the prompt"],
    ["sudo svcmgr -s db run --rid task#0 --env LEVEL=full", "pass an extra variable"],
    ["svcmgr -s db run --dry-run --format json", "what would run, with its exact argv, user, cwd and environment"],
    ["svcmgr -s db run --rid task#0 --detach --wait", "the daemon runs it (a closed terminal does not stop it); follow its output here"],
    ["svcmgr -s db run --rid task#0 --force", "in a cluster, run it on this node although another node owns db (recorded as forced)"],
  ],
  async run(args, app) {
    const services = selectServices(app, requireSelector(args.service));
    const extraEnv = parseEnvArgs(args.env);
    if (args.wait === true && args.detach !== true) throw new UsageError("--wait goes with --detach (a run without --detach always waits)");
    if (args.detach === true) return (await import("../run-detached.js")).runDetached(app, services, args, extraEnv);
    let exit = 0;
    app.services.prepareStateDirs();
    const history = await app.history.open();
    await recoverManualRuns(app, history);
    sayContainment(app, args["dry-run"] === true);
    const interrupt = interruptOnSignals(app.stderr);
    const summary: RunSummaryEntry[] = [];
    try {
      for (const path of services) {
        if (interrupt.signal.aborted) break;
        exit = Math.max(exit, await runService(app, path, args, extraEnv, history, interrupt.signal, summary));
      }
      if (args.format === "json") app.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    } finally {
      interrupt.stop();
      await history.close();
    }
    return interrupt.exitCode() ?? exit;
  },
};

async function runService(app: App, path: ReturnType<typeof selectServices>[number], args: ParsedArgs, extraEnv: Record<string, string>, history: HistoryStore, signal: AbortSignal, summary: RunSummaryEntry[]): Promise<number> {
  const { config, warnings } = await openService(app, path);
  for (const w of warnings) app.stderr.write(formatAlert(w) + "\n");
  requireNodeMember(config, "run", app.nodename);
  const verdict = await manualRunVerdict(app, config, args.force === true);
  if (verdict.kind === "refuse") throw new ActionError(verdict.message);
  if (verdict.forcedNote !== null) app.stderr.write(`svcmgr: ${config.name}: ${verdict.forcedNote}\n`);
  const tasks = config.rids("task").map((rid) => taskDef(config, rid));
  const selected = selectTasks(tasks, { rid: selectorArg(args.rid), tags: selectorArg(args.tags), subsets: selectorArg(args.subsets) });
  if (selected.length === 0) throw new ActionError(`${config.name}: ${NO_MATCH_MESSAGE}`);
  const session = app.services.newSession();
  const log = app.services.openLog(config, session);
  const ctx: RunContext = {
    trigger: "manual", cron: args.cron === true, confirm: args.confirm === true, dryRun: args["dry-run"] === true,
    session, extraEnv, inheritEnv: args["inherit-env"] === true, initiatedBy: forcedInitiator(initiatingUser(app.env, app.users.user(String(app.uid))?.name ?? String(app.uid)), verdict.forcedNote), signal,
    ...(verdict.token === null ? {} : { fencingToken: verdict.token }),
  };
  try {
    log.write("info", null, `do run ${process.argv.slice(2).join(" ")} (session ${session})`);
    const json = args.format === "json";
    // With --format json, stdout carries the summary alone: the tasks' output goes to stderr.
    const reporter = createReporter(config.name, json ? { stdout: app.stderr, stderr: app.stderr } : app, log);
    const outcomes = await runTasks(selected, parallelSubsets(config, "task"), ctx, app.services.runPorts(config, cliRecorder(history, app), reporter));
    if (json) summary.push(...outcomes.map((o) => summaryEntry(config.name, o)));
    else for (const o of outcomes) if (o.plan !== undefined) app.stdout.write(planLine(config.name, o.rid, o.plan));
    return outcomes.some((o) => o.failed) ? 1 : 0;
  } finally {
    log.close();
  }
}

/** Without writable cgroups, one line says how runs are contained instead (a limit then refuses its task). */
function sayContainment(app: App, dryRun: boolean): void {
  const why = dryRun ? null : (app.runner.cgroupsUnavailable?.() ?? null);
  if (why !== null) app.stderr.write(`svcmgr: runs are contained by their process group only: cgroups are not writable here (${why})\n`);
}

/**
 * Manual runs whose svcmgr died (a crash, a kill -9, a full disk) stay `running` until someone
 * notices: a later `run` makes them `interrupted`, as the daemon does for its own at start.
 * A run whose task process still lives is left alone.
 */
async function recoverManualRuns(app: App, history: HistoryStore): Promise<void> {
  const mine = ofNode(app.nodename);
  const r = await recoverInterrupted(history, app.daemon.isAlive, app.clock.now(), (rec) => rec.trigger === "manual" && mine(rec));
  for (const rec of r.interrupted) app.stderr.write(`svcmgr: ${rec.svc} ${rec.rid}: run ${rec.id} recorded as interrupted: ${rec.reason}\n`);
}

/**
 * A manual run writes each record at once (one process, a few tasks): the history itself is
 * the recorder. A pid that cannot be recorded is said, not thrown: the task runs on.
 */
export function cliRecorder(history: HistoryStore, app: App): RunRecorder {
  return {
    begin: (run, logFileFor) => history.begin(run, logFileFor),
    setPid: (id, pid, startTime) => void history.setPid(id, pid, startTime).catch((e: unknown) => app.stderr.write(`svcmgr: cannot record the pid of run ${id}: ${(e as Error).message}\n`)),
    finish: async (id, outcome) => void (await history.finish(id, outcome)),
    record: (run) => history.record(run),
  };
}

/** A selector option; given several times (`--rid a --rid b`) it means the comma list `a,b`. */
export function selectorArg(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(String).join(",");
  return typeof v === "string" ? v : undefined;
}

export function parseEnvArgs(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (Array.isArray(v) ? v : v === undefined ? [] : [v]) as string[]) {
    const eq = String(item).indexOf("=");
    if (eq <= 0) throw new UsageError(`--env ${item}: expected NAME=value`);
    out[String(item).slice(0, eq)] = String(item).slice(eq + 1);
  }
  return out;
}
