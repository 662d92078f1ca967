import type { App } from "../../service/app.js";
import { formatObjectPath, type ObjectPath } from "../../core/object-path.js";
import { hasErrors, resourceErrors } from "../../core/alert.js";
import { readAndValidate, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { renderTable } from "../render.js";

interface ServiceRow {
  readonly name: string;
  readonly file: string | null;
  readonly tasks: number;
  /** False when an error makes the whole service unusable. */
  readonly valid: boolean;
  /** Why it is invalid, or which of its resources are refused on this node (a user that does not exist here). */
  readonly problem: string | null;
}

export const lsCommand: CliCommand = {
  words: ["ls"],
  describe: "List services (all, or those matching -s), with their config file and whether it is valid",
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const paths = typeof args.service === "string" ? selectServices(app, args.service) : app.configFiles.list();
    const rows: ServiceRow[] = [];
    for (const p of paths) rows.push(await describe(app, p));
    if (args.format === "json") app.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    else app.stdout.write(renderTable(["SERVICE", "TASKS", "CONFIG"], rows.map((r) => [r.name, String(r.tasks), r.problem ?? (r.valid ? "ok" : `invalid (svcmgr -s ${r.name} validate config)`)])));
    return 0;
  },
};

async function describe(app: App, p: ObjectPath): Promise<ServiceRow> {
  try {
    const { config, alerts } = await readAndValidate(app, p);
    const refused = [...resourceErrors(alerts).keys()];
    const problem = refused.length === 0 || hasErrors(alerts) ? null : `ok, refused on this node: ${refused.join(", ")} (svcmgr -s ${formatObjectPath(p)} validate config)`;
    return { name: formatObjectPath(p), file: config.file, tasks: config.rids("task").length, valid: !hasErrors(alerts), problem };
  } catch (e) {
    return { name: formatObjectPath(p), file: null, tasks: 0, valid: false, problem: (e as Error).message };
  }
}
