import { hostname } from "node:os";
import { resolve } from "node:path";
import type { App } from "../core/app.js";
import { pathsFor } from "../core/paths.js";
import type { Output } from "../core/output.js";
import { systemClock } from "./system-clock.js";
import { createUserDb } from "./user-db.js";
import { createProcessRunner } from "./process-runner.js";
import { createTtyPrompter } from "./tty-prompter.js";
import { stdOutput, type StdOutput } from "./std-output.js";

/** The composition root: the only place that builds platform adapters into an App. */
export function createApp(opts: { root?: string; debug?: boolean }): App {
  const env: NodeJS.ProcessEnv = { ...process.env }; // a plain copy: reading it is far cheaper than process.env
  let timezone: string | undefined;
  const root = opts.root ?? env.SVCMGR_ROOT ?? null;
  return {
    paths: pathsFor(root === null || root === "" ? null : resolve(root)), // absolute: the daemon leaves the caller's cwd
    clock: systemClock,
    users: createUserDb(),
    runner: createProcessRunner(),
    prompter: createTtyPrompter(),
    stdout: output(stdOutput("stdout"), env),
    stderr: output(stdOutput("stderr"), env),
    nodename: hostname(),
    uid: process.geteuid?.() ?? 0,
    env,
    // Intl's first use costs ~10 ms: only pay it when a command needs the zone, and once.
    get timezone() {
      return (timezone ??= Intl.DateTimeFormat().resolvedOptions().timeZone);
    },
    debug: opts.debug ?? false,
  };
}

function output(std: StdOutput, env: NodeJS.ProcessEnv): Output {
  return {
    write: (text) => std.write(text),
    writeBounded: (text) => std.writeBounded(text),
    get color() {
      return std.stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
    },
  };
}
