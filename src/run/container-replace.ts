/**
 * Replacing a running podman container by one of a newer image (`svcmgr container-update`,
 * the container_update task type). The new container is made with the command line podman
 * recorded when the old one was made (`podman inspect` .Config.CreateCommand), its image
 * replaced: the same options, volumes, ports, environment, name.
 *
 * Order, so that a failure leaves the old container in place:
 *   pull → stop old → rename old to <name>-previous → create new (same name) → start new
 *   → remove old. A failed create or start removes the new one, renames the old one back and
 *   starts it again (when it was running). A stop signal is honoured between steps the same way.
 */

/** What the replacement needs: podman, and where to say what it does. */
export interface ReplacePorts {
  /** Runs `podman ARGS`; `echo` streams its output to the caller's output. */
  podman(args: readonly string[], echo: boolean): Promise<{ readonly ok: boolean; readonly stdout: string; readonly stderr: string }>;
  say(line: string): void;
  readonly signal?: AbortSignal;
}

export interface ReplaceRequest {
  readonly container: string;
  /** Unset: the image reference the container was made from. */
  readonly image?: string;
  readonly pull: "once" | "always";
  readonly stopTimeoutSeconds: number;
}

/** The parts of `podman container inspect` the replacement reads. */
export interface ContainerFacts {
  readonly id: string;
  readonly name: string;
  readonly imageName: string;
  readonly imageId: string;
  readonly running: boolean;
  readonly createCommand: readonly string[];
}

export class ReplaceError extends Error {}

export async function replaceContainer(req: ReplaceRequest, p: ReplacePorts): Promise<{ oldId: string; newId: string; image: string }> {
  const old = await inspect(p, req.container);
  const image = req.image ?? old.imageName;
  const createArgv = recreateArgs(old, image);
  await pull(p, image, req.pull);
  stopIfAsked(p, "before stopping the old container: nothing changed");
  const backup = `${old.name}-previous`;
  if (old.running) await step(p, ["stop", "--time", String(req.stopTimeoutSeconds), old.name], `stopping ${old.name}`, () => restartOld(p, old, old.name));
  await step(p, ["rename", old.name, backup], `renaming ${old.name} to ${backup}`, () => restartOld(p, old, old.name));
  const rollback = () => rollBack(p, old, backup);
  const created = await p.podman(createArgv, true);
  if (!created.ok) return fail(p, `creating the new container failed: ${lastLine(created.stderr)}`, rollback);
  const newId = created.stdout.trim().split("\n").at(-1) ?? "";
  if (p.signal?.aborted) return fail(p, "stopped before the new container started", rollback);
  if (old.running) {
    const started = await p.podman(["start", old.name], false);
    if (!started.ok) return fail(p, `starting the new container failed: ${lastLine(started.stderr)}`, rollback);
  }
  await p.podman(["rm", "--force", "--time", "0", backup], false);
  p.say(`replaced container ${old.name}: ${short(old.id)} (${old.imageName}) → ${short(newId)} (${image})${old.running ? ", running" : ""}`);
  return { oldId: old.id, newId, image };
}

async function inspect(p: ReplacePorts, container: string): Promise<ContainerFacts> {
  const r = await p.podman(["container", "inspect", container], false);
  if (!r.ok) throw new ReplaceError(`no container ${JSON.stringify(container)}: ${lastLine(r.stderr)}`);
  return parseInspect(r.stdout);
}

