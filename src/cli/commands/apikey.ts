import { PermissionError } from "../../core/errors.js";
import { initiatingUser } from "../../history/initiator.js";
import type { App } from "../../service/app.js";
import { keyRequest, keyViews, storeNewKey, withRevoked, type KeyView } from "../../api/key-admin.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime, renderTable } from "../render.js";

/**
 * `svcmgr apikey create|ls|revoke` (design §11): the keys the daemon's API accepts, in
 * `<var>/apikeys.json`. The daemon re-reads that file when it changes, so a new key works and
 * a revoked one is refused from the next request on. Root only: the file is root's, mode 0600.
 */
function requireRoot(app: App, verb: string): void {
  if (app.uid !== 0) throw new PermissionError(`svcmgr apikey ${verb}: only root manages API keys (they are kept in ${app.apiKeys.file}, root's, mode 0600); run it as root`);
}

export const apikeyCreateCommand: CliCommand = {
  words: ["apikey", "create"],
  describe: "Create an API key for the daemon's HTTP API and print it once, alone on the last line of stdout (only its SHA-256 is kept)",
  positionals: [{ name: "name", describe: "The key's name: 1 to 64 letters, digits, '.', '_' or '-' (logged and recorded as who started a run; never reused)", required: true }],
  options: {
    scope: { type: "string", describe: "What the key may do: read (every GET within its services), run (read, and run, suspend, resume), admin (everything, every service)", requiresArg: true },
    services: { type: "string", describe: "Comma list of service globs the key covers (default: every service); not for admin keys", requiresArg: true },
    expires: { type: "string", describe: "Refuse the key after this long, such as 12h, 30d or 1w (default: never)", requiresArg: true },
  },
  examples: [
    ["svcmgr apikey create grafana --scope read", "a read-only key for every service"],
    ["KEY=$(svcmgr apikey create ci --scope run --services 'web*,prod/svc/db' --expires 90d)", "a key that runs tasks of some services, for 90 days, kept in a variable"],
    ["svcmgr apikey create ops --scope admin", "a key that may do everything"],
  ],
  run(args, app) {
    requireRoot(app, "create");
    const now = app.clock.now();
    const req = keyRequest({ name: String(args.name), scope: args.scope, services: args.services, expires: args.expires }, now);
    const createdBy = initiatingUser(app.env, app.users.user(String(app.uid))?.name ?? String(app.uid));
    app.services.prepareStateDirs();
    const text = storeNewKey(app.apiKeys, req, createdBy, now);
    const services = req.services.length === 0 ? "every service" : `services ${req.services.join(", ")}`;
    const expires = req.expiresAt === null ? "never expires" : `expires ${formatLocalTime(req.expiresAt)}`;
    app.stderr.write(
      `API key "${req.name}" created: scope ${req.scope}, ${services}, ${expires}.\n` +
        "It is printed once, alone on standard output, and cannot be read back: store it now. Send it as 'Authorization: Bearer KEY' (or 'X-API-Key: KEY'), never in a URL.\n",
    );
    app.stdout.write(`${text}\n`);
    return 0;
  },
};

export const apikeyLsCommand: CliCommand = {
  words: ["apikey", "ls"],
  describe: "List the API keys: name, id, scope, services, created, expires, last use and state (never a secret or its hash)",
  options: { format: FORMAT_OPTION, all: { type: "boolean", describe: "Also list revoked keys" } },
  examples: [
    ["svcmgr apikey ls", "the keys in force and expired ones"],
    ["svcmgr apikey ls --all --format json", "every key ever created, revoked ones included, as JSON (times in epoch ms)"],
  ],
  run(args, app) {
    requireRoot(app, "ls");
    const views = keyViews(app.apiKeys.list(), app.apiKeys.lastUse(), app.clock.now(), args.all === true);
    if (args.format === "json") {
      app.stdout.write(JSON.stringify(views, null, 2) + "\n");
      return 0;
    }
    if (views.length === 0) {
      app.stderr.write(`no API keys${args.all === true ? "" : " in force (--all lists revoked ones)"}; create one with: svcmgr apikey create NAME --scope read\n`);
      return 0;
    }
    app.stdout.write(renderTable(["NAME", "ID", "SCOPE", "SERVICES", "CREATED", "EXPIRES", "LAST USED", "STATE"], views.map(row)));
    return 0;
  },
};

function row(v: KeyView): string[] {
  const state = v.state === "revoked" ? `revoked ${formatLocalTime(v.revokedAt)}` : v.state;
  const expires = v.expiresAt === null ? "never" : formatLocalTime(v.expiresAt);
  return [v.name, v.id, v.scope, v.services.length === 0 ? "*" : v.services.join(","), formatLocalTime(v.createdAt), expires, v.lastUsedAt === null ? "never" : formatLocalTime(v.lastUsedAt), state];
}

export const apikeyRevokeCommand: CliCommand = {
  words: ["apikey", "revoke"],
  describe: "Revoke an API key: the daemon refuses it (401) from its next request on; the key stays listed with --all and its name is never reused",
  positionals: [{ name: "name", describe: "The key's name (see svcmgr apikey ls)", required: true }],
  examples: [["svcmgr apikey revoke ci", "refuse the key named ci from now on"]],
  run(args, app) {
    requireRoot(app, "revoke");
    const now = app.clock.now();
    const name = String(args.name);
    const done = app.apiKeys.update((keys) => {
      const r = withRevoked(keys, name, now);
      return { keys: r.keys, result: r };
    });
    if (done.already) app.stdout.write(`API key "${name}" was already revoked (${formatLocalTime(done.key.revokedAt)})\n`);
    else app.stdout.write(`API key "${name}" revoked: the daemon refuses it from its next request on\n`);
    return 0;
  },
};

export const apikeyCommands: readonly CliCommand[] = [apikeyCreateCommand, apikeyLsCommand, apikeyRevokeCommand];
