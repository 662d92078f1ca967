import { formatAlert, type Alert } from "../../core/alert.js";
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
    const report: ValidationReport[] = [];
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { alerts } = await readAndValidate(app, path, { lint: true });
      const entry = summarize(formatObjectPath(path), alerts);
      failed ||= !entry.valid;
      report.push(entry);
      // The diagnostics and their summary go to one stream, in order: `> file` keeps both.
      if (args.format !== "json") {
        for (const a of alerts) app.stdout.write(formatAlert(a) + "\n");
        app.stdout.write(`${entry.service}: ${entry.summary}\n`);
      }
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return failed ? 2 : 0;
  },
};

interface ValidationReport {
  readonly service: string;
  readonly valid: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly summary: string;
  readonly alerts: readonly Alert[];
}

/** Any error makes the report invalid here, one that only refuses a resource on this node included. */
function summarize(service: string, alerts: readonly Alert[]): ValidationReport {
  const errors = alerts.filter((a) => a.level === "error").length;
  const warnings = alerts.length - errors;
  const valid = errors === 0;
  const summary = `configuration is ${valid ? "valid" : "invalid"} (${errors} error(s), ${warnings} warning(s))`;
  return { service, valid, errors, warnings, summary, alerts };
}
