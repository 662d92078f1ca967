import { NotFoundError, UsageError } from "../../core/errors.js";
import { formatObjectPath } from "../../core/object-path.js";
import { formatDuration } from "../../core/duration.js";
import { formatSize } from "../../core/size.js";
import type { RunRecord } from "../../core/run-record.js";
import type { App } from "../../service/app.js";
import { requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime } from "../render.js";

export const printRunCommand: CliCommand = {
  words: ["print", "run"],
  describe: "Show one recorded run with its output (the stored excerpt, or the full output file with --full)",
  needsService: true,
  positionals: [{ name: "id", describe: "Run id (from print history)", required: true }],
  options: { format: FORMAT_OPTION, full: { type: "boolean", describe: "Print the whole output from the run's log file" } },
  async run(args, app) {
    const id = Number(args.id);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`run id must be a positive integer, got "${String(args.id)}"`);
    const services = selectServices(app, requireSelector(args.service)).map(formatObjectPath);
    const history = await app.history.open();
    let record: RunRecord | null;
    try {
      record = await history.get(id);
    } finally {
      await history.close();
    }
    if (record === null || !services.includes(record.svc)) throw new NotFoundError(`no run ${id} for ${services.join(", ")}`);
    const full = args.full === true ? readOutput(app, record) : undefined;
    if (args.format === "json") app.stdout.write(JSON.stringify(full === undefined ? record : { ...record, output: full }, null, 2) + "\n");
    else app.stdout.write(renderRun(record, full));
    return 0;
  },
};

function readOutput(app: App, r: RunRecord): string {
  if (r.logFile === null) return "";
  try {
    return app.readText(r.logFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && r.outputBytes === 0) return ""; // a silent run writes no file
    throw new NotFoundError(`run ${r.id}: cannot read its output file ${r.logFile}: ${(e as Error).message}`);
  }
}

export function renderRun(r: RunRecord, full: string | undefined): string {
  const field = (k: string, v: string | number | null) => `${k.padEnd(13)} ${v === null ? "-" : v}\n`;
  let out = field("id", r.id) + field("service", r.svc) + field("rid", r.rid) + field("trigger", r.trigger);
  out += field("slot", r.scheduledFor === null ? null : formatLocalTime(r.scheduledFor));
  if (r.attempt > 1) out += field("attempt", r.retryOf === null ? `${r.attempt} (the slot's instant came again: the clock was set back)` : `${r.attempt} (retry of run ${r.retryOf})`);
  out += field("started", formatLocalTime(r.startedAt));
  out += field("ended", r.endedAt === null ? null : formatLocalTime(r.endedAt)) + field("duration", r.durationMs === null ? null : formatDuration(r.durationMs));
  out += field("status", r.status) + field("exit code", r.exitCode) + field("signal", r.signal) + field("reason", r.reason);
  out += field("node", r.node) + field("user", r.user) + field("initiated by", r.initiatedBy) + field("session", r.session) + field("command", r.command) + field("output file", r.logFile);
  if (r.inheritedEnv) out += field("environment", "svcmgr's own, inherited (--inherit-env)");
  if (r.peakMemory !== null) out += field("peak memory", formatSize(r.peakMemory));
  if (r.cpuSeconds !== null) out += field("cpu time", `${r.cpuSeconds.toFixed(3)} s`);
  out += field("output", `${r.outputBytes} bytes (stdout ${r.stdoutBytes}, stderr ${r.stderrBytes})${r.truncated ? ", excerpt truncated: --full for all" : ""}`);
  if (full !== undefined) return out + "\n" + full;
  out += "\n" + r.outputHead;
  if (r.truncated) out += `\n[… ${r.outputBytes - Buffer.byteLength(r.outputHead) - Buffer.byteLength(r.outputTail)} bytes not kept …]\n` + r.outputTail;
  return out;
}
