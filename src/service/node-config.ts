import type { App } from "./app.js";
import { formatAlert, hasErrors } from "../core/alert.js";
import { ConfigError, NotFoundError } from "../core/errors.js";
import { configFile, type Paths } from "../core/paths.js";
import { parseNodeConfig, type LoadedNodeConfig, type NodeConfig } from "../config/node-config.js";

export type { NodeConfig, LogSettings } from "../config/node-config.js";

/** `<etc>/node.conf`: read with the same checks as a service file (a root svcmgr trusts only root's files). */
const NODE_FILE = { namespace: null, kind: "svc", name: "node" } as const;

export function nodeConfigFile(paths: Paths): string {
  return configFile(paths, NODE_FILE);
}

/** Reads and checks node.conf; a missing file is every default. */
export function readNodeConfig(app: Pick<App, "paths" | "configFiles">): LoadedNodeConfig {
  let text: string | null;
  try {
    text = app.configFiles.read(NODE_FILE).text;
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    text = null;
  }
  return parseNodeConfig(nodeConfigFile(app.paths), text);
}

const loaded = new Map<string, LoadedNodeConfig>();

/**
 * This node's settings, read once per process (per etc dir), with the warnings about them.
 * A node.conf with errors is refused (ConfigError listing every error).
 */
export function checkedNodeConfig(app: Pick<App, "paths" | "configFiles">): LoadedNodeConfig {
  const known = loaded.get(app.paths.etc);
  if (known !== undefined) return known;
  const read = readNodeConfig(app);
  if (hasErrors(read.alerts)) {
    const errors = read.alerts.filter((a) => a.level === "error");
    throw new ConfigError(`${read.config.file}: invalid node configuration\n${errors.map(formatAlert).join("\n")}`, [...read.alerts]);
  }
  loaded.set(app.paths.etc, read);
  return read;
}

/** This node's settings (see checkedNodeConfig); warnings are for `svcmgr node validate` and the daemon log. */
export function nodeConfig(app: Pick<App, "paths" | "configFiles">): NodeConfig {
  return checkedNodeConfig(app).config;
}
