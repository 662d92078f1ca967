import type { TaskDef } from "../task/model.js";
import type { RunContext } from "./context.js";
import { runTask } from "./pipeline.js";
import type { TaskRun } from "./task-run.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/**
 * Runs selected tasks in natural rid order. Tasks of a subset with `parallel = true` start
 * together at the place of the subset's first task. As in OpenSVC, a non-optional failure
 * stops the tasks after it (they are reported as not run), and so does an interruption
 * (ctx.signal aborted: the running tasks are stopped by the pipeline, no other one starts).
 * Every task gets an outcome, in order; those not reached are `not-run`, with the reason.
 */
export async function runTasks(tasks: readonly TaskDef[], parallelSubsets: ReadonlySet<string>, ctx: RunContext, deps: PipelineDeps): Promise<TaskRun[]> {
  const outcomes: TaskRun[] = [];
  const groups = groupForRun(tasks, parallelSubsets);
  let failed: string[] = [];
  for (const [i, group] of groups.entries()) {
    const stop = ctx.signal?.aborted ? "interrupted" : failed.length > 0 ? `a previous task failed (${failed.join(", ")})` : null;
    if (stop !== null) {
      const rest = groups.slice(i).flat();
      deps.reporter.message("error", rest.map((t) => t.rid).join(","), `not run: ${stop}`);
      outcomes.push(...rest.map((t): TaskRun => ({ rid: t.rid, status: "not-run", reason: stop, failed: false })));
      break;
    }
    const results = await Promise.all(group.map((t) => runTask(t, ctx, deps)));
    outcomes.push(...results);
    failed = results.filter((r) => r.failed).map((r) => r.rid);
  }
  return outcomes;
}

function groupForRun(tasks: readonly TaskDef[], parallelSubsets: ReadonlySet<string>): TaskDef[][] {
  const groups: TaskDef[][] = [];
  const bySubset = new Map<string, TaskDef[]>();
  for (const t of tasks) {
    if (t.subset !== undefined && parallelSubsets.has(t.subset)) {
      const existing = bySubset.get(t.subset);
      if (existing !== undefined) {
        existing.push(t);
        continue;
      }
      const group = [t];
      bySubset.set(t.subset, group);
      groups.push(group);
    } else groups.push([t]);
  }
  return groups;
}
