import type { Alert } from "../core/alert.js";
import type { ObjectPath } from "../core/object-path.js";
import { parseIni } from "./ini.js";
import { ServiceConfig, type ServiceContext } from "./service.js";
import { validateService, type ValidateOptions } from "./validate.js";

/** A service read from its file: its config (usable only when no alert is an error) and every alert. */
export interface LoadedService {
  readonly config: ServiceConfig;
  readonly alerts: readonly Alert[];
}

/** Text → ServiceConfig + all alerts (syntax and keyword problems together). Pure. */
export function loadService(path: ObjectPath, file: string, text: string, ctx: ServiceContext, options: ValidateOptions = {}): LoadedService {
  const { doc, alerts: syntax } = parseIni(text, file);
  const config = new ServiceConfig(path, file, doc, ctx);
  const alerts = [...syntax, ...validateService(config, options)].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { config, alerts };
}
