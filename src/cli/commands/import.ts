import { SOURCE_FORMATS } from "../../import/job.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";

/**
 * `svcmgr import --from FORMAT FILE`: another scheduler's jobs as a service's tasks. The work
 * (and the YAML reader) is loaded only when the command runs (import-run.ts).
 */
export const importCommand: CliCommand = {
  words: ["import"],
  describe: "Turn a Supertask timetable, a legacy cronjobs.json or a crontab into a service's tasks (task#<id> sections in <etc>/<service>.conf)",
  positionals: [{ name: "file", describe: "The file to import", required: true }],
  options: {
    from: { type: "string", describe: "The file's format: supertask (timetable, YAML or JSON), supertask-legacy (cronjobs.json) or crontab (a user crontab, as crontab -l prints it)", choices: SOURCE_FORMATS, requiresArg: true },
    "dry-run": { type: "boolean", describe: "Print the service file that would be written, and what would change; write nothing" },
    format: FORMAT_OPTION,
  },
  examples: [
    ["svcmgr import --from supertask timetable.yaml -s etl", "the timetable's tasks as [task#<meta.id>] sections of <etc>/etl.conf"],
    ["crontab -l > /tmp/ct && svcmgr import --from crontab /tmp/ct -s nightly --dry-run", "what the crontab would become, nothing written"],
  ],
  async run(args, app) {
    return (await import("./import-run.js")).runImport(args, app);
  },
};
