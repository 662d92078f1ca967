import { test } from "node:test";
import assert from "node:assert/strict";
import { daemonPaths, lastRunFile, objectVarDir, pathsFor, taskRunDir, taskVarDir } from "../../src/core/paths.js";
import { parseObjectPath } from "../../src/core/object-path.js";

// The on-disk layout is a contract with existing installations and with other tools: these
// names must not change by accident.
test("the daemon's files: pid file and socket in the var dir, log in the log dir, with or without --root", () => {
  assert.deepEqual(daemonPaths(pathsFor(null)), { pidFile: "/var/lib/svcmgr/daemon.pid", socket: "/var/lib/svcmgr/daemon.sock", logFile: "/var/log/svcmgr/daemon.log" });
  assert.deepEqual(daemonPaths(pathsFor("/srv/r/")), { pidFile: "/srv/r/var/daemon.pid", socket: "/srv/r/var/daemon.sock", logFile: "/srv/r/log/daemon.log" });
});

test("a task's dir, run dir and last_run file are below its object's var dir", () => {
  const varDir = objectVarDir(pathsFor("/r"), parseObjectPath("web"));
  assert.equal(varDir, "/r/var/svc/web");
  assert.equal(taskVarDir(varDir, "task#1"), "/r/var/svc/web/task#1");
  assert.equal(taskRunDir(varDir, "task#1"), "/r/var/svc/web/task#1/run");
  assert.equal(lastRunFile(varDir, "task#1"), "/r/var/svc/web/task#1/last_run");
});
