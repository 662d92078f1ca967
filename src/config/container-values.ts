import { shellWordsOrError } from "../core/shlex.js";

/**
 * Values of the container keywords (type = podman, container_update), checked before podman
 * ever sees them. Each check answers null when the value is good, else what is wrong.
 */

// An image reference: [HOST[:PORT]/]PATH[:TAG][@DIGEST]. PATH is lower-case components
// separated by `/`; a first component is the registry host when it has a `.` or a `:` or is
// `localhost`. The grammar is the one registries and podman accept.
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

export const IMAGE_ALLOWED = "an image reference [HOST[:PORT]/]NAME[:TAG][@DIGEST], NAME in lower case (e.g. docker.io/library/postgres:16, localhost/app:1.2)";

export function imageProblem(text: string): string | null {
  let rest = text.trim();
  if (rest === "") return "empty";
  if (/\s/.test(rest)) return "it contains blanks";
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return `bad digest "${rest.slice(at + 1)}"`;
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return `bad tag "${rest.slice(colon + 1)}"`;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    if (!HOST.test(first)) return `bad registry host "${first}"`;
    parts.shift();
  }
  const badPart = parts.find((p) => !COMPONENT.test(p));
  return badPart === undefined ? null : `bad name component "${badPart}" (lower-case letters, digits, and . _ - between them)`;
}

export const VOLUME_ALLOWED = "whitespace-separated SOURCE:DEST[:OPTIONS] entries, DEST an absolute path in the container, SOURCE an absolute host path or a volume name";

/** `volume_mounts` entries, as podman's `--volume` takes them. */
export function volumesOf(text: string): string[] | string {
  const words = shellWordsOrError(text);
  if (typeof words === "string") return words;
  for (const w of words) {
    const [source = "", dest = "", ...more] = w.split(":");
    if (source === "" || !dest.startsWith("/") || more.length > 1) return `"${w}" is not SOURCE:DEST[:OPTIONS]`;
    if (!source.startsWith("/") && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source)) return `"${source}" is neither an absolute path nor a volume name`;
  }
  return words;
}

/**
 * Options svcmgr sets itself on `podman run` (it names, supervises and removes the container):
 * a task's run_args may not set them.
 */
const OWN_OPTIONS = new Map<string, string>([
  ["--name", "svcmgr names the container (svcmgr-<service>-<task>-<session>)"],
  ["--rm", "svcmgr removes the container itself, after reading how it ended"],
  ["--replace", "svcmgr names the container"],
  ["-d", "the task is the container's run: svcmgr waits for it"],
  ["--detach", "the task is the container's run: svcmgr waits for it"],
  ["--memory", "use limit_memory"],
  ["-m", "use limit_memory"],
  ["--cpus", "use limit_cpus"],
  ["--pids-limit", "use limit_pids"],
]);

export const RUN_ARGS_ALLOWED = "podman run options as shell words, without --name, --rm, --replace, -d/--detach, --memory, --cpus and --pids-limit (svcmgr sets those)";

export function runArgsOf(text: string): string[] | string {
  const words = shellWordsOrError(text);
  if (typeof words === "string") return words;
  for (const w of words) {
    const name = w.startsWith("--") ? w.split("=", 1)[0]! : w;
    const why = OWN_OPTIONS.get(name);
    if (why !== undefined) return `${name} is not allowed: ${why}`;
  }
  return words;
}

/** Whether run_args set a ulimit of this kind (`--ulimit nofile=…` or `--ulimit=nofile=…`). */
export function setsUlimit(runArgs: readonly string[], kind: string): boolean {
  return runArgs.some((w, i) => (w === "--ulimit" && runArgs[i + 1]?.startsWith(`${kind}=`)) || w.startsWith(`--ulimit=${kind}=`));
}
