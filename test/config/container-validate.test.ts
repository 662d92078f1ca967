import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { formatAlert } from "../../src/core/alert.js";
import { imageProblem, runArgsOf, setsUlimit, volumesOf } from "../../src/config/container-values.js";
import { taskDef } from "../../src/task/model.js";

/** Container tasks (type = podman, container_update): each problem with file:line, keyword, value and what is allowed. */
const FILE = "/r/etc/db.conf";
const ctx = { nodename: "n1", paths: pathsFor("/r"), };
const load = (lines: string[]) => loadService(parseObjectPath("db"), FILE, lines.join("\n") + "\n", ctx, { identities: { user: () => false, group: () => false } });
const diagnostics = (lines: string[]) => load(lines).alerts.map(formatAlert);

describe("container task validation", () => {
  test("a valid podman task has no diagnostic, and its user is the container's (not looked up on the host)", () => {
    assert.deepEqual(diagnostics(["[task#0]", "type = podman", "image = localhost/app:1.2", "command = sh -c 'echo hi'", "user = 1000:1000", "cwd = /app", "volume_mounts = /srv:/srv:ro cache:/cache", "run_args = --network none", "limit_memory = 64m", "environment = A=1"]), []);
  });

  const cases: Array<[string, string[], string]> = [
    ["an image reference with upper case", ["image = localhost/App:1"], `${FILE}:3: [task#0] image = "localhost/App:1": error: bad value: expected an image reference [HOST[:PORT]/]NAME[:TAG][@DIGEST], NAME in lower case (e.g. docker.io/library/postgres:16, localhost/app:1.2) (bad name component "App" (lower-case letters, digits, and . _ - between them))`],
    ["an unknown pull policy", ["image = app", "image_pull_policy = never"], `${FILE}:4: [task#0] image_pull_policy = "never": error: bad value: expected one of: once, always`],
    ["a host-only keyword", ["image = app", "group = backup"], `${FILE}:4: [task#0] group = "backup": error: keyword "group" does not apply to a type = podman task, only to type host (podman runs as svcmgr's user; \`user\` names the user inside the container, UID:GID included)`],
    ["an rlimit keyword", ["image = app", "limit_nofile = 10"], `${FILE}:4: [task#0] limit_nofile = "10": error: keyword "limit_nofile" does not apply to a type = podman task, only to type host (use run_args = --ulimit nofile=N:N)`],
    ["run_args naming the container", ["image = app", "run_args = --rm -p 80:80"], `${FILE}:4: [task#0] run_args = "--rm -p 80:80": error: bad value: expected podman run options as shell words, without --name, --rm, --replace, -d/--detach, --memory, --cpus and --pids-limit (svcmgr sets those) (--rm is not allowed: svcmgr removes the container itself, after reading how it ended)`],
    ["a volume without a destination path", ["image = app", "volume_mounts = /srv:data"], `${FILE}:4: [task#0] volume_mounts = "/srv:data": error: bad value: expected whitespace-separated SOURCE:DEST[:OPTIONS] entries, DEST an absolute path in the container, SOURCE an absolute host path or a volume name ("/srv:data" is not SOURCE:DEST[:OPTIONS])`],
  ];
  for (const [what, lines, expected] of cases) {
    test(what, () => assert.deepEqual(diagnostics(["[task#0]", "type = podman", ...lines]), [expected]));
  }

  test("a podman task without image, a container_update without container", () => {
    assert.deepEqual(diagnostics(["[task#0]", "type = podman", "command = true"]), [`${FILE}:1: [task#0] image: error: required keyword "image" is missing, e.g. image = docker.io/library/postgres:16`]);
    assert.deepEqual(diagnostics(["[task#0]", "type = container_update"]), [`${FILE}:1: [task#0] container: error: required keyword "container" is missing, e.g. container = web`]);
  });

  test("container keywords on a host task, command on a container_update", () => {
    assert.deepEqual(diagnostics(["[task#0]", "command = true", "image = app"]), [`${FILE}:3: [task#0] image = "app": error: keyword "image" does not apply to a type = host task, only to type podman, container_update`]);
    assert.deepEqual(diagnostics(["[task#0]", "type = container_update", "container = web", "command = x"]), [`${FILE}:4: [task#0] command = "x": error: keyword "command" does not apply to a type = container_update task, only to type host, podman`]);
  });

  test("docker is not a type here", () => {
    assert.deepEqual(diagnostics(["[task#0]", "type = docker", "command = true"]), [`${FILE}:2: [task#0] type = "docker": error: bad value: expected one of: host, podman, container_update`]);
  });

  test("taskDef: the container's keywords, pull policy defaults per type, no host identity", () => {
    const c = load(["[task#0]", "type = podman", "image = app", "user = 5", "cwd = /w", "[task#1]", "type = container_update", "container = web"]).config;
    const t0 = taskDef(c, "task#0");
    assert.equal(t0.user, undefined);
    assert.equal(t0.cwd, undefined);
    assert.deepEqual({ user: t0.container?.user, workdir: t0.container?.workdir, pull: t0.container?.pullPolicy, init: t0.container?.init }, { user: "5", workdir: "/w", pull: "once", init: true });
    assert.equal(taskDef(c, "task#1").container?.pullPolicy, "always");
  });
});

describe("container values", () => {
  test("image references", () => {
    for (const ok of ["app", "app:1", "localhost/app", "localhost:5000/a/b:c", "docker.io/library/postgres:16", "quay.io/x/y@sha256:" + "a".repeat(64), "a__b", "a-b.c"]) assert.equal(imageProblem(ok), null, ok);
    for (const bad of ["", "App", "app:", "app:-x", "a b", "/app", "app@sha256:zz", "a..b", "exa mple.com/app"]) assert.notEqual(imageProblem(bad), null, bad);
  });
  test("run_args, volumes, ulimits", () => {
    assert.deepEqual(runArgsOf("-p 80:80 --network=host"), ["-p", "80:80", "--network=host"]);
    assert.match(runArgsOf("--name=x") as string, /--name is not allowed/);
    assert.match(runArgsOf("-d") as string, /-d is not allowed/);
    assert.deepEqual(volumesOf("/a:/b vol:/c:ro,z"), ["/a:/b", "vol:/c:ro,z"]);
    assert.equal(typeof volumesOf("../a:/b"), "string");
    assert.equal(setsUlimit(["--ulimit", "nofile=1:1"], "nofile"), true);
    assert.equal(setsUlimit(["--ulimit=nproc=1:1"], "nproc"), true);
    assert.equal(setsUlimit(["--ulimit", "nproc=1:1"], "nofile"), false);
  });
});
