import type { App } from "../../service/app.js";
import { UsageError } from "../../core/errors.js";
import { formatObjectPath } from "../../core/object-path.js";
import type { ServiceConfig } from "../../config/service.js";
import { KEYWORDS } from "../../config/keywords/index.js";
import { toCrontab } from "../../import/export-crontab.js";
import { toTimetable } from "../../import/export-supertask.js";
import { CARRIED, type ExportTask } from "../../import/export-task.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import type { ParsedArgs } from "../command.js";

/** Prints each selected service in the target format; what cannot be said goes to stderr (exit 0). */
export async function runExport(args: ParsedArgs, app: App): Promise<number> {
  const to = args.to;
  if (to !== "crontab" && to !== "supertask") throw new UsageError("export needs --to crontab|supertask");
  const results = [];
  for (const path of selectServices(app, requireSelector(args.service))) {
    const { config } = await openService(app, path);
    const tasks = config.rids("task").map((rid) => exportTask(config, rid));
    const name = formatObjectPath(path);
    const result = to === "crontab" ? toCrontab(tasks, `svcmgr service ${name} (${config.file})`) : toTimetable(tasks, app.timezone);
    results.push({ service: name, to, ...result });
  }
  if (args.format === "json") {
    app.stdout.write(JSON.stringify(results, null, 2) + "\n");
    return 0;
  }
  for (const r of results) {
    app.stdout.write(r.text);
    for (const n of r.notes) app.stderr.write(`${r.service} ${n.rid}: not exported: ${n.message}\n`);
  }
  return 0;
}

function exportTask(config: ServiceConfig, rid: string): ExportTask {
  const text = (option: string) => config.text(rid, option)?.text;
  const set = (option: string) => config.raw(rid, option)?.entry !== undefined;
  const environment = Object.entries(config.value<Record<string, string>>(rid, "environment") ?? {});
  const timezone = text("timezone");
  const cwd = set("cwd") ? text("cwd") : undefined;
  const comment = set("comment") ? text("comment") : undefined;
  const schedule = (text("schedule") ?? "").trim();
  return {
    rid,
    index: rid.slice(rid.indexOf("#") + 1),
    schedule: schedule === "@0" ? "" : schedule,
    ...(timezone === undefined || timezone === "" ? {} : { timezone }),
    disabled: config.value<boolean>(rid, "disable") === true || config.value<boolean>("DEFAULT", "disable") === true,
    confirmation: config.value<boolean>(rid, "confirmation") === true,
    command: text("command") ?? "",
    environment,
    ...(cwd === undefined ? {} : { cwd }),
    ...(comment === undefined ? {} : { comment }),
    unsupported: KEYWORDS.task.filter((kw) => !CARRIED.has(kw.option) && kw.ignored === undefined && set(kw.option)).map((kw) => kw.option),
  };
}
