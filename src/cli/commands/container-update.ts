import { UsageError } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import type { App } from "../../service/app.js";
import { RUN_PATH } from "../../run/environment.js";
import { replaceContainer, ReplaceError, type ReplacePorts } from "../../run/container-replace.js";
import { interruptOnSignals } from "../interrupt.js";
import type { CliCommand } from "../command.js";

/** How long one podman command of the replacement may take. */
const PODMAN_TIMEOUT_MS = 10 * 60_000;

export const containerUpdateCommand: CliCommand = {
  words: ["container-update"],
  describe: "Pull an image and replace a podman container with one of it, made with the same options (what a type = container_update task runs)",
  positionals: [{ name: "container", describe: "Name or id of the container to replace", required: true }],
  options: {
    image: { type: "string", describe: "Image of the new container (default: the image reference the old one was made from, pulled again)", requiresArg: true },
    pull: { type: "string", describe: "once: pull only when the image is not stored locally; always: pull first", choices: ["once", "always"], default: "always" },
    "stop-timeout": { type: "string", describe: "How long the old container gets to stop before it is killed", default: "10s", requiresArg: true },
  },
  examples: [["svcmgr container-update web --image registry.example.com/web:2.1", "pull web:2.1, then replace the container web (stop, make the new one with web's options, start it, remove the old one)"]],
  async run(args, app) {
    const stopMs = parseDuration(String(args["stop-timeout"]), "s");
    if (stopMs === null) throw new UsageError(`--stop-timeout: bad duration "${String(args["stop-timeout"])}" (e.g. 10s, 1m)`);
    const interrupt = interruptOnSignals(app.stderr);
    try {
      const image = typeof args.image === "string" ? args.image : undefined;
      await replaceContainer({ container: String(args.container), image, pull: args.pull === "once" ? "once" : "always", stopTimeoutSeconds: Math.ceil(stopMs / 1000) }, podmanPorts(app, interrupt.signal));
      return 0;
    } catch (e) {
      if (!(e instanceof ReplaceError)) throw e;
      app.stderr.write(`svcmgr: container-update: ${e.message}\n`);
      return 1;
    } finally {
      interrupt.stop();
    }
  },
};

function podmanPorts(app: App, signal: AbortSignal): ReplacePorts {
  const env: Record<string, string> = { PATH: RUN_PATH, HOME: app.env.HOME ?? "/", LANG: "C.UTF-8" };
  if (app.env.XDG_RUNTIME_DIR !== undefined) env.XDG_RUNTIME_DIR = app.env.XDG_RUNTIME_DIR;
  return {
    signal,
    say: (line) => app.stdout.write(`${line}\n`),
    podman: async (args, echo) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const r = await app.runner.run({
        argv: ["podman", ...args], env, cwd: "/", timeoutMs: PODMAN_TIMEOUT_MS, killGraceMs: 5000,
        onOutput: (stream, chunk) => {
          (stream === "stdout" ? out : err).push(chunk);
          if (echo) (stream === "stdout" ? app.stdout : app.stderr).write(chunk.toString("utf8"));
        },
      });
      if (r.spawnError !== undefined) err.push(Buffer.from(`podman: ${r.spawnError}`));
      return { ok: r.exitCode === 0, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
    },
  };
}
