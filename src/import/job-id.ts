/**
 * A stable task id for a job that has none of its own (a crontab line): a readable part (the
 * command's program name) and 8 hex digits of a hash of the schedule and the command as
 * written. The same line gives the same id wherever it sits in the file; any change to its
 * schedule or command gives a new one (an edited job is a new job).
 */
export function jobId(schedule: string, command: string): string {
  const program = command.trim().split(/\s+/)[0] ?? "";
  const base = program.split("/").pop()!.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[.-]+/, "").slice(0, 40);
  return `${base === "" ? "cron" : base}-${fnv1a(`${schedule}\n${command}`)}`;
}

/** FNV-1a, 32 bits, over the UTF-16 code units: small, fast, and the same on every platform. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
