import { formatAlert } from "../../core/alert.js";
import { formatObjectPath } from "../../core/object-path.js";
import { readAndValidate, requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";

export const validateConfigCommand: CliCommand = {
  words: ["validate", "config"],
  describe: "Check the service configuration and print every problem at once (exit 2 when there are errors)",
  needsService: true,
  options: { format: FORMAT_OPTION },
  examples: [["svcmgr -s db validate config", "errors and warnings, each with file:line, section, keyword and value"]],
  async run(args, app) {
    let failed = false;
    const report: Array<{ service: string; valid: boolean; alerts: unknown[] }> = [];
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { alerts } = await readAndValidate(app, path, { lint: true });
      // Any error counts here, one that only refuses a resource on this node included.
      const valid = !alerts.some((a) => a.level === "error");
      failed ||= !valid;
      report.push({ service: formatObjectPath(path), valid, alerts: [...alerts] });
      if (args.format !== "json") {
        for (const a of alerts) app.stdout.write(formatAlert(a) + "\n");
        const errors = alerts.filter((a) => a.level === "error").length;
        app.stderr.write(`${formatObjectPath(path)}: ${valid ? "configuration is valid" : "configuration is invalid"} (${errors} error(s), ${alerts.length - errors} warning(s))\n`);
      }
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return failed ? 2 : 0;
  },
};
