import { closeSync, fstatSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { suspendedFile } from "../core/paths.js";
import type { Suspension, SuspensionFile } from "../core/suspension.js";
import { writeFileAtomic } from "./atomic-write.js";
import { NOFOLLOW } from "./fs-util.js";

/**
 * The `suspended` state files of one service's tasks (suspendedFile): JSON `{by, at, reason}`,
 * replaced atomically, removed on resume. A file that exists but cannot be understood still
 * means suspended (someone meant to stop the task), by "unknown", since its mtime.
 */
export function suspensionFiles(varDir: string): SuspensionFile {
  return {
    read: (rid) => readSuspension(suspendedFile(varDir, rid)),
    write: (rid, state) => {
      const file = suspendedFile(varDir, rid);
      if (state !== null) return writeFileAtomic(file, JSON.stringify(state) + "\n");
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    },
  };
}

export function readSuspension(file: string): Suspension | null {
  let fd: number;
  try {
    fd = openSync(file, NOFOLLOW.read);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { by: "unknown", at: 0, reason: `${file} cannot be read (${(e as Error).message})` };
  }
  try {
    const text = readFileSync(fd, "utf8");
    const at = fstatSync(fd).mtimeMs;
    return parseSuspension(text) ?? { by: "unknown", at: Math.floor(at), reason: `${file} is not valid (remove it or resume the task)` };
  } finally {
    closeSync(fd);
  }
}

function parseSuspension(text: string): Suspension | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.by !== "string" || typeof v.at !== "number" || !Number.isFinite(v.at)) return null;
    if (v.reason !== null && typeof v.reason !== "string") return null;
    return { by: v.by, at: v.at, reason: v.reason as string | null };
  } catch {
    return null;
  }
}
