import { readFileSync } from "node:fs";

/**
 * One line of /proc/<pid>/stat (proc(5)): `pid (comm) state ppid pgrp … starttime …`.
 * The command name (field 2) is the only field that may hold spaces and parentheses — a
 * process may name itself `a) b (c` — so it runs from the first "(" to the LAST ")" of the
 * line: no field after it can contain a ")". The native launcher (native/task_spawn.c) reads
 * field 22 by the same rule on its own thread, where no JavaScript runs.
 */
export interface ProcStat {
  /** Field 1. */
  readonly pid: number;
  /** Field 2 without its parentheses, as the kernel has it (at most 15 bytes, read as latin1). */
  readonly comm: string;
  /** Field 3: R, S, D, Z (zombie), X (dead), T, … */
  readonly state: string;
  /** Field 5: the process group. */
  readonly pgrp: number;
  /** Field 22: when the process started, in clock ticks since boot. */
  readonly startTime: number;
  /** Every field as text, `fields[n - 1]` being field n (fields[1] is comm, unparenthesized). */
  readonly fields: readonly string[];
}

const STATE = 3;
const PGRP = 5;
const START_TIME = 22;

/** Parses the text of /proc/<pid>/stat; null when it is not one (too short, a number missing). */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).trimEnd().split(" ");
  const fields = [text.slice(0, open), text.slice(open + 2, close), ...rest];
  const pid = count(fields[0]);
  const state = fields[STATE - 1];
  const pgrp = count(fields[PGRP - 1]);
  const startTime = count(fields[START_TIME - 1]);
  if (!Number.isSafeInteger(pid) || !state || !Number.isSafeInteger(pgrp) || !Number.isSafeInteger(startTime)) return null;
  return { pid, comm: fields[1]!, state, pgrp, startTime, fields };
}

/** A field that holds a non-negative integer (every one this file reads), else NaN. */
function count(field: string | undefined): number {
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : NaN;
}

/** /proc/<pid>/stat of a live (or zombie) process; null when there is none or no /proc. */
export function readProcStat(pid: number): ProcStat | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return null;
  }
}

/** A zombie (exited, not yet reaped) or dead process: it holds nothing and runs nothing. */
export function hasExited(stat: ProcStat): boolean {
  return stat.state === "Z" || stat.state === "X";
}
