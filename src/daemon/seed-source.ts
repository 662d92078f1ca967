import type { App, ConfigFiles } from "../service/app.js";
import type { DaemonLog } from "../core/ports.js";
import { formatAlert, hasErrors, type Alert } from "../core/alert.js";
import { ConfigError } from "../core/errors.js";
import { formatObjectPath, parseObjectPath, type ObjectPath } from "../core/object-path.js";
import { loadService } from "../config/load.js";
import { serviceNameOf } from "../import/detect.js";
import type { SourceFormat } from "../import/job.js";
import { SeedState } from "../import/seed.js";

/**
 * `daemon run --seed FILE`: the seed's jobs as one more service, seen by the daemon through its
 * config files. The service's text is that of the seed's last good version (import/seed.ts);
 * every read of it reads the seed again, so a reload (the seed's watch, an etc change, SIGHUP)
 * picks up an edit. What is applied, refused or unreadable is logged, once per version.
 */
export interface SeedOptions {
  /** Absolute path of the seed file. */
  readonly file: string;
  /** Null: from the file's name and content. */
  readonly from: SourceFormat | null;
}

export function seededConfigFiles(app: App, seed: SeedOptions, log: DaemonLog): ConfigFiles {
  const path = seedPath(seed.file);
  const svc = formatObjectPath(path);
  const state = new SeedState(seed.file, seed.from, svc);
  const inner = app.configFiles;
  const said = new Set<string>();
  const once = (level: "info" | "warning" | "error", text: string, event: string) => {
    if (said.has(text)) return;
    said.add(text);
    log.write(level, text, { event });
  };
  const accept = (text: string): readonly Alert[] => {
    const { alerts } = loadService(path, seed.file, text, { nodename: app.nodename, paths: app.paths }, {
      identities: { user: (n) => app.users.user(n) !== null, group: (n) => app.users.group(n) !== null },
    });
    return hasErrors(alerts) ? alerts.filter((a) => a.level === "error") : [];
  };
  const refresh = () => {
    let text: string;
    try {
      text = app.sources.read(seed.file);
    } catch (e) {
      state.reread();
      once("error", `seed ${seed.file}: cannot read it (${(e as Error).message}); keeping the last good jobs (${state.count})`, "seed-unreadable");
      return;
    }
    const outcome = state.update(text, app.sources.parseTree, accept);
    if (outcome.kind === "unchanged") return;
    said.clear();
    if (outcome.kind === "rejected") {
      log.write("error", `seed ${seed.file}: not applied, keeping the last good jobs (${state.count}): ${outcome.alerts.map(formatAlert).join("; ")}`, { event: "seed-invalid" });
      return;
    }
    for (const w of outcome.warnings) log.write("warning", `seed: ${formatAlert(w)}`, { event: "seed-warning" });
    const count = (a: string) => outcome.changes.filter((c) => c.action === a).length;
    const changed = outcome.changes.filter((c) => c.action !== "unchanged").map((c) => `${c.rid} ${c.action}`);
    log.write("info", `seed ${seed.file} applied as service ${svc}: ${count("added")} added, ${count("updated")} updated, ${count("removed")} removed, ${count("unchanged")} unchanged${changed.length > 0 ? ` (${changed.join(", ")})` : ""}`, { event: "seed-applied" });
  };
  const isSeed = (p: ObjectPath) => formatObjectPath(p) === svc;
  return {
    list() {
      const paths = inner.list();
      if (paths.some(isSeed)) {
        once("error", `seed ${seed.file}: its service name ${svc} is already a service under ${app.paths.etc}: the seed is not loaded (rename the seed file)`, "seed-clash");
        return paths;
      }
      return [...paths, path];
    },
    read(p) {
      if (!isSeed(p)) return inner.read(p);
      refresh();
      if (state.text === null) throw new ConfigError(`seed ${seed.file}: no valid version read yet (see the daemon log)`, []);
      return { file: seed.file, text: state.text };
    },
    write: (p, text) => inner.write(p, text),
  };
}

function seedPath(file: string): ObjectPath {
  try {
    return parseObjectPath(serviceNameOf(file));
  } catch {
    return parseObjectPath("seed");
  }
}
