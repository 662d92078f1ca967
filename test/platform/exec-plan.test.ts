import { test } from "node:test";
import assert from "node:assert/strict";
import { wrapperArgv } from "../../src/platform/exec-plan.js";

// The wrappers' argv is pure once told where the tools are: these run no process.
const DIRS = ["/opt/a", "/opt/b"];
const inB = (path: string) => path.startsWith("/opt/b/");
const env = { PATH: "/bin" };

test("no umask, no limit, no identity: no wrapper", () => {
  assert.deepEqual(wrapperArgv({ env }, DIRS, inB), { ok: true, argv: [] });
  assert.deepEqual(wrapperArgv({ env, limits: {} }, DIRS, inB), { ok: true, argv: [] });
});

test("all three wrappers, outermost first: sh for the umask, prlimit, setpriv; tools from the first dir that has them", () => {
  const plan = wrapperArgv({ env, umask: 0o27, limits: { nofile: 64 }, identity: { user: "u", uid: 1001, gid: 1002 } }, DIRS, inB);
  assert.deepEqual(plan, {
    ok: true,
    argv: [
      "/opt/b/sh", "-c", 'unset PWD; umask "$1" && shift && exec "$@"', "svcmgr", "0027",
      "/opt/b/prlimit", "--nofile=64:64", "--",
      "/opt/b/setpriv", "--reuid=1001", "--regid=1002", "--init-groups", "--",
    ],
  });
  assert.deepEqual(wrapperArgv({ env, umask: 0 }, DIRS, () => true), { ok: true, argv: ["/opt/a/sh", "-c", 'unset PWD; umask "$1" && shift && exec "$@"', "svcmgr", "0000"] });
});

test("a task environment with PWD keeps it: the umask prelude does not unset it", () => {
  const plan = wrapperArgv({ env: { PWD: "/srv" }, umask: 0o22 }, DIRS, inB);
  assert.ok(plan.ok);
  assert.equal(plan.argv[2], 'umask "$1" && shift && exec "$@"');
});

test("vmem is prlimit's --as; an explicit as wins over vmem", () => {
  assert.deepEqual(wrapperArgv({ env, limits: { vmem: 1000 } }, DIRS, inB), { ok: true, argv: ["/opt/b/prlimit", "--as=1000:1000", "--"] });
  const both = wrapperArgv({ env, limits: { as: 2000, vmem: 1000, cpu: 5 } }, DIRS, inB);
  assert.ok(both.ok);
  assert.ok(both.argv.includes("--as=2000:2000") && !both.argv.includes("--as=1000:1000"), both.argv.join(" "));
  assert.ok(both.argv.includes("--cpu=5:5"));
});

test("bad values and missing tools are errors that name them", () => {
  assert.deepEqual(wrapperArgv({ env, umask: 0o1000 }, DIRS, inB), { ok: false, error: "invalid umask: 512" });
  assert.deepEqual(wrapperArgv({ env, limits: { nofile: -1 } }, DIRS, inB), { ok: false, error: "invalid limit_nofile: -1" });
  assert.deepEqual(wrapperArgv({ env, limits: { cpu: 1.5 } }, DIRS, inB), { ok: false, error: "invalid limit_cpu: 1.5" });
  const none = () => false;
  assert.deepEqual(wrapperArgv({ env, umask: 0o22 }, DIRS, none), { ok: false, error: "sh not found in /opt/a:/opt/b: needed for umask" });
  assert.deepEqual(wrapperArgv({ env, limits: { nproc: 10 } }, DIRS, none), { ok: false, error: "prlimit not found in /opt/a:/opt/b: needed for limit_*" });
  assert.deepEqual(wrapperArgv({ env, identity: { user: "u", uid: 1, gid: 1 } }, DIRS, none), { ok: false, error: "setpriv not found in /opt/a:/opt/b: needed for user/group" });
});
