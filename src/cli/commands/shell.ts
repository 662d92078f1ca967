import { NotFoundError, UsageError } from "../../core/errors.js";
import { formatAlert } from "../../core/alert.js";
import type { ServiceConfig } from "../../config/service.js";
import { initiatingUser } from "../../history/initiator.js";
import { taskDef, type TaskDef } from "../../task/model.js";
import { openShell } from "../../run/shell.js";
import { openService, requireNodeMember, requireSelector, selectServices } from "../../service/open.js";
import { createReporter } from "../../service/reporter.js";
import type { CliCommand } from "../command.js";
import { cliRecorder } from "./run.js";

export const shellCommand: CliCommand = {
  words: ["shell"],
  describe:
    "Open an interactive shell on this terminal in a task's context (user, environment, cwd, limits, in a cgroup), recorded in the history " +
    "(trigger oneoff, rid shell: who asked, when, exit code); exits with the shell's exit code. Needs a terminal on stdin",
  needsService: true,
  options: {
    rid: { type: "string", describe: "The task whose context the shell gets (needed when the service has several tasks)", requiresArg: true },
    user: { type: "string", describe: "Run the shell as this user instead of the task's (root only; through sudo, never root)", requiresArg: true },
  },
  examples: [
    ["sudo svcmgr -s app shell", "a shell as the app's task user, with its environment and cwd"],
    ["sudo svcmgr -s app shell --rid task#migrate", "in the context of one of the service's tasks"],
    ["svcmgr -s app shell --user deploy", "as root: a shell as another user in the task's context"],
  ],
  async run(args, app) {
    const paths = selectServices(app, requireSelector(args.service));
    if (paths.length !== 1) throw new UsageError(`svcmgr shell opens a shell in one service: -s selects ${paths.length}`);
    const { config, warnings } = await openService(app, paths[0]!);
    for (const w of warnings) app.stderr.write(formatAlert(w) + "\n");
    requireNodeMember(config, "shell", app.nodename);
    const task = contextTask(config, typeof args.rid === "string" ? args.rid : undefined);
    app.services.prepareStateDirs();
    const history = await app.history.open();
    const session = app.services.newSession();
    const log = app.services.openLog(config, session);
    try {
      log.write("info", null, `do shell ${process.argv.slice(2).join(" ")} (session ${session})`);
      const deps = app.services.runPorts(config, cliRecorder(history, app), createReporter(config.name, { stdout: app.stderr, stderr: app.stderr }, log));
      const end = await openShell({
        task, user: typeof args.user === "string" ? args.user : undefined, session, term: app.env.TERM,
        initiatedBy: initiatingUser(app.env, app.users.user(String(app.uid))?.name ?? String(app.uid)), sudoUid: sudoUid(app.env),
      }, deps);
      return end.exitCode;
    } finally {
      log.close();
      await history.close();
    }
  },
};

/** The task named by --rid; without it, the service's only task, or none when it has none. */
function contextTask(config: ServiceConfig, rid: string | undefined): TaskDef | null {
  const rids = config.rids("task");
  if (rid === undefined) {
    if (rids.length > 1) throw new UsageError(`${config.name} has ${rids.length} tasks: say whose context the shell gets with --rid (${rids.join(", ")})`);
    return rids.length === 0 ? null : hostTask(taskDef(config, rids[0]!));
  }
  if (!rids.includes(rid)) throw new NotFoundError(`${config.name}: no task ${rid} (tasks: ${rids.join(", ") || "none"})`);
  return hostTask(taskDef(config, rid));
}

function hostTask(task: TaskDef): TaskDef {
  if (task.type !== "task.host") throw new UsageError(`${task.rid} is a ${task.type} task: svcmgr shell opens a host shell, in the context of a host task only`);
  return task;
}

/** SUDO_UID as sudo sets it; null when absent or not a number. */
function sudoUid(env: Readonly<Record<string, string | undefined>>): number | null {
  const v = env.SUDO_UID;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}
