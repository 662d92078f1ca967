import { existsSync, readFileSync, statSync } from "node:fs";
import type { App, ServicePorts } from "../service/app.js";
import { lastRunFile, objectLogFile, taskRunDir } from "../core/paths.js";
import type { ServiceConfig } from "../config/service.js";
import { openRunLog, runLogPath } from "./run-log.js";
import { ownStartTime } from "./liveness.js";
import { createRunSlots, liveRunFiles } from "./run-files.js";
import { createLastRunWriter } from "./last-run.js";
import type { WriteStateFile } from "./background-state-files.js";
import { hostProbe } from "./host-probe.js";
import { openServiceLog } from "./service-log.js";
import type { LastRun, ServiceLog } from "../core/run-ports.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { execSetup, type HostFacts, type ServiceFacts } from "../run/exec-setup.js";
import { DEFAULT_LANG } from "../run/environment.js";
import { parseCommandLine } from "../run/command-line.js";
import { taskDrivers } from "../run/drivers/registry.js";
import { driverPorts } from "./podman-host.js";
import { resourceState, type StatusDeps } from "../resource/status.js";
import { nodeConfig } from "../service/node-config.js";
import { prepareStateDirs } from "./state-dirs.js";
import { newSessionId } from "./session-id.js";
import { nativeMode } from "./native-addon.js";
import { suspensionFiles } from "./suspension-file.js";

function hostFacts(app: App): HostFacts {
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

function serviceFacts(config: ServiceConfig): ServiceFacts {
  return { name: config.path.name, path: config.name, namespace: config.path.namespace ?? "root", varDir: config.varDir };
}

function openLog(app: App, config: ServiceConfig, session: string): ServiceLog {
  const { maxSize, keep } = nodeConfig(app).log;
  return openServiceLog(objectLogFile(app.paths, config.path), { session, now: () => app.clock.now(), maxBytes: maxSize, backups: keep });
}

function readLastRunFile(config: ServiceConfig, rid: string): LastRun | null {
  try {
    return JSON.parse(readFileSync(lastRunFile(config.varDir, rid), "utf8")) as LastRun;
  } catch {
    return null;
  }
}

function runningCount(config: ServiceConfig, rid: string): number {
  const dir = taskRunDir(config.varDir, rid);
  return existsSync(dir) ? liveRunFiles(dir) : 0;
}

function statusDeps(app: App, config: ServiceConfig): StatusDeps {
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

/**
 * The ServicePorts of an App. `writeState` replaces state files (last_run): synchronously by
 * default; the daemon passes its background writer.
 */
export function servicePorts(app: App, writeState?: WriteStateFile): ServicePorts {
  // Built once per loaded config (a reload brings a new config object): the daemon runs the
  // same tasks over and over, a CLI run builds it once.
  const byConfig = new WeakMap<ServiceConfig, ConfigPorts>();
  let drivers: PipelineDeps["drivers"] | undefined;
  const driversOnce = () => (drivers ??= taskDrivers(driverPorts(app.paths.var)));
  const configPorts = (config: ServiceConfig): ConfigPorts => {
    let ports = byConfig.get(config);
    if (ports === undefined) byConfig.set(config, (ports = buildConfigPorts(app, config, writeState, driversOnce())));
    return ports;
  };
  return {
    prepareStateDirs: () => prepareStateDirs(app.paths),
    newSession: newSessionId,
    openLog: (config, session) => openLog(app, config, session),
    statusPorts: (config) => statusDeps(app, config),
    nativeMode,
    suspensions: (config) => suspensionFiles(config.varDir),
    runPorts: (config, recorder, reporter) => ({ ...configPorts(config), recorder, reporter }),
  };
}

/** A service's run ports but the recorder and the reporter, which belong to the caller. */
type ConfigPorts = Omit<PipelineDeps, "recorder" | "reporter">;

function buildConfigPorts(app: App, config: ServiceConfig, writeState: WriteStateFile | undefined, drivers: PipelineDeps["drivers"]): ConfigPorts {
  const sdeps = statusDeps(app, config);
  return {
    clock: app.clock,
    drivers,
    runner: app.runner,
    prompter: app.prompter,
    host: hostFacts(app),
    service: serviceFacts(config),
    states: { statusOf: async (rid) => (await resourceState(config, rid, sdeps)).status },
    slots: createRunSlots(config.varDir),
    lastRun: createLastRunWriter(config.varDir, writeState),
    outputLogPath: (rid, id) => runLogPath(app.paths, config.path, rid, id),
    openOutputLog: (path, maxBytes) => openRunLog(path, { maxBytes: maxBytes ?? nodeConfig(app).log.outputMax }),
    ownerPid: process.pid,
    ownerStartTime: ownStartTime(),
    cgroupDefaults: nodeConfig(app).limits,
  };
}
