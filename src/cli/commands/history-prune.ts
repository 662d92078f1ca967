import { pruneHistory } from "../../history/prune.js";
import type { PrunePolicy } from "../../core/history-store.js";
import { nodeConfig, type NodeConfig } from "../../service/node-config.js";
import { FORMAT_OPTION, type CliCommand, type OptionSpec, type ParsedArgs } from "../command.js";

/** The retention options, shared by `daemon run`/`daemon start` and `history prune`. */
export const RETENTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "keep-runs": { type: "number", describe: "History retention: runs kept per task, and apart from them as many skipped or missed records (default: node.conf [history] keep_runs, 1000)", range: [1, Number.MAX_SAFE_INTEGER] },
  "keep-days": { type: "number", describe: "History retention: records older than this many days are pruned (default: node.conf [history] keep_days, 90)", range: [1, Number.MAX_SAFE_INTEGER] },
};

/** Flags first, then node.conf: the daemon and `history prune` apply the same rules. */
export function retentionPolicy(args: ParsedArgs, node: NodeConfig): PrunePolicy {
  return {
    keepPerTask: args["keep-runs"] === undefined ? node.history.keepRuns : Number(args["keep-runs"]),
    maxAgeDays: args["keep-days"] === undefined ? node.history.keepDays : Number(args["keep-days"]),
  };
}

export const historyPruneCommand: CliCommand = {
  words: ["history", "prune"],
  describe: "Apply the history retention now, as the daemon does every minute: delete the runs beyond --keep-runs per task (skipped and missed records counted apart) or older than --keep-days, with their output files (never a run in flight)",
  options: { ...RETENTION_OPTIONS, format: FORMAT_OPTION },
  examples: [
    ["svcmgr history prune", "the node's retention (node.conf [history], else 1000 runs per task and 90 days)"],
    ["svcmgr history prune --keep-runs 50 --keep-days 7 --format json", "a tighter retention, the report as JSON"],
  ],
  async run(args, app) {
    const policy = retentionPolicy(args, nodeConfig(app));
    const history = await app.history.open();
    try {
      const report = await pruneHistory(history, policy, app.clock.now(), app.removeFile);
      const summary = { keepRuns: policy.keepPerTask, keepDays: policy.maxAgeDays, deleted: report.deleted, fileErrors: report.fileErrors };
      if (args.format === "json") app.stdout.write(JSON.stringify(summary, null, 2) + "\n");
      else {
        app.stdout.write(`pruned ${report.deleted} record(s) (keeping ${policy.keepPerTask} per task, ${policy.maxAgeDays} days)\n`);
        for (const f of report.fileErrors) app.stderr.write(`svcmgr: cannot remove ${f.file}: ${f.error}\n`);
      }
      return report.fileErrors.length > 0 ? 1 : 0;
    } finally {
      await history.close();
    }
  },
};
