import * as z from "zod/mini";
import { svcmgrVersion } from "../core/version.js";
import { ExecRequestBody, RunRequestBody, SuspendBody } from "./routes/bodies.js";
import { Health, listOf, Problem, RunRecordSchema, RunsAnswer, ServiceStatusSchema, ServiceSummarySchema, SuspensionAnswerSchema, TaskStatsSchema, TaskViewSchema } from "./schemas.js";

/**
 * The OpenAPI 3.1 document served at `/api/openapi.json`, generated from the same zod schemas
 * the routes use (JSON Schema 2020-12 is OpenAPI 3.1's dialect). Each operation lists the
 * answers it can give; `problem` answers share one schema.
 */
export interface Operation {
  readonly method: "get" | "post";
  readonly path: string;
  readonly summary: string;
  readonly scope: "none" | "read" | "run" | "admin";
  readonly params?: readonly Param[];
  readonly body?: z.ZodMiniType;
  /** Status → JSON schema of the answer, or a media type for non-JSON answers. */
  readonly answers: Readonly<Record<number, z.ZodMiniType | { readonly media: string; readonly schema?: object }>>;
  readonly headers?: readonly Param[];
}

export interface Param {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly schema: object;
  readonly required?: boolean;
  readonly description: string;
}

const str = { type: "string" };
const SVC: Param = { name: "svc", in: "path", required: true, schema: str, description: "Object path, `/` percent-encoded (prod%2Fsvc%2Fdb)" };
export const RID: Param = { name: "rid", in: "path", required: true, schema: str, description: "Task rid, percent-encoded (task%230)" };
const RUN_ID: Param = { name: "id", in: "path", required: true, schema: { type: "integer" }, description: "Run record id" };
const AUTH_ERRORS = { 401: Problem, 403: Problem };
/** In a cluster, a request proxied to the service's owner: 502 the owner cannot be reached, 503 it cannot be proxied to (not alive, no API address). */
const CLUSTER_ERRORS = { 502: Problem, 503: Problem };

