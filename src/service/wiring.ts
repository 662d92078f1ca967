import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { App } from "../core/app.js";
import { objectLogFile } from "../core/paths.js";
import type { ServiceConfig } from "../config/service.js";
import { openRunLog, runLogPath } from "../platform/run-log.js";
import { ownStartTime } from "../platform/liveness.js";
import { createRunSlots, liveRunFiles, runDirOf } from "../platform/run-files.js";
import { createLastRunWriter } from "../platform/last-run.js";
import type { WriteStateFile } from "../platform/background-state-files.js";
import { hostProbe } from "../platform/host-probe.js";
import type { ServiceLog } from "../platform/service-log.js";
import { openServiceLog } from "../platform/service-log.js";
import type { PipelineDeps } from "../run/pipeline.js";
import type { LastRun, RunRecorder, RunReporter } from "../core/run-ports.js";
import { execSetup, type HostFacts, type ServiceFacts } from "../run/exec-setup.js";
import { DEFAULT_LANG } from "../run/environment.js";
import { parseCommandLine } from "../run/command-line.js";
import { resourceState, type StatusDeps } from "../resource/status.js";
import { nodeConfig } from "./node-config.js";

/** Builds the ports a service's runs and status need from the App. */
export function hostFacts(app: App): HostFacts {
  return {
    users: app.users,
    uid: app.uid,
    gid: process.getegid?.() ?? 0,
    env: app.env,
    nodename: app.nodename,
    lang: nodeConfig(app).lang ?? DEFAULT_LANG,
    isDirectory: (p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
  };
}

export function serviceFacts(config: ServiceConfig): ServiceFacts {
  return { name: config.path.name, path: config.name, namespace: config.path.namespace ?? "root", varDir: config.varDir };
}

export function openLog(app: App, config: ServiceConfig, session: string): ServiceLog {
  const { maxSize, keep } = nodeConfig(app).log;
  return openServiceLog(objectLogFile(app.paths, config.path), { session, now: () => app.clock.now(), maxBytes: maxSize, backups: keep });
}

export function readLastRunFile(config: ServiceConfig, rid: string): LastRun | null {
  try {
    return JSON.parse(readFileSync(join(config.varDir, rid, "last_run"), "utf8")) as LastRun;
  } catch {
    return null;
  }
}

export function runningCount(config: ServiceConfig, rid: string): number {
  const dir = runDirOf(config.varDir, rid);
  return existsSync(dir) ? liveRunFiles(dir) : 0;
}

export function statusDeps(app: App, config: ServiceConfig): StatusDeps {
  return {
    probe: hostProbe,
    readLastRun: (rid) => readLastRunFile(config, rid),
    runningCount: (rid) => runningCount(config, rid),
    runCheck: (cfg, rid) => runAppCheck(app, cfg, rid),
  };
}

/** An app resource's `check` command, with its identity and environment, killed after check_timeout. */
async function runAppCheck(app: App, config: ServiceConfig, rid: string): Promise<number | null> {
  const kw = { rid, user: config.value<string>(rid, "user"), group: config.value<string>(rid, "group"), cwd: config.value<string>(rid, "cwd"), environment: config.value<Record<string, string>>(rid, "environment") ?? {} };
  const setup = execSetup(kw, serviceFacts(config), { trigger: "manual", session: "status", extraEnv: {} }, hostFacts(app));
  if ("error" in setup) return null;
  const command = parseCommandLine(config.text(rid, "check")!.text);
  const r = await app.runner.run({ argv: command.argv, env: setup.env(), cwd: setup.cwd, identity: setup.identity, timeoutMs: config.value<number>(rid, "check_timeout"), killGraceMs: 1000 });
  return r.timedOut || r.spawnError !== undefined ? null : r.exitCode;
}

/** Everything a service's runs need but the reporter, which is per run (its session's log). */
export type ServiceRunDeps = Omit<PipelineDeps, "reporter">;

/** `writeState` replaces state files (last_run): synchronous by default; the daemon writes them in the background. */
export function serviceRunDeps(app: App, config: ServiceConfig, recorder: RunRecorder, writeState?: WriteStateFile): ServiceRunDeps {
  const sdeps = statusDeps(app, config);
  const node = nodeConfig(app);
  return {
    clock: app.clock,
    runner: app.runner,
    prompter: app.prompter,
    host: hostFacts(app),
    service: serviceFacts(config),
    states: { statusOf: async (rid) => (await resourceState(config, rid, sdeps)).status },
    slots: createRunSlots(config.varDir),
    recorder,
    lastRun: createLastRunWriter(config.varDir, writeState),
    outputLogPath: (rid, id) => runLogPath(app.paths, config.path, rid, id),
    openOutputLog: (path, maxBytes) => openRunLog(path, { maxBytes: maxBytes ?? node.log.outputMax }),
    ownerPid: process.pid,
    ownerStartTime: ownStartTime(),
  };
}

export function pipelineDeps(app: App, config: ServiceConfig, recorder: RunRecorder, reporter: RunReporter, writeState?: WriteStateFile): PipelineDeps {
  return { ...serviceRunDeps(app, config, recorder, writeState), reporter };
}
