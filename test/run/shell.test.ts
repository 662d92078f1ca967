import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseShell, shellOutcome } from "../../src/run/shell.js";
import type { TerminalResult } from "../../src/core/ports.js";

const SHELLS = ["/bin/sh", "/bin/bash", "/usr/bin/bash"];

test("the login shell when /etc/shells lists it, else /bin/sh", () => {
  assert.equal(chooseShell("/bin/bash", SHELLS), "/bin/bash");
  assert.equal(chooseShell("/usr/sbin/nologin", SHELLS), "/bin/sh");
  assert.equal(chooseShell("/bin/false", SHELLS), "/bin/sh");
  assert.equal(chooseShell("bash", ["bash"]), "/bin/sh", "never a relative path");
  assert.equal(chooseShell(undefined, SHELLS), "/bin/sh");
  assert.equal(chooseShell("/bin/bash", []), "/bin/sh", "no /etc/shells: /bin/sh");
});

const base: TerminalResult = { pid: 10, startedAt: 0, endedAt: 5, exitCode: 0, signal: null, shellStatus: 0 };

test("the record of a shell's end: succeeded on 0, else failed with why; OOM kills and leftovers noted", () => {
  assert.deepEqual(shellOutcome(base, undefined, 7), { status: "succeeded", endedAt: 7, exitCode: 0, signal: null, reason: null });
  assert.equal(shellOutcome({ ...base, exitCode: 3, shellStatus: 3 }, undefined, 7).reason, "shell exited with code 3");
  assert.equal(shellOutcome({ ...base, exitCode: null, signal: "SIGKILL", shellStatus: 137 }, undefined, 7).reason, "shell killed by SIGKILL");
  const oom = shellOutcome({ ...base, exitCode: null, signal: "SIGKILL", shellStatus: 137, usage: { peakMemory: 1 << 26, cpuSeconds: 0.5, oomKills: 1 }, leftoversKilled: 2 }, 64 << 20, 7);
  assert.equal(oom.status, "failed");
  assert.equal(oom.reason, "shell killed by SIGKILL; 1 process(es) killed by the kernel's OOM killer: the shell reached the memory limit (limit_memory = 64 MiB); 2 process(es) left behind by the shell killed with it");
  assert.deepEqual([oom.peakMemory, oom.cpuSeconds], [1 << 26, 0.5]);
  const notStarted = shellOutcome({ ...base, pid: null, exitCode: null, shellStatus: null, spawnError: "command not found: /bin/zsh" }, undefined, 7);
  assert.deepEqual([notStarted.status, notStarted.reason], ["failed", "shell not started: command not found: /bin/zsh"]);
});
