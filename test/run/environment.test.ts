import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_LANG, RUN_PATH, runEnvironment, scheduledForText, type EnvironmentLayers } from "../../src/run/environment.js";

/** Design §9: fixed base, then SVCMGR_*, then `environment`, then `--env`; nothing of the caller's. */
const LAYERS: EnvironmentLayers = {
  login: { HOME: "/home/alice", USER: "alice", LOGNAME: "alice", SHELL: "/bin/bash" },
  lang: DEFAULT_LANG,
  svcmgr: { SVCMGR_RID: "task#0", SVCMGR_NODENAME: "n1" },
  environment: { FOO: "kw", PATH: "/opt/bin:/usr/bin" },
  extra: { FOO: "cli" },
};

test("the fixed base, the svcmgr variables, the environment keyword, then --env", () => {
  assert.deepEqual(runEnvironment(LAYERS), {
    PATH: "/opt/bin:/usr/bin", HOME: "/home/alice", USER: "alice", LOGNAME: "alice", SHELL: "/bin/bash", LANG: "C.UTF-8",
    SVCMGR_RID: "task#0", SVCMGR_NODENAME: "n1", FOO: "cli",
  });
  assert.equal(runEnvironment({ ...LAYERS, environment: {} }).PATH, RUN_PATH);
});

test("TZ only when the task sets a timezone", () => {
  assert.equal("TZ" in runEnvironment(LAYERS), false);
  assert.equal(runEnvironment({ ...LAYERS, timezone: "Europe/Paris" }).TZ, "Europe/Paris");
});

test("--inherit-env: the caller's variables over the base, under the svcmgr variables", () => {
  const env = runEnvironment({ ...LAYERS, environment: {}, extra: {}, inherited: { PATH: "/caller", CALLER: "x", SVCMGR_RID: "spoof", GONE: undefined } });
  assert.equal(env.PATH, "/caller");
  assert.equal(env.CALLER, "x");
  assert.equal(env.HOME, "/home/alice", "the base fills what the caller lacks");
  assert.equal(env.SVCMGR_RID, "task#0");
  assert.equal("GONE" in env, false);
});

test("SVCMGR_SCHEDULED_FOR is ISO 8601 UTC to the second", () => {
  assert.equal(scheduledForText(Date.UTC(2026, 11, 7, 2, 30, 0)), "2026-12-07T02:30:00Z");
  assert.equal(scheduledForText(Date.UTC(2026, 11, 7, 2, 30, 0, 250)), "2026-12-07T02:30:00.250Z");
});
