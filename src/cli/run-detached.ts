import type { App } from "../service/app.js";
import { ActionError, UsageError } from "../core/errors.js";
import { formatObjectPath, type ObjectPath } from "../core/object-path.js";
import type { RunRecord } from "../core/run-record.js";
import type { ParsedArgs } from "./command.js";
import { interruptOnSignals } from "./interrupt.js";

/**
 * `run --detach [--wait]`: the run is handed to the daemon over its socket (trigger `api`, the
 * same pipeline), so closing the terminal no longer stops it. `--detach` prints the run ids and
 * returns; `--wait` follows each run's output as it comes and exits with the task's exit code
 * (1 for a failure without one). Ctrl-C only stops following: the runs go on in the daemon.
 */
export interface RunsAnswer {
  readonly runs: readonly RunRecord[];
  readonly request: { readonly session: string; readonly selected: readonly string[]; readonly done: boolean };
}

export const CALL_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

export async function runDetached(app: App, services: readonly ObjectPath[], args: ParsedArgs, env: Record<string, string>): Promise<number> {
  for (const bad of ["dry-run", "inherit-env", "cron"]) if (args[bad] === true) throw new UsageError(`--detach: --${bad} is not available for a run handed to the daemon`);
  if (app.daemon.running() === null) throw new ActionError(`--detach hands the run to the daemon, and none is running for ${app.paths.var}: start one (svcmgr daemon start) or run without --detach`);
  const json = args.format === "json";
  let exit = 0;
  const answers: RunsAnswer[] = [];
  for (const path of services) {
    const svc = formatObjectPath(path);
    const answer = await start(app, svc, args, env);
    answers.push(answer);
    if (!json) for (const r of answer.runs) app.stdout.write(`${svc} ${r.rid}: run ${r.id} ${r.status === "running" ? "started by the daemon" : r.status}\n`);
    if (args.wait === true) exit = Math.max(exit, await follow(app, svc, answer, json));
  }
  if (json) app.stdout.write(JSON.stringify(answers.length === 1 ? answers[0] : answers, null, 2) + "\n");
  return exit;
}

async function start(app: App, svc: string, args: ParsedArgs, env: Record<string, string>): Promise<RunsAnswer> {
  const body = { ...selectors(args), ...(Object.keys(env).length > 0 ? { env } : {}), ...(args.force === true ? { force: true } : {}) };
  const path = `/api/v1/services/${encodeURIComponent(svc)}/runs`;
  let answer = await app.daemon.call({ method: "POST", path, body, timeoutMs: CALL_TIMEOUT_MS });
  // --confirm: the daemon names the confirmation tasks of the selection; they are confirmed by their rids.
  const unconfirmed = answer.ok && answer.status === 409 ? (answer.body as { unconfirmed?: string[] }).unconfirmed : undefined;
  if (args.confirm === true && unconfirmed !== undefined) answer = await app.daemon.call({ method: "POST", path, body: { ...body, confirm: unconfirmed }, timeoutMs: CALL_TIMEOUT_MS });
  if (!answer.ok) throw new ActionError(`the daemon did not take the run (${answer.reason})`);
  if (answer.status >= 400) {
    const detail = (answer.body as { detail?: string }).detail ?? `HTTP ${answer.status}`;
    throw new ActionError(`${svc}: the daemon refused the run: ${detail}${answer.status === 409 && args.confirm !== true ? " (--confirm confirms them)" : ""}`);
  }
  return answer.body as RunsAnswer;
}

function selectors(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["rid", "tags", "subsets"]) {
    const v = args[key];
    if (v !== undefined) out[key] = Array.isArray(v) ? v.map(String).join(",") : String(v);
  }
  return out;
}

/** Follows the request's runs in order until all ended; the exit code of the last failing one. */
export async function follow(app: App, svc: string, first: RunsAnswer, json: boolean): Promise<number> {
  const interrupt = interruptOnSignals(app.stderr);
  const followed = new Set<number>();
  let exit = 0;
  try {
    let answer = first;
    for (;;) {
      let fresh = false;
      for (const run of answer.runs) {
        if (followed.has(run.id) || interrupt.signal.aborted) continue;
        followed.add(run.id);
        fresh = true;
        exit = Math.max(exit, await followRun(app, run, json, interrupt.signal));
      }
      if (interrupt.signal.aborted) {
        app.stderr.write(`svcmgr: stopped following; the run goes on in the daemon (svcmgr -s ${svc} print history)\n`);
        return 130;
      }
      if (answer.request.done && answer.runs.every((r) => followed.has(r.id))) return exit;
      // A selected task has one record at most: once each has one, followed to its end, all is done.
      if (followed.size >= answer.request.selected.length) return exit;
      // Right after following a run the next one may have begun: ask at once, then every POLL_MS.
      if (!fresh) await new Promise((r) => setTimeout(r, POLL_MS));
      const next = await app.daemon.call({ path: `/api/v1/requests/${encodeURIComponent(answer.request.session)}`, timeoutMs: CALL_TIMEOUT_MS });
      if (!next.ok || next.status !== 200) throw new ActionError(`lost track of the run request: ${next.ok ? `HTTP ${next.status}` : next.reason}`);
      answer = next.body as RunsAnswer;
    }
  } finally {
    interrupt.stop();
  }
}

/** Streams one run's output to stdout (stderr with --format json), then its exit code. */
async function followRun(app: App, run: RunRecord, json: boolean, signal: AbortSignal): Promise<number> {
  const out = json ? app.stderr : app.stdout;
  if (run.logFile !== null) {
    const streamed = await app.daemon.stream(`/api/v1/runs/${run.id}/log?follow=1`, (chunk) => out.write(chunk.toString("utf8")), signal);
    if (!streamed.ok && !signal.aborted) app.stderr.write(`svcmgr: cannot follow the output of run ${run.id}: ${streamed.reason}\n`);
  }
  if (signal.aborted) return 130;
  const final = await app.daemon.call({ path: `/api/v1/runs/${run.id}`, timeoutMs: CALL_TIMEOUT_MS });
  const rec = final.ok && final.status === 200 ? (final.body as RunRecord) : run;
  app.stderr.write(`${rec.svc} ${rec.rid}: run ${rec.id} ${rec.status}${rec.exitCode !== null ? ` (exit ${rec.exitCode})` : ""}${rec.reason !== null ? `: ${rec.reason}` : ""}\n`);
  if (rec.status === "succeeded") return 0;
  return rec.exitCode !== null && rec.exitCode > 0 ? rec.exitCode : 1;
}
