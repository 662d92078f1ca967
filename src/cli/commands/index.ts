import type { CliCommand } from "../command.js";
import { runCommand } from "./run.js";
import { execCommand } from "./exec.js";
import { shellCommand } from "./shell.js";
import { lsCommand } from "./ls.js";
import { validateConfigCommand } from "./validate-config.js";
import { printStatusCommand } from "./print-status.js";
import { printConfigCommand } from "./print-config.js";
import { printScheduleCommand } from "./print-schedule.js";
import { printHistoryCommand } from "./print-history.js";
import { printRunCommand } from "./print-run.js";
import { keywordsCommand } from "./keywords.js";
import { scheduleCommands } from "./schedule.js";
import { daemonCommands } from "./daemon.js";
import { nodeCommands } from "./node.js";
import { historyPruneCommand } from "./history-prune.js";
import { historyMigrateCommand } from "./history-migrate.js";
import { historyRepairCommand } from "./history-repair.js";
import { importCommand } from "./import.js";
import { exportCommand } from "./export.js";
import { resumeCommand, suspendCommand } from "./suspend.js";
import { apikeyCommands } from "./apikey.js";
import { clusterCommands } from "./cluster.js";
import { runsLsCommand, runsShowCommand } from "./runs.js";
import { runsRmCommand, runsStopCommand } from "./runs-manage.js";
import { containerUpdateCommand } from "./container-update.js";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  lsCommand,
  runCommand,
  execCommand,
  shellCommand,
  suspendCommand,
  resumeCommand,
  validateConfigCommand,
  printStatusCommand,
  printScheduleCommand,
  printHistoryCommand,
  historyPruneCommand,
  printRunCommand,
  runsLsCommand,
  runsShowCommand,
  runsStopCommand,
  runsRmCommand,
  printConfigCommand,
  keywordsCommand,
  ...scheduleCommands,
  ...daemonCommands,
  ...nodeCommands,
  historyRepairCommand,
  historyMigrateCommand,
  importCommand,
  exportCommand,
  ...apikeyCommands,
  ...clusterCommands,
  containerUpdateCommand,
];
