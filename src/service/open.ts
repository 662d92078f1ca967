import type { App } from "./app.js";
import { formatAlert, hasErrors, type Alert } from "../core/alert.js";
import { ActionError, ConfigError, NotFoundError, UsageError } from "../core/errors.js";
import { formatObjectPath, parseObjectPath, type ObjectPath } from "../core/object-path.js";
import { loadService, type LoadedService } from "../config/load.js";
import { scheduleChecks } from "./schedule-checks.js";
import type { ServiceConfig } from "../config/service.js";
import { globToRegExp, isGlob } from "../config/glob.js";

/**
 * Resolves `-s` selectors: names or object paths, globs (`web*`), comma lists.
 * A plain name that matches nothing is an error; a glob may match nothing.
 */
export function selectServices(app: App, selector: string): ObjectPath[] {
  const all = app.configFiles.list();
  const chosen = new Map<string, ObjectPath>();
  for (const part of selector.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    if (isGlob(part)) {
      const re = globToRegExp(part);
      for (const p of all) if (re.test(formatObjectPath(p)) || re.test(p.name)) chosen.set(formatObjectPath(p), p);
      continue;
    }
    const p = parseObjectPath(part);
    const key = formatObjectPath(p);
    if (!all.some((q) => formatObjectPath(q) === key)) throw new NotFoundError(`service ${key} not found (no config file for it under ${app.paths.etc})`);
    chosen.set(key, p);
  }
  if (chosen.size === 0) throw new NotFoundError(`no service matches "${selector}" under ${app.paths.etc}`);
  return [...chosen.values()];
}

export function requireSelector(selector: unknown): string {
  if (typeof selector !== "string" || selector === "") throw new UsageError("this command needs a service: svcmgr -s SERVICE …");
  return selector;
}

/** How much checking: `lint` adds the schedule trap warnings (`validate config`). */
export interface CheckOptions {
  readonly lint?: boolean;
}

export interface OpenedService {
  readonly config: ServiceConfig;
  readonly warnings: readonly Alert[];
}

/** Reads and validates a service; refuses it (ConfigError with every alert) when it has errors. */
export async function openService(app: App, path: ObjectPath, options: CheckOptions = {}): Promise<OpenedService> {
  const { config, alerts } = await readAndValidate(app, path, options);
  if (hasErrors(alerts)) {
    throw new ConfigError(`${formatObjectPath(path)}: invalid configuration\n${alerts.map(formatAlert).join("\n")}`, alerts);
  }
  return { config, warnings: alerts };
}

/** Every command checks a service the same way, schedules included. */
export async function readAndValidate(app: App, path: ObjectPath, options: CheckOptions = {}): Promise<LoadedService> {
  const { file, text } = app.configFiles.read(path);
  return validateText(app, path, file, text, options);
}

/** A service's text checked as `validate config` checks its file (for text not written yet). */
export async function validateText(app: App, path: ObjectPath, file: string, text: string, options: CheckOptions = {}): Promise<LoadedService> {
  const checks = await scheduleChecks(app, text, { lint: options.lint ?? false });
  const identities = { user: (n: string) => app.users.user(n) !== null, group: (n: string) => app.users.group(n) !== null };
  return loadService(path, file, text, { nodename: app.nodename, paths: app.paths }, { ...checks, identities });
}

/** Actions are refused on a node outside DEFAULT.nodes and DEFAULT.drpnodes (OpenSVC's rule). */
export function requireNodeMember(config: ServiceConfig, action: string, nodename: string): void {
  if (!config.isNodeMember()) {
    throw new ActionError(`action '${action}' aborted because this node's hostname '${nodename}' is not a member of DEFAULT.nodes, DEFAULT.drpnode nor DEFAULT.drpnodes`);
  }
}
