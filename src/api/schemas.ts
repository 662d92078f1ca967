import * as z from "zod/mini";
import { FINAL_STATUSES, RUN_STATUSES, RUN_TRIGGERS } from "../core/run-record.js";

/**
 * Response schemas of the API: the OpenAPI document is generated from them (openapi.ts), and
 * the tests validate real answers against that document.
 */
const nullable = <T extends z.ZodMiniType>(t: T) => z.nullable(t);

export const Problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  field: z.optional(z.string()),
});

export const RunRecordSchema = z.strictObject({
  id: z.number(),
  svc: z.string(),
  rid: z.string(),
  trigger: z.enum(RUN_TRIGGERS),
  scheduledFor: nullable(z.number()),
  attempt: z.number(),
  retryOf: nullable(z.number()),
  startedAt: z.number(),
  endedAt: nullable(z.number()),
  durationMs: nullable(z.number()),
  exitCode: nullable(z.number()),
  signal: nullable(z.string()),
  status: z.enum(RUN_STATUSES),
  reason: nullable(z.string()),
  user: nullable(z.string()),
  initiatedBy: nullable(z.string()),
  session: nullable(z.string()),
  command: nullable(z.string()),
  pid: nullable(z.number()),
  pidStartTime: nullable(z.number()),
  ownerPid: nullable(z.number()),
  ownerStartTime: nullable(z.number()),
  logFile: nullable(z.string()),
  outputHead: z.string(),
  outputTail: z.string(),
  outputBytes: z.number(),
  stdoutBytes: z.number(),
  stderrBytes: z.number(),
  truncated: z.boolean(),
  inheritedEnv: z.boolean(),
  node: nullable(z.string()),
  peakMemory: nullable(z.number()),
  cpuSeconds: nullable(z.number()),
});

export const RunRequestView = z.strictObject({ session: z.string(), svc: z.string(), selected: z.array(z.string()), done: z.boolean() });

export const RunsAnswer = z.strictObject({ runs: z.array(RunRecordSchema), request: RunRequestView });

export const listOf = <T extends z.ZodMiniType>(item: T) => z.strictObject({ items: z.array(item), next: nullable(z.string()) });

export const Health = z.strictObject({
  status: z.enum(["ok", "degraded", "stopping"]),
  node: z.string(),
  version: z.string(),
  uptimeS: z.number(),
  store: z.looseObject({ kind: z.string(), status: z.string() }),
  cluster: nullable(z.strictObject({ name: z.string(), node: z.string(), etcdReachable: z.boolean(), etcdError: nullable(z.string()), owned: z.array(z.string()) })),
});

export const ServiceSummarySchema = z.strictObject({
  path: z.string(),
  valid: z.boolean(),
  state: nullable(z.string()),
  tasks: z.number(),
  failing: z.optional(z.number()),
  errors: z.optional(z.array(z.string())),
});

/** Who suspended a task's schedule, when (ISO 8601), and why (null: no reason given). */
export const SuspensionSchema = z.strictObject({ by: z.string(), at: z.string(), reason: nullable(z.string()) });

/** The answer of `POST …/tasks/{rid}/suspend` and `…/resume`: the task's state now. */
export const SuspensionAnswerSchema = z.strictObject({
  svc: z.string(),
  rid: z.string(),
  changed: z.boolean(),
  suspended: nullable(SuspensionSchema),
});

/** A task as `GET …/tasks` shows it (`nextRun` is null while it is suspended). */
export const TaskViewSchema = z.looseObject({
  rid: z.string(),
  schedule: nullable(z.string()),
  timezone: nullable(z.string()),
  nextRun: nullable(z.string()),
  notScheduled: nullable(z.string()),
  suspended: nullable(SuspensionSchema),
  lastRun: nullable(z.looseObject({ id: z.number(), status: z.enum(FINAL_STATUSES), startedAt: z.number(), durationMs: nullable(z.number()) })),
});

/** `print status --format json` of one service. */
export const ServiceStatusSchema = z.strictObject({
  service: z.string(),
  avail: z.string(),
  overall: z.string(),
  resources: z.array(z.looseObject({ rid: z.string(), driver: z.string(), status: z.string(), disabled: z.boolean(), optional: z.boolean(), standby: z.boolean(), running: z.number(), log: z.array(z.string()) })),
});

/** One task's days in `GET /api/v1/stats`. */
export const TaskStatsSchema = z.strictObject({
  svc: z.string(),
  rid: z.string(),
  timezone: z.string(),
  days: z.array(z.strictObject({
    date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
    count: z.number(),
    failures: z.number(),
    avgDurationMs: nullable(z.number()),
    maxDurationMs: nullable(z.number()),
  })),
});