/** The first container of `podman container inspect`'s JSON array. */
export function parseInspect(json: string): ContainerFacts {
  const c = (JSON.parse(json) as unknown[])[0] as { Id?: string; Name?: string; ImageName?: string; Image?: string; State?: { Running?: boolean }; Config?: { CreateCommand?: string[] } };
  return {
    id: c.Id ?? "",
    name: (c.Name ?? "").replace(/^\//, ""),
    imageName: c.ImageName ?? "",
    imageId: c.Image ?? "",
    running: c.State?.Running === true,
    createCommand: c.Config?.CreateCommand ?? [],
  };
}

/** Boolean short options of `podman run` that may be clustered with -d (`-dit`). */
const CLUSTER = /^-[dit]+$/;

/**
 * `podman create …` for the new container: the old one's create command, `run` made `create`
 * (svcmgr starts it), detach options dropped, the image replaced; `--name` added when the old
 * one was named by podman. Throws ReplaceError when the command cannot be understood.
 */
export function recreateArgs(old: ContainerFacts, image: string): string[] {
  const cmd = old.createCommand;
  const sub = cmd.findIndex((w, i) => i > 0 && (w === "run" || w === "create"));
  if (sub < 0) throw new ReplaceError(`container ${old.name} was not made by "podman run" or "podman create" (its create command: ${JSON.stringify(cmd)}): it cannot be made again`);
  const at = imageIndex(cmd, sub, old);
  if (at < 0) throw new ReplaceError(`cannot find the image ${old.imageName} in the create command of ${old.name}: ${JSON.stringify(cmd)}`);
  const options = cmd.slice(sub + 1, at).flatMap((w) => (w === "-d" || w === "--detach" || w.startsWith("--detach=") ? [] : CLUSTER.test(w) ? [w.replace(/d/g, "")].filter((x) => x !== "-") : [w]));
  const named = options.some((w) => w === "--name" || w.startsWith("--name="));
  return [...cmd.slice(1, sub), "create", ...(named ? [] : ["--name", old.name]), ...options, image, ...cmd.slice(at + 1)];
}

/** The position of the image in a create command: the first word after the options that names the container's image. */
function imageIndex(cmd: readonly string[], sub: number, old: ContainerFacts): number {
  const names = (ref: string) => ref !== "" && (old.imageName === ref || old.imageName.endsWith(`/${ref}`) || old.imageName === `${ref}:latest` || old.imageName.endsWith(`/${ref}:latest`) || (ref.length >= 12 && old.imageId.startsWith(ref)));
  for (let i = sub + 1; i < cmd.length; i++) if (!cmd[i]!.startsWith("-") && names(cmd[i]!)) return i;
  return -1;
}

async function pull(p: ReplacePorts, image: string, policy: "once" | "always"): Promise<void> {
  if (policy === "once" && (await p.podman(["image", "exists", image], false)).ok) {
    p.say(`image ${image} is in the local storage (image_pull_policy = once): not pulled`);
    return;
  }
  p.say(`pulling ${image}`);
  const r = await p.podman(["pull", image], true);
  if (!r.ok) throw new ReplaceError(`cannot pull ${image}: ${lastLine(r.stderr)}; the container was left as it was`);
}

async function step(p: ReplacePorts, args: readonly string[], what: string, undo?: () => Promise<string | null>): Promise<void> {
  p.say(what);
  const r = await p.podman(args, false);
  if (r.ok) return;
  const problem = undo === undefined ? null : await undo();
  throw new ReplaceError(`${what} failed: ${lastLine(r.stderr)}${problem === null ? "" : `; ${problem}`}`);
}

function stopIfAsked(p: ReplacePorts, what: string): void {
  if (p.signal?.aborted) throw new ReplaceError(`stopped ${what}`);
}

async function fail(p: ReplacePorts, reason: string, rollback: () => Promise<string | null>): Promise<never> {
  p.say(`${reason}; putting the old container back`);
  const problem = await rollback();
  throw new ReplaceError(`${reason}; ${problem ?? "the old container was put back"}`);
}

/** Removes the new container (if any), gives the old one its name back, starts it when it ran; what went wrong, or null. */
async function rollBack(p: ReplacePorts, old: ContainerFacts, backup: string): Promise<string | null> {
  await p.podman(["rm", "--force", "--time", "0", "--ignore", old.name], false);
  const renamed = await p.podman(["rename", backup, old.name], false);
  if (!renamed.ok) return `the old container could not get its name back (it is ${backup}): ${lastLine(renamed.stderr)}`;
  return restartOld(p, old, old.name);
}

/**
 * Starts the old container again when it was running. One whose stop was cut short (a timeout
 * killed `podman stop`) stays "stopping" and cannot be started: it is stopped for good first.
 */
async function restartOld(p: ReplacePorts, old: ContainerFacts, name: string): Promise<string | null> {
  if (!old.running || (await p.podman(["start", name], false)).ok) return null;
  await p.podman(["stop", "--time", "0", name], false);
  const again = await p.podman(["start", name], false);
  return again.ok ? null : `the old container ${name} could not be started again: ${lastLine(again.stderr)}`;
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

function short(id: string): string {
  return id.slice(0, 12);
}
