import { basename, resolve } from "node:path";
import type { App } from "../../service/app.js";
import { formatAlert, hasErrors, type Alert } from "../../core/alert.js";
import { NotFoundError, UsageError } from "../../core/errors.js";
import { configFile } from "../../core/paths.js";
import { formatObjectPath, parseObjectPath, type ObjectPath } from "../../core/object-path.js";
import { SOURCE_FORMATS, type SourceFormat } from "../../import/job.js";
import { planImport, type Change } from "../../import/plan.js";
import { readJobs } from "../../import/read.js";
import { serviceNameOf } from "../../import/detect.js";
import { validateText } from "../../service/open.js";
import type { ParsedArgs } from "../command.js";

/**
 * Reads the source as a whole, refuses it on any error (nothing written), plans the service
 * file's new text, checks it as `validate config` would, then writes it in one rename, or
 * with --dry-run prints it. Exit 0 when written (or nothing to change), 2 on any error.
 */
export async function runImport(args: ParsedArgs, app: App): Promise<number> {
  const format = String(args.from ?? "");
  if (!(SOURCE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`import needs --from ${SOURCE_FORMATS.join("|")}`);
  const source = resolve(String(args.file));
  const path = targetService(args.service, source);
  const file = configFile(app.paths, path);
  const json = args.format === "json";
  const dryRun = args["dry-run"] === true;
  const read = readJobs(format as SourceFormat, app.sources.read(source), source, app.sources.parseTree);
  if (!read.ok) return refuse(app, json, read.alerts, `${source}: not imported, nothing written`);
  const header = [`Service imported by \`svcmgr import --from ${format} ${source}\`.`, "Each [task#…] section's first comment names its source line; a new import of that file updates those sections."];
  const plan = planImport(existingText(app, path), file, read.jobs, source, header);
  if (!plan.ok) return refuse(app, json, [...read.alerts, ...plan.alerts], `${file}: not written`);
  const { alerts } = await validateText(app, path, file, plan.text);
  if (hasErrors(alerts)) return refuse(app, json, [...read.alerts, ...alerts], `${file}: the imported service would not be valid; nothing written`);
  const changed = plan.changes.some((c) => c.action !== "unchanged");
  const written = changed && !dryRun;
  if (written) app.configFiles.write(path, plan.text);
  const report = { service: formatObjectPath(path), file, source, from: format, dryRun, written, changes: plan.changes, alerts: [...read.alerts, ...alerts] };
  if (json) {
    app.stdout.write(JSON.stringify(dryRun ? { ...report, text: plan.text } : report, null, 2) + "\n");
    return 0;
  }
  for (const a of report.alerts) app.stderr.write(formatAlert(a) + "\n");
  const out = dryRun ? app.stderr : app.stdout;
  for (const c of plan.changes) out.write(changeLine(c, basename(source)) + "\n");
  out.write(summary(plan.changes, file, dryRun, written) + "\n");
  if (dryRun) app.stdout.write(plan.text);
  return 0;
}

/** -s NAME, else the source file's name without its extension. */
function targetService(selector: unknown, source: string): ObjectPath {
  if (typeof selector === "string" && selector !== "") {
    if (/[*?[,]/.test(selector)) throw new UsageError(`import: -s ${selector}: name one service, not a pattern or a list`);
    return parseObjectPath(selector);
  }
  const name = serviceNameOf(source);
  try {
    return parseObjectPath(name);
  } catch (e) {
    throw new UsageError(`import: no service name can be made from ${basename(source)} (${(e as Error).message}): give one with -s NAME`);
  }
}

function existingText(app: App, path: ObjectPath): string | null {
  try {
    return app.configFiles.read(path).text;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

function refuse(app: App, json: boolean, alerts: readonly Alert[], message: string): number {
  if (json) app.stdout.write(JSON.stringify({ written: false, error: message, alerts }, null, 2) + "\n");
  else {
    for (const a of alerts) app.stderr.write(formatAlert(a) + "\n");
    app.stderr.write(`${message}\n`);
  }
  return 2;
}

function changeLine(c: Change, source: string): string {
  return c.line === undefined ? `${c.rid}: ${c.action} (no longer in ${source})` : `${c.rid}: ${c.action} (${source}:${c.line})`;
}

function summary(changes: readonly Change[], file: string, dryRun: boolean, written: boolean): string {
  const count = (a: Change["action"]) => changes.filter((c) => c.action === a).length;
  const counts = `${count("added")} added, ${count("updated")} updated, ${count("removed")} removed, ${count("unchanged")} unchanged`;
  if (dryRun) return `${file} (dry run, not written): ${counts}`;
  return written ? `wrote ${file}: ${counts}` : `${file} is up to date: ${counts}`;
}
