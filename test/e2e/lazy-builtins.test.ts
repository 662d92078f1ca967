/**
 * A CLI call loads the Node built-ins of the code it runs, not of every module in its bundle
 * (scripts/build.mjs, lazyBuiltins): modules that import child_process, http or fs/promises for
 * other paths (starting the daemon, asking it for status, removing files) cost a run nothing,
 * nor does Node's stream for standard error (platform/std-output.ts). Each load costs
 * milliseconds of start-up (bench/cli-run.bench.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { baseEnv, CLI, makeRoot } from "./helpers.js";
import { skipUnlessNative } from "../helpers/require-all.js";

/** `svcmgr ARGS` with a preload that lists, at exit, the built-ins loaded after Node's own start. */
function loadedBuiltins(t: { after(fn: () => void): void }, args: readonly string[]): Set<string> {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-builtins-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const preload = join(dir, "preload.cjs");
  const out = join(dir, "loaded.json");
  writeFileSync(
    preload,
    `const before = new Set(process.moduleLoadList);
process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)))));`,
  );
  const r = spawnSync(process.execPath, ["--require", preload, CLI, ...args], { encoding: "utf8", env: baseEnv() });
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(readFileSync(out, "utf8")) as string[];
  return new Set(list.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length)));
}

test("a run loads neither http (the daemon client) nor fs/promises", (t) => {
  const root = makeRoot(t);
  root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
  const loaded = loadedBuiltins(t, ["--root", root.dir, "-s", "s", "run"]);
  for (const m of ["http", "fs/promises", "readline"]) assert.ok(!loaded.has(m), `a run loaded ${m}`);
});

test("a silent task started through the native addon: no child_process, and no stream or net for stderr", { skip: skipUnlessNative() }, (t) => {
  const root = makeRoot(t);
  root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
  const loaded = loadedBuiltins(t, ["--root", root.dir, "-s", "s", "run"]); // stderr is a pipe: svcmgr reports the task there
  for (const m of ["child_process", "net", "stream"]) assert.ok(!loaded.has(m), `a run loaded ${m}`);
});

test("print status loads neither child_process nor http when no daemon runs", (t) => {
  const root = makeRoot(t);
  root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
  const loaded = loadedBuiltins(t, ["--root", root.dir, "-s", "s", "print", "status"]);
  for (const m of ["child_process", "http"]) assert.ok(!loaded.has(m), `print status loaded ${m}`);
});
