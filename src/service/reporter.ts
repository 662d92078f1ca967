import type { Output } from "../core/output.js";
import type { RunReporter } from "../core/run-ports.js";
import type { ServiceLog } from "../core/run-ports.js";

/**
 * Terminal + service log. Task output reaches the terminal verbatim (stdout lines on stdout,
 * stderr lines on stderr) so `svcmgr … run > file` captures what the task printed; svcmgr's
 * own messages go to stderr as `<svc> <rid>: …`. The service log gets every message, and the
 * output lines of tasks with `log = true` (stdout at INFO, stderr at ERROR). Task output to a
 * reader that does not keep up is dropped beyond a bound (Output.writeBounded), never queued.
 */
export function createReporter(svc: string, out: { stdout: Output; stderr: Output }, log: ServiceLog | null, quiet = false): RunReporter {
  const color = (code: string, text: string) => (out.stderr.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    message(level, rid, text) {
      log?.write(level, rid, text);
      if (quiet && level === "info") return;
      const tag = level === "error" ? color("31", "error: ") : level === "warning" ? color("33", "warning: ") : "";
      out.stderr.write(`${svc} ${rid}: ${tag}${text}\n`);
    },
    output(rid, stream, line, toLog) {
      if (toLog) log?.write(stream === "stdout" ? "info" : "error", rid, `| ${line}`);
      const to = stream === "stdout" ? out.stdout : out.stderr;
      (to.writeBounded ?? to.write).call(to, line + "\n");
    },
    lostLogLines: () => log?.lost() ?? { lines: 0, error: null },
  };
}
