import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { oneoffLimits, oneoffTask, ONEOFF_RID, type Oneoff } from "../../src/run/oneoff.js";

/** A one-off's task (run/oneoff.ts): its context from the service's host tasks, its limits from the request alone. */
const load = (lines: string[]) => loadService(parseObjectPath("db"), "/r/etc/db.conf", lines.join("\n") + "\n", { nodename: "n1", paths: pathsFor("/r") }, { identities: { user: () => true, group: () => true } }).config!;
const made = (lines: string[], req: Parameters<typeof oneoffTask>[1]): Oneoff => {
  const r = oneoffTask(load(lines), req);
  assert.ok(!("error" in r), JSON.stringify(r));
  return r;
};
const error = (lines: string[], req: Parameters<typeof oneoffTask>[1]): string => {
  const r = oneoffTask(load(lines), req);
  assert.ok("error" in r);
  return r.error;
};

describe("one-off task", () => {
  const two = ["[task#a]", "command = /bin/true", "user = postgres", "group = backup", "cwd = /srv", "environment = A=1", "limit_memory = 1g", "timeout = 5", "pre_run = /bin/false", "", "[task#b]", "command = /bin/false", "user = postgres", "group = backup", "cwd = /srv", "environment = A=1"];

  test("the context the host tasks share; the argv as given; no trigger, timeout or limit of a task; rid exec, never refused by max_parallel", () => {
    const { task, contextUser } = made(two, { argv: ["psql", "-c", "select 1;"] });
    assert.equal(contextUser, "postgres");
    assert.deepEqual([task.rid, task.type, task.user, task.group, task.cwd, task.environment], [ONEOFF_RID, "task.host", "postgres", "backup", "/srv", { A: "1" }]);
    assert.deepEqual(task.argv, ["psql", "-c", "select 1;"]);
    assert.deepEqual([task.preRun, task.timeoutMs, task.cgroupLimits, task.confirmation, task.disable], [undefined, undefined, {}, false, false]);
    assert.ok(task.maxParallel > 1_000_000);
  });

  test("limits from the request: sizes, CPUs, durations (texts or numbers); bad ones name the option and what is allowed", () => {
    const { task } = made(two, { argv: ["x"], memory: "64m", cpus: "0.5", maxTime: "90s" });
    assert.deepEqual([task.cgroupLimits, task.timeoutMs], [{ memory: 64 * 2 ** 20, cpus: 0.5 }, 90_000]);
    assert.deepEqual(oneoffLimits({ memory: 2 ** 30, cpus: 2, maxTime: 60 }), { cgroup: { memory: 2 ** 30, cpus: 2 }, timeoutMs: 60_000 });
    assert.match(error(two, { argv: ["x"], memory: "12" }), /^memory: "12" is not a size of at least 1m/);
    assert.match(error(two, { argv: ["x"], cpus: "-1" }), /^cpus: "-1" is not a number of CPUs above 0/);
    assert.match(error(two, { argv: ["x"], maxTime: 0 }), /^max-time: "0" is not a duration above 0/);
    assert.match(error(two, { argv: [] }), /^command: nothing to run/);
  });

  test("another user keeps the context's cwd and environment, not its group; contextUser says who the tasks run as", () => {
    const { task, contextUser } = made(two, { argv: ["id"], user: "nobody" });
    assert.deepEqual([task.user, task.group, task.cwd, contextUser], ["nobody", undefined, "/srv", "postgres"]);
  });

  test("tasks that differ: refused naming the keyword and two tasks, unless task picks one; container tasks do not count", () => {
    const differ = ["[task#a]", "command = /bin/true", "cwd = /a", "", "[task#b]", "command = /bin/true", "cwd = /b"];
    assert.match(error(differ, { argv: ["pwd"] }), /^db: its tasks differ in cwd \(task#a and task#b\): say which task's context/);
    assert.equal(made(differ, { argv: ["pwd"], task: "task#b" }).task.cwd, "/b");
    assert.match(error(differ, { argv: ["pwd"], task: "task#z" }), /^task: no host task task#z in db \(its host tasks: task#a, task#b\)/);
    const withContainer = ["[task#a]", "command = /bin/true", "cwd = /a", "", "[task#c]", "type = podman", "image = localhost/app:1", "command = true", "cwd = /app", "user = 1000"];
    assert.deepEqual([made(withContainer, { argv: ["pwd"] }).task.cwd, made(withContainer, { argv: ["pwd"] }).task.user], ["/a", undefined]);
    assert.match(error(withContainer, { argv: ["pwd"], task: "task#c" }), /no host task task#c/);
    assert.deepEqual(made([], { argv: ["pwd"] }).task.environment, {}, "a service without tasks: svcmgr's own context");
  });
});
