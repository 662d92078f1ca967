import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, makeRoot, REPO } from "./helpers.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";

/**
 * The native addon is optional and observable: SVCMGR_NATIVE=0 turns it off, `--version
 * --verbose` and the daemon's first log lines say which mode runs and why, and each mode is
 * really the one used (the addon is mapped into the process, or not).
 */
const NATIVE = { SVCMGR_NATIVE: undefined };
const PLAIN = { SVCMGR_NATIVE: "0" };
const mapsAddon = (pid: number) => readFileSync(`/proc/${pid}/maps`, "utf8").includes("svcmgr_native.node");

describe("native addon mode", { concurrency: 2 }, () => {
  after(killAllDaemons);

  test("--version --verbose says the mode: the addon by default, plain Node with SVCMGR_NATIVE=0", async () => {
    const native = await cli(["--version", "--verbose"], { env: NATIVE });
    assert.equal(native.status, 0, native.stderr);
    assert.match(native.stdout, /^svcmgr \S+\nnode v\d+\.\d+\.\d+ \(linux \w+\)\nmode: native addon \(.*build\/Release\/svcmgr_native\.node\)/);
    const plain = await cli(["--version", "--verbose"], { env: PLAIN });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /\nmode: plain Node: native addon turned off by SVCMGR_NATIVE=0\n$/);
  });

  test("an addon that fails to load is said, with why, and svcmgr works without it", async (t) => {
    // A copy of the package whose build holds a file that is not a loadable library.
    const pkg = mkdtempSync(join(tmpdir(), "svcmgr-pkg-"));
    t.after(() => rmSync(pkg, { recursive: true, force: true }));
    cpSync(join(REPO, "dist"), join(pkg, "dist"), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(pkg, "node_modules"));
    writeFileSync(join(pkg, "package.json"), readFileSync(join(REPO, "package.json")));
    mkdirSync(join(pkg, "build", "Release"), { recursive: true });
    writeFileSync(join(pkg, "build", "Release", "svcmgr_native.node"), "not an ELF file");
    const r = await cli(["--version", "--verbose"], { env: NATIVE, cliPath: join(pkg, "dist", "svcmgr.cjs") });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\nmode: plain Node: native addon failed to load .*svcmgr_native\.node: .+\n$/);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = echo works\n");
    const run = await cli(["--root", root.dir, "-s", "s", "run"], { env: NATIVE, cliPath: join(pkg, "dist", "svcmgr.cjs") });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^works$/m);
  });

  for (const [name, env, native] of [["native", NATIVE, true], ["plain Node", PLAIN, false]] as const) {
    test(`${name}: the daemon logs its mode at start, and really runs in it`, async (t) => {
      const root = makeRoot(t);
      root.writeConf("s", "[task#0]\ncommand = true\nschedule = @1s\n");
      const daemon = Daemon.start(root, [], [], env);
      const mode = await daemon.waitEvent("the mode line", (e) => e.event === "native-mode", 20_000);
      assert.equal(mode.native, native, mode.message);
      assert.match(mode.message, native ? /^mode: native addon \(/ : /^mode: plain Node: native addon turned off by SVCMGR_NATIVE=0$/);
      await daemon.waitEvent("a finished run", (e) => e.event === "finished", 20_000);
      assert.equal(mapsAddon(daemon.pid), native, "the addon is mapped into the daemon exactly when it says so");
      await daemon.stop();
    });

    test(`${name}: a manual run uses the addon exactly when the mode says so`, async (t) => {
      const root = makeRoot(t);
      // The shell's parent is svcmgr itself: the task reads whether the addon is mapped there.
      root.writeConf("s", "[task#0]\ncommand = grep -c svcmgr_native.node /proc/$PPID/maps || true\n");
      const r = await root.runTasks("s", [], { env });
      assert.equal(r.status, 0, r.stderr);
      const count = Number(/^(\d+)$/m.exec(r.stdout)?.[1]);
      assert.equal(count > 0, native, r.stdout);
    });
  }
});
