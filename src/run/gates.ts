import type { PromptReply } from "../core/ports.js";

/**
 * Pure decisions of the run pipeline. "Don't run" is data with a reason, not an exception.
 */

export type ConfirmationDecision =
  | { kind: "proceed"; note?: string }
  | { kind: "refuse"; reason: string }
  | { kind: "ask"; prompt: string };

export const CONFIRMATION_TIMEOUT_MS = 30_000;

/**
 * Order: not needed → cron → --confirm → no terminal → ask (OpenSVC's three-line prompt).
 * A scheduled (--cron) run never runs a confirmation task, --confirm or not.
 */
export function decideConfirmation(rid: string, required: boolean, opts: { confirm: boolean; cron: boolean; interactive: boolean }): ConfirmationDecision {
  if (!required) return { kind: "proceed" };
  if (opts.cron) return { kind: "refuse", reason: "run aborted: confirmation required, never given to scheduled (--cron) runs" };
  if (opts.confirm) return { kind: "proceed", note: "confirmed by command line option" };
  if (!opts.interactive) {
    return { kind: "refuse", reason: `run aborted: ${rid} requires confirmation and stdin is not a terminal; pass --confirm to confirm the run non-interactively` };
  }
  return {
    kind: "ask",
    prompt:
      "This task run requires confirmation.\n" +
      "Please make sure you fully understand its role and effects before confirming the run.\n" +
      `Do you really want to run ${rid} (yes/no) > `,
  };
}

export function confirmationAnswer(reply: PromptReply): Exclude<ConfirmationDecision, { kind: "ask" }> {
  if ("timeout" in reply) return { kind: "refuse", reason: "timeout waiting for confirmation" };
  if ("interrupted" in reply) return { kind: "refuse", reason: "run aborted: interrupted" };
  if ("closed" in reply) return { kind: "refuse", reason: "run aborted (no answer: stdin closed)" };
  return reply.answer === "yes" ? { kind: "proceed", note: "run confirmed" } : { kind: "refuse", reason: "run aborted" };
}
