import * as z from "zod/mini";

/**
 * Request bodies, checked with zod (loaded with this module by the first request that has a
 * body, not when the daemon starts) and documented in the OpenAPI document from the same schemas.
 */

/** The body of `POST /api/v1/services/{svc}/runs`. */
export const RunRequestBody = z.strictObject({
  rid: z.optional(z.string()),
  tags: z.optional(z.string()),
  subsets: z.optional(z.string()),
  env: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), z.string())),
  confirm: z.optional(z.union([z.string(), z.array(z.string())])),
  wait: z.optional(z.union([z.string(), z.number()])),
  force: z.optional(z.boolean()),
});

/** The body of `POST /api/v1/services/{svc}/exec` (run/oneoff.ts says what each field means). */
export const ExecRequestBody = z.strictObject({
  command: z.array(z.string()).check(z.minLength(1)),
  user: z.optional(z.string()),
  task: z.optional(z.string()),
  memory: z.optional(z.union([z.string(), z.number()])),
  cpus: z.optional(z.union([z.string(), z.number()])),
  maxTime: z.optional(z.union([z.string(), z.number()])),
  wait: z.optional(z.union([z.string(), z.number()])),
  force: z.optional(z.boolean()),
});

/** The body of `POST …/tasks/{rid}/suspend` and `…/resume` (optional). */
export const SuspendBody = z.strictObject({
  reason: z.optional(z.string()),
  /** Who asked, for the CLI acting through the daemon: accepted from root on the socket only. */
  by: z.optional(z.string()),
});
