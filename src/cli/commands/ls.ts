import { formatObjectPath } from "../../core/object-path.js";
import { hasErrors } from "../../core/alert.js";
import { listServicePaths } from "../../platform/config-files.js";
import { readAndValidate, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { renderTable } from "../render.js";

export const lsCommand: CliCommand = {
  words: ["ls"],
  describe: "List services (all, or those matching -s), with their config file and whether it is valid",
  options: { format: FORMAT_OPTION },
  run(args, app) {
    const paths = typeof args.service === "string" ? selectServices(app, args.service) : listServicePaths(app.paths);
    const rows = paths.map((p) => {
      try {
        const { config, alerts } = readAndValidate(app, p);
        return { name: formatObjectPath(p), file: config.file, tasks: config.rids("task").length, valid: !hasErrors(alerts), problem: null as string | null };
      } catch (e) {
        return { name: formatObjectPath(p), file: null, tasks: 0, valid: false, problem: (e as Error).message };
      }
    });
    if (args.format === "json") app.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    else app.stdout.write(renderTable(["SERVICE", "TASKS", "CONFIG"], rows.map((r) => [r.name, String(r.tasks), r.valid ? "ok" : r.problem ?? "invalid (svcmgr -s " + r.name + " validate config)"])));
    return 0;
  },
};
