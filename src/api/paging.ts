import { ApiProblem } from "./problem.js";

/**
 * Cursors of list responses: opaque to clients (base64url of the last item's sort key), so the
 * order can change without breaking them. A cursor that does not decode is a 400.
 */
export interface RunCursor {
  readonly startedAt: number;
  readonly id: number;
}

export function encodeCursor(c: RunCursor): string {
  return Buffer.from(`${c.startedAt}.${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(text: string | undefined): RunCursor | undefined {
  if (text === undefined || text === "") return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (m === null) throw new ApiProblem(400, `cursor: "${text}" is not a cursor this API gave`, { field: "cursor" });
  return { startedAt: Number(m[1]), id: Number(m[2]) };
}
