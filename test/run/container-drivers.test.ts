import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { containerName, podmanRunArgv } from "../../src/run/drivers/podman-args.js";
import { recreateArgs, replaceContainer, ReplaceError, type ContainerFacts } from "../../src/run/container-replace.js";
import { parseHardLimits } from "../../src/platform/podman-host.js";
import type { ContainerDef, TaskDef } from "../../src/task/model.js";
import { podmanDriver } from "../../src/run/drivers/podman.js";

const C: ContainerDef = { image: "localhost/app:1", pullPolicy: "once", runArgs: [], volumes: [], init: true, stopTimeoutMs: 10_000 };
const RUN = { svc: "ns/svc/web", session: "0123abcd-4567-89ef-0123-456789abcdef", limits: {}, envNames: ["SVCMGR_RUN_ID", "FOO"] };
const FACTS = { scope: "s1", hardLimits: { nofile: 20_000, nproc: null } };

describe("podman run's command line", () => {
  test("name: service, rid index and session, in podman's characters", () => {
    assert.equal(containerName("ns/svc/web", "task#nightly", RUN.session), "svcmgr-ns.svc.web-nightly-0123abcd4567");
  });
  test("ulimits are svcmgr's hard limits under podman's ceilings, unless run_args set them; env names only", () => {
    const argv = podmanRunArgv({ ...C, command: "sh -c 'echo hi'", entrypoint: ["/bin/sh", "-e"] }, RUN, "task#0", FACTS);
    assert.deepEqual(argv.slice(argv.indexOf("--ulimit")), ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768", "--entrypoint", '["/bin/sh","-e"]', "localhost/app:1", "sh", "-c", "echo hi"]);
    assert.deepEqual(argv.filter((w, i) => argv[i - 1] === "--env"), ["SVCMGR_RUN_ID", "FOO"]);
    const own = podmanRunArgv({ ...C, runArgs: ["--ulimit", "nofile=10:10"] }, RUN, "task#0", FACTS);
    assert.deepEqual(own.filter((w, i) => own[i - 1] === "--ulimit"), ["nproc=32768:32768", "nofile=10:10"]);
  });
  test("limits become podman's, swap included in the memory limit", () => {
    const argv = podmanRunArgv(C, { ...RUN, limits: { memory: 1 << 26, cpus: 0.5, pids: 9 } }, "task#0", FACTS);
    const at = argv.indexOf("--memory");
    assert.deepEqual(argv.slice(at, at + 8), ["--memory", "67108864", "--memory-swap", "67108864", "--cpus", "0.5", "--pids-limit", "9"]);
  });
  test("/proc/self/limits", () => {
    const text = "Limit                     Soft Limit           Hard Limit           Units     \nMax processes             96367                96367                processes \nMax open files            1024                 unlimited            files     \n";
    assert.deepEqual(parseHardLimits(text), { nproc: 96367, nofile: null });
  });
});

describe("container_update: the new container's create command", () => {
  const old = (cmd: string[]): ContainerFacts => ({ id: "a".repeat(64), name: "web", imageName: "docker.io/library/nginx:1", imageId: "b".repeat(64), running: true, createCommand: cmd });
  test("run becomes create, detach goes, the image is replaced, the command stays", () => {
    assert.deepEqual(recreateArgs(old(["podman", "run", "-dit", "--name", "web", "-p", "80:80", "nginx:1", "nginx", "-g", "daemon off;"]), "nginx:2"), ["create", "-it", "--name", "web", "-p", "80:80", "nginx:2", "nginx", "-g", "daemon off;"]);
    assert.deepEqual(recreateArgs(old(["/usr/bin/podman", "--log-level=info", "run", "--detach=true", "docker.io/library/nginx:1"]), "nginx:2"), ["--log-level=info", "create", "--name", "web", "nginx:2"]);
  });
  test("a container podman did not make from its CLI cannot be made again", () => {
    assert.throws(() => recreateArgs(old([]), "x"), ReplaceError);
    assert.throws(() => recreateArgs(old(["podman", "run", "other:1"]), "x"), /cannot find the image docker.io\/library\/nginx:1/);
  });
});

describe("container_update: the order of the steps, and the way back", () => {
  const INSPECT = JSON.stringify([{ Id: "a".repeat(64), Name: "web", ImageName: "localhost/web:1", Image: "b".repeat(64), State: { Running: true }, Config: { CreateCommand: ["podman", "run", "-d", "--name", "web", "localhost/web:1"] } }]);
  function fakePodman(fail: string | null) {
    const calls: string[] = [];
    let failed = false;
    return {
      calls,
      ports: {
        say: () => undefined,
        podman: async (args: readonly string[]) => {
          calls.push(args.join(" "));
          if (args[0] === "container" && args[1] === "inspect") return { ok: true, stdout: INSPECT, stderr: "" };
          // The first call that matches fails (the old container's own start succeeds).
          if (fail !== null && !failed && args.join(" ").startsWith(fail)) {
            failed = true;
            return { ok: false, stdout: "", stderr: `Error: ${fail} broke` };
          }
          return { ok: true, stdout: args[0] === "create" ? "c".repeat(64) + "\n" : "", stderr: "" };
        },
      },
    };
  }
  const REQ = { container: "web", image: "localhost/web:2", pull: "once" as const, stopTimeoutSeconds: 3 };

  test("pull, stop, rename, create, start, remove the old one", async () => {
    const f = fakePodman(null);
    const r = await replaceContainer(REQ, f.ports);
    assert.equal(r.newId, "c".repeat(64));
    assert.deepEqual(f.calls.slice(1), ["image exists localhost/web:2", "stop --time 3 web", "rename web web-previous", "create --name web localhost/web:2", "start web", "rm --force --time 0 web-previous"]);
  });

  test("a failed start: the new container removed, the old one renamed back and started", async () => {
    const f = fakePodman("start web");
    await assert.rejects(replaceContainer(REQ, f.ports), /starting the new container failed: Error: start web broke; the old container was put back/);
    assert.deepEqual(f.calls.slice(-4), ["start web", "rm --force --time 0 --ignore web", "rename web-previous web", "start web"]);
  });

  test("a failed pull changes nothing", async () => {
    const f = fakePodman("pull");
    await assert.rejects(replaceContainer({ ...REQ, pull: "always" }, f.ports), /cannot pull localhost\/web:2: Error: pull broke; the container was left as it was/);
    assert.deepEqual(f.calls.slice(1), ["pull localhost/web:2"]);
  });
});

describe("task.podman after its command", () => {
  const ports = { scope: "s", hardLimits: { nofile: null, nproc: null }, kernelOomKills: () => 0 };
  const task = { rid: "task#0", container: C } as unknown as TaskDef;
  const io = (calls: string[][]) => ({ env: {}, cwd: "/", runner: { run: async (spec: { argv: readonly string[] }) => (calls.push([...spec.argv]), { pid: 1, startedAt: 0, endedAt: 0, exitCode: 0, signal: null, timedOut: false, aborted: false }) } });
  const result = { pid: null, startedAt: 0, endedAt: 0, exitCode: null, signal: null, timedOut: false, aborted: false };

  test("podman not installed: nothing asked of podman, nothing said about a container", async () => {
    const calls: string[][] = [];
    const after = await podmanDriver(ports).afterCommand!(task, RUN, { ...result, spawnError: "podman: command not found" }, io(calls));
    assert.deepEqual(after, {});
    assert.deepEqual(calls, []);
  });

  test("otherwise the container is inspected, then removed (killed if it still runs)", async () => {
    const calls: string[][] = [];
    await podmanDriver(ports).afterCommand!(task, RUN, { ...result, pid: 5, exitCode: 0 }, io(calls));
    assert.deepEqual(calls.map((c) => c.slice(0, 3)), [["podman", "container", "inspect"], ["podman", "rm", "--force"]]);
    assert.equal(calls[1]!.at(-1), containerName(RUN.svc, "task#0", RUN.session));
  });
});

describe("container_update: an old container left stopping", () => {
  test("a start refused after a cut-short stop: stopped for good, then started; a second refusal is said, not hidden", async () => {
    const INSPECT = JSON.stringify([{ Id: "a".repeat(64), Name: "web", ImageName: "localhost/web:1", Image: "b".repeat(64), State: { Running: true }, Config: { CreateCommand: ["podman", "run", "-d", "--name", "web", "localhost/web:1"] } }]);
    for (const startsAfterStop of [true, false]) {
      const calls: string[] = [];
      let starts = 0;
      const podman = async (args: readonly string[]) => {
        calls.push(args.join(" "));
        if (args[1] === "inspect") return { ok: true, stdout: INSPECT, stderr: "" };
        if (args[0] === "create") return { ok: false, stdout: "", stderr: "Error: create broke" };
        if (args[0] === "start") return ++starts === 1 || !startsAfterStop ? { ok: false, stdout: "", stderr: "Error: container state improper" } : { ok: true, stdout: "", stderr: "" };
        return { ok: true, stdout: "", stderr: "" };
      };
      const err = await replaceContainer({ container: "web", image: "localhost/web:2", pull: "once", stopTimeoutSeconds: 1 }, { podman, say: () => undefined }).catch((e: Error) => e);
      assert.deepEqual(calls.slice(-3), ["start web", "stop --time 0 web", "start web"]);
      if (startsAfterStop) assert.match(String(err), /create broke; the old container was put back$/);
      else assert.match(String(err), /the old container web could not be started again: Error: container state improper$/);
    }
  });
});
