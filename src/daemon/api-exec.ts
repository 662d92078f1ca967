import type { StartedRuns } from "../api/backend.js";
import type { Principal } from "../api/principal.js";
import { ApiProblem } from "../api/problem.js";
import type { ExecRequest } from "../api/backend.js";
import { forcedInitiator } from "../cluster/manual-run.js";
import { oneoffTask } from "../run/oneoff.js";
import { launchRuns, loadedService, type ApiRunDeps } from "./api-runs.js";

/**
 * One-off runs (`svcmgr exec`, `POST /api/v1/services/{svc}/exec`): the command runs once in
 * the service's task context (run/oneoff.ts) through the same pipeline as the daemon's other
 * runs, trigger `oneoff`, rid `exec`. Who may: a principal with scope run on the service (the
 * route checks it); running it as a user other than the context's needs admin (root on the
 * socket, an admin key): a run key may run commands as the service's tasks do, not as anyone.
 * In a cluster a failover service's one-off runs where its tasks run, on its owner (under its
 * fencing token), unless forced (api-backend.ts asks the cluster first, as for run-now).
 * Every refusal is thrown before anything runs.
 */
export function startExec(deps: ApiRunDeps, svc: string, request: ExecRequest, by: Principal): StartedRuns {
  const loaded = loadedService(deps, svc);
  const made = oneoffTask(loaded.config, request);
  if ("error" in made) throw new ApiProblem(400, made.error, { field: made.error.slice(0, made.error.indexOf(":")) });
  const { task, contextUser } = made;
  if (task.user !== contextUser && by.scope !== "admin") {
    const usual = contextUser === undefined ? "the daemon's own user" : contextUser;
    throw new ApiProblem(403, `running as ${task.user ?? "the daemon's own user"} needs scope admin: the service's tasks run as ${usual}, and the key "${by.name}" has scope ${by.scope}; nothing was run`, { field: "user" });
  }
  const launch = { tasks: [task], parallel: new Set<string>(), trigger: "oneoff" as const, env: {}, initiatedBy: forcedInitiator(by.name, request.ownership?.forcedNote ?? null), fencingToken: request.ownership?.token ?? null };
  return launchRuns(deps, loaded.config, launch, by, (session) => `do exec ${task.command}${task.user === undefined ? "" : ` as ${task.user}`} for ${by.name} (session ${session})`);
}
