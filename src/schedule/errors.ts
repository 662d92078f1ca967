import { SvcmgrError } from "../core/errors.js";

/**
 * A schedule expression (or its time zone) that cannot be used. Exit code 2, like every
 * configuration error. The message quotes the whole expression, then the offending part.
 */
export class ScheduleSyntaxError extends SvcmgrError {
  /** The expression as given. */
  readonly expression: string;
  constructor(expression: string, detail: string, options?: { cause?: unknown }) {
    super(`invalid schedule ${JSON.stringify(expression)}: ${detail}`, 2, options);
    this.expression = expression;
  }
}

/** Thrown while parsing one part; the top-level parser adds the whole expression. */
export class PartError extends Error {}

export function fail(detail: string): never {
  throw new PartError(detail);
}
