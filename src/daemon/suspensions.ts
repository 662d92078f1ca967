import type { App } from "../service/app.js";
import type { RunRecorder } from "../core/run-ports.js";
import type { Suspension } from "../core/suspension.js";
import { taskKey } from "../scheduler/task.js";
import { changeSuspension, type SuspensionChange } from "../service/suspension.js";
import type { SuspensionAnswer } from "../api/backend.js";
import { notFound } from "../api/problem.js";
import type { ServiceRegistry } from "./service-registry.js";

/**
 * The daemon's side of `POST …/tasks/{rid}/suspend|resume`: the shared code path
 * (service/suspension.ts) writes the state file and the history record, then the scheduler
 * gets the task's state at once, changed or not (a state file written while no daemon ran
 * and a daemon that started meanwhile then agree).
 */
export interface SuspensionDeps {
  readonly app: App;
  readonly registry: ServiceRegistry;
  readonly recorder: RunRecorder;
  readonly setSuspended: (key: string, s: Suspension | null) => void;
}

export async function changeTaskSuspension(d: SuspensionDeps, svc: string, rid: string, change: SuspensionChange): Promise<SuspensionAnswer> {
  const loaded = d.registry.get(svc);
  if (loaded === undefined) throw notFound(`no service ${svc} on this node`);
  if (!loaded.tasks.has(rid)) throw notFound(`${svc} has no task ${rid}`);
  const file = d.app.services.suspensions(loaded.config);
  const r = await changeSuspension({ file, record: (run) => d.recorder.record(run), now: d.app.clock.now(), node: d.app.nodename }, svc, rid, change);
  d.setSuspended(taskKey(svc, rid), r.suspended);
  return { svc, rid, changed: r.changed, suspended: r.suspended };
}
