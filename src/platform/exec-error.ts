/** What a failed exec (an errno error from the launcher) says about the command. */
export function describeExecError(e: unknown, argv0: string): string {
  switch ((e as NodeJS.ErrnoException | null)?.code) {
    case "ENOENT":
      return `command not found: ${argv0}`;
    case "EACCES":
      return `permission denied: ${argv0}`;
    case "ENOEXEC":
      return `exec format error: ${argv0} (check the script shebang)`;
    case "E2BIG":
      return `argument list too long: ${argv0}`;
    default:
      return `cannot start ${argv0}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
