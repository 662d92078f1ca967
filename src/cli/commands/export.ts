import { FORMAT_OPTION, type CliCommand } from "../command.js";

/** `svcmgr -s SVC export --to crontab|supertask`: the reverse trip of import (export-run.ts). */
export const exportCommand: CliCommand = {
  words: ["export"],
  describe: "Print a service's tasks as a crontab or a Supertask timetable (JSON), where they can be said; what cannot is listed on standard error and in the output's comments",
  needsService: true,
  options: {
    to: { type: "string", describe: "The format: crontab (5-field cron, CRON_TZ, commands with their environment) or supertask (a timetable in JSON)", choices: ["crontab", "supertask"], requiresArg: true },
    format: FORMAT_OPTION,
  },
  examples: [
    ["svcmgr -s nightly export --to crontab | crontab -", "install the service's scheduled tasks as this user's crontab"],
    ["svcmgr -s etl export --to supertask > timetable.json", "a Supertask timetable of the service's tasks"],
  ],
  async run(args, app) {
    return (await import("./export-run.js")).runExport(args, app);
  },
};
