import { closeSync, readdirSync, readFileSync } from "node:fs";

/** O_CLOEXEC in /proc/<pid>/fdinfo's octal `flags` (Linux's value on every architecture svcmgr builds for). */
const O_CLOEXEC = 0o2000000;

/**
 * Closes the descriptors above 2 that this process holds without close-on-exec: ones it
 * inherited (a parent's `exec 300>file`), which every child would inherit in turn, across the
 * switch to a task's user. Everything Node, libuv and SQLite open is close-on-exec, so these
 * are never svcmgr's own; the IPC channel a parent Node process may have opened is kept.
 * Node's child_process runs no code of ours between fork and exec, so the plain-Node launcher
 * calls this before it starts a task (the native launcher closes them in the child instead).
 * Returns the descriptors it closed.
 */
export function closeInheritedDescriptors(): number[] {
  const channelFd = (process.channel as { fd?: number } | undefined)?.fd;
  const closed: number[] = [];
  for (const name of listFds()) {
    const fd = Number(name);
    if (!(fd > 2) || fd === channelFd || isCloseOnExec(fd)) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // gone meanwhile
    }
  }
  return closed;
}

function listFds(): string[] {
  try {
    return readdirSync("/proc/self/fd");
  } catch {
    return []; // no /proc: nothing to learn the descriptors from
  }
}

/** True when `fd` is close-on-exec, or is no longer open (the listing's own directory). */
function isCloseOnExec(fd: number): boolean {
  let info: string;
  try {
    info = readFileSync(`/proc/self/fdinfo/${fd}`, "latin1");
  } catch {
    return true;
  }
  const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
  return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) !== 0;
}