const operations: Operation[] = [
  { method: "get", path: "/api/v1/health", summary: "Liveness, version, history store and cluster state", scope: "none", answers: { 200: Health, 503: Health } },
  { method: "get", path: "/api/v1/services", summary: "Services the key covers: path, valid, instance state, task count", scope: "read", answers: { 200: listOf(ServiceSummarySchema), ...AUTH_ERRORS } },
  { method: "get", path: "/api/v1/services/{svc}", summary: "A service's status tree (as print status --format json)", scope: "read", params: [SVC], answers: { 200: ServiceStatusSchema, 404: Problem, ...AUTH_ERRORS, ...CLUSTER_ERRORS } },
  { method: "get", path: "/api/v1/services/{svc}/tasks", summary: "Each task: schedule, time zone, last run, next run, why not scheduled", scope: "read", params: [SVC], answers: { 200: listOf(TaskViewSchema), 404: Problem, ...AUTH_ERRORS, ...CLUSTER_ERRORS } },
  {
    method: "post", path: "/api/v1/services/{svc}/runs", summary: "Run tasks now (same pipeline as `run`); with `wait`, answer when they ended", scope: "run", params: [SVC], body: RunRequestBody,
    headers: [{ name: "Idempotency-Key", in: "header", schema: str, description: "A retry with the same key (24 h, per API key) returns the same runs" }],
    answers: { 200: RunsAnswer, 202: RunsAnswer, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, ...AUTH_ERRORS, ...CLUSTER_ERRORS },
  },
  {
    method: "post", path: "/api/v1/services/{svc}/exec", scope: "run", params: [SVC], body: ExecRequestBody,
    summary: "Run a command once in the service's task context (trigger oneoff, rid exec); `user` other than the tasks' needs admin; with `wait`, answer when it ended",
    answers: { 200: RunsAnswer, 202: RunsAnswer, 400: Problem, 404: Problem, 413: Problem, 415: Problem, 503: Problem, ...AUTH_ERRORS },
  },
  ...(["suspend", "resume"] as const).map((action): Operation => ({
    method: "post", path: `/api/v1/services/{svc}/tasks/{rid}/${action}`, scope: "run", params: [SVC, RID], body: SuspendBody,
    summary: action === "suspend" ? "Suspend a task's schedule: its slots are recorded skipped (reason suspended) until resumed; idempotent" : "Resume a suspended task's schedule from its next slot (the skipped ones are not run); idempotent",
    answers: { 200: SuspensionAnswerSchema, 400: Problem, 404: Problem, 415: Problem, ...AUTH_ERRORS, ...CLUSTER_ERRORS },
  })),
  {
    method: "get", path: "/api/v1/runs", summary: "Run records, newest first, cursor paging", scope: "read",
    params: [
      { name: "svc", in: "query", schema: str, description: "Object path" },
      { name: "rid", in: "query", schema: str, description: "Task rid" },
      { name: "status", in: "query", schema: str, description: "Comma list of statuses" },
      { name: "trigger", in: "query", schema: str, description: "manual, schedule, api…" },
      { name: "since", in: "query", schema: str, description: "ISO 8601 or epoch seconds (start time ≥)" },
      { name: "until", in: "query", schema: str, description: "ISO 8601 or epoch seconds (start time <)" },
      { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 }, description: "Page size (default 50)" },
      { name: "cursor", in: "query", schema: str, description: "`next` of the previous page" },
    ],
    answers: { 200: listOf(RunRecordSchema), 400: Problem, ...AUTH_ERRORS },
  },
  {
    method: "get", path: "/api/v1/requests/{session}", summary: "A run request (the POST's `request.session`): its runs so far and whether all ended", scope: "read",
    params: [{ name: "session", in: "path", required: true, schema: str, description: "The request's session" }],
    answers: { 200: RunsAnswer, 404: Problem, ...AUTH_ERRORS },
  },
  {
    method: "post", path: "/api/v1/runs/{id}/stop", summary: "Stop a run of this daemon's: its process group is killed, the record says aborted", scope: "run", params: [RUN_ID],
    answers: { 202: z.strictObject({ stopping: z.boolean(), run: RunRecordSchema }), 400: Problem, 404: Problem, 409: Problem, ...AUTH_ERRORS },
  },
  { method: "get", path: "/api/v1/runs/{id}", summary: "One run record", scope: "read", params: [RUN_ID], answers: { 200: RunRecordSchema, 400: Problem, 404: Problem, ...AUTH_ERRORS } },
  {
    method: "get", path: "/api/v1/runs/{id}/log", summary: "A run's output: text, followed (?follow=1), or SSE (id = byte offset; Last-Event-ID resumes)", scope: "read",
    params: [RUN_ID, { name: "follow", in: "query", schema: str, description: "1: stream until the run ends" }],
    answers: { 200: { media: "text/plain" }, 400: Problem, 404: Problem, ...AUTH_ERRORS },
  },
  {
    method: "get", path: "/api/v1/stats", summary: "Per task and local day (the task's zone): runs, failures, average and longest duration, from the history", scope: "read",
    params: [
      { name: "svc", in: "query", schema: str, description: "Object path" },
      { name: "rid", in: "query", schema: str, description: "Task rid" },
      { name: "days", in: "query", schema: { type: "integer", minimum: 1, maximum: 366 }, description: "Days up to today, today included (default 30)" },
    ],
    answers: { 200: listOf(TaskStatsSchema), 400: Problem, ...AUTH_ERRORS },
  },
  {
    method: "get", path: "/metrics", summary: "Prometheus text exposition 0.0.4; without a key only when [listener] metrics_public = true", scope: "read",
    answers: { 200: { media: "text/plain" }, ...AUTH_ERRORS },
  },
];

/** Other route modules add their operations here before the document is first served. */
export function addOperations(more: readonly Operation[]): void {
  operations.push(...more);
}

export function openApiDocument(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: { title: "svcmgr daemon API", version: svcmgrVersion(), description: "Per-service task agent: services, tasks, runs, output, statistics, metrics. Keys: `Authorization: Bearer KEY`." },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" }, apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" } } },
    paths,
  };
}

function operationObject(op: Operation): object {
  const params = [...(op.params ?? []), ...(op.headers ?? [])];
  const responses: Record<string, object> = {};
  for (const [status, answer] of Object.entries(op.answers)) {
    const media = "media" in answer ? answer.media : Number(status) >= 400 ? "application/problem+json" : "application/json";
    const schema = "media" in answer ? (answer.schema ?? { type: "string" }) : jsonSchema(answer);
    responses[status] = { description: describeStatus(Number(status)), content: { [media]: { schema } } };
  }
  return {
    summary: op.summary,
    operationId: `${op.method}${op.path.replace(/[{}]/g, "").replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "")}`,
    ...(op.scope === "none" ? { security: [] } : { security: [{ apiKey: [] }, { apiKeyHeader: [] }], "x-scope": op.scope }),
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(op.body === undefined ? {} : { requestBody: { required: false, content: { "application/json": { schema: jsonSchema(op.body) } } } }),
    responses,
  };
}

function jsonSchema(s: z.ZodMiniType): object {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function describeStatus(s: number): string {
  return ({ 200: "OK", 202: "Accepted: still running", 400: "Bad request", 401: "No key or a bad key", 403: "Outside the key's scope or services", 404: "Not found", 409: "Conflict (confirmation; in a cluster, another node owns the service)", 413: "Body too large", 415: "Not JSON", 422: "Idempotency-Key reused for another request", 502: "The owning node cannot be reached (cluster)", 503: "Stopping, or the owning node cannot be proxied to (cluster)" } as Record<number, string>)[s] ?? "Answer";
}
