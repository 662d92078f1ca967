import type { Keyword } from "../keyword.js";

const section = "task" as const;

/** Task types, for keywords that apply to some only (validation refuses them elsewhere). */
export const HOST = ["host"] as const;
export const PODMAN = ["podman"] as const;
export const HOST_AND_PODMAN = ["host", "podman"] as const;
export const CONTAINER_TYPES = ["podman", "container_update"] as const;
export const CONTAINER_UPDATE = ["container_update"] as const;

/** Keywords of container tasks (OpenSVC om3's names for its container task drivers). */
export const containerKeywords: Keyword[] = [
  { section, option: "image", converter: "image", required: true, requiredTypes: PODMAN, types: CONTAINER_TYPES, scopable: true, text: "type = podman: the image the container is made from. type = container_update: the image of the replacing container; default: the image the running container was made from (the same reference, pulled again).", example: "docker.io/library/postgres:16" },
  { section, option: "image_pull_policy", converter: "enum", candidates: ["once", "always"], types: CONTAINER_TYPES, scopable: true, text: "When the image is pulled: `once` only when it is not in the local storage yet (`podman run --pull missing`), `always` before each run (`--pull always`: a registry that cannot be reached fails the run). A missing image that cannot be pulled fails the run, podman's message in its output. Default: `once` for type = podman, `always` for type = container_update (whose point is the newer image).", example: "always" },
  { section, option: "entrypoint", converter: "words", types: PODMAN, scopable: true, text: "Replaces the image's entrypoint: shell words, handed to podman as a JSON array (`--entrypoint`).", example: "/bin/sh -c" },
  { section, option: "run_args", converter: "run_args", types: PODMAN, scopable: true, text: "More `podman run` options, as shell words, before the image (ports, networks, devices, `--ulimit`, `--read-only`…). Not allowed, because svcmgr sets them: --name, --rm, --replace, -d/--detach, --memory, --cpus, --pids-limit (use the limit_* keywords). Without a `--ulimit nofile=…` or `--ulimit nproc=…` here, svcmgr passes its own hard limits (nproc at most 32768, nofile at most 1048576): podman's defaults are higher, and a host whose limits are lower refuses them.", example: "--network host --read-only" },
  { section, option: "volume_mounts", converter: "volumes", types: PODMAN, scopable: true, text: "Mounts, as whitespace-separated `SOURCE:DEST[:OPTIONS]` entries (`podman run --volume`): SOURCE an absolute path of this host or a podman volume name, DEST an absolute path in the container, OPTIONS such as `ro`, `rw`, `z`.", example: "/srv/data:/data:ro cache:/cache" },
  { section, option: "init", converter: "bool", default: "true", types: PODMAN, scopable: true, text: "Run an init process as the container's PID 1 (`podman run --init`, catatonit): it forwards SIGTERM to the command and reaps zombies. Without it the command is PID 1, and a command without a SIGTERM handler then ignores the SIGTERM of a timeout or a stop: it is killed after the grace period." },
  { section, option: "container", converter: "string", required: true, requiredTypes: CONTAINER_UPDATE, types: CONTAINER_UPDATE, scopable: true, text: "type = container_update: name (or id) of the podman container to replace. It must have been made by `podman run` or `podman create` (podman keeps that command line: the new container is made with the same one, the image replaced).", example: "web" },
  { section, option: "stop_timeout", converter: "duration", default: "10s", types: CONTAINER_UPDATE, scopable: true, text: "type = container_update: how long the old container gets to stop after SIGTERM (`podman stop --time`) before it is killed.", example: "30s" },
];
