import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync } from "node:fs";
import { hasStackTrace, makeRoot, ranRids, rootPerSuite, type CliResult } from "./helpers.js";
import { skipUnlessRoot } from "../helpers/require-all.js";

/**
 * Design §3, §4: every configuration problem at once, each with file:line; errors refuse the
 * service (exit 2) for `validate config` and for `run`; an unknown keyword is only a warning.
 */
describe("malformed configurations", { concurrency: 4 }, () => {
  const suite = rootPerSuite("bad");
  const service = (conf: string) => suite.service(conf);

  /** `validate config` and `run` both refuse it with exit 2, and both show `expected` (messages, as regexps). */
  async function refusedBoth(conf: string, expected: (file: string) => RegExp[]): Promise<{ validate: CliResult; run: CliResult }> {
    const { name, file } = service(conf);
    const validate = await suite.root.run(["-s", name, "validate", "config"]);
    const run = await suite.root.runTasks(name);
    for (const [what, r, text] of [["validate config", validate, validate.stdout + validate.stderr], ["run", run, run.stderr]] as const) {
      assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      for (const re of expected(file)) assert.match(text, re, `${what} output`);
    }
    assert.deepEqual(ranRids(run.stdout), [], "nothing runs");
    assert.match(validate.stdout, /configuration is invalid/);
    return { validate, run };
  }

  const at = (file: string, line: number) => escape(`${file}:${line}:`);

  test("unterminated section header", async () => {
    const { validate } = await refusedBoth("[task#0]\ncommand = true\n\n[task#1\ncommand = echo ran task#1\n", (f) => [
      new RegExp(`${at(f, 4)}.*unterminated section header "\\[task#1"`),
    ]);
    assert.ok(!/outside any section/.test(validate.stdout), `only the header is reported:\n${validate.stdout}`);
  });

  test("duplicate key: names both lines", async () => {
    await refusedBoth("[task#0]\ncommand = echo ran task#0\ntimeout = 5\ncommand = echo again\n", (f) => [
      new RegExp(`${at(f, 4)} \\[task#0\\] command: error: duplicate key "command": first set at line 2`),
    ]);
  });

  test("duplicate section: names both lines", async () => {
    await refusedBoth("[task#0]\ncommand = true\n\n[task#0]\ncommand = false\n", (f) => [
      new RegExp(`${at(f, 4)}.*duplicate section \\[task#0\\]: first defined at line 1`),
    ]);
  });

  test("a reference that resolves to nothing: refused before anything runs (no rm -rf with braces left in)", async () => {
    await refusedBoth("[task#0]\ncommand = echo ran task#0\n[task#1]\ncommand = echo rm -rf {env.dir}/x\n", (f) => [
      new RegExp(`${at(f, 4)} \\[task#1\\] command = "echo rm -rf \\{env.dir\\}/x": error: reference \\{env.dir\\} resolves to nothing`),
    ]);
  });

  test("a misspelled section kind: an error with the closest valid section, not a task silently gone", async () => {
    await refusedBoth("[task#0]\ncommand = echo ran task#0\n[tsk#1]\ncommand = echo ran tsk#1\n", (f) => [
      new RegExp(`${at(f, 3)} \\[tsk#1\\]: error: unknown section kind: did you mean \\[task#1\\]\\?`),
    ]);
  });

  test("a reference fan-out: refused at once with the budget named", async () => {
    const levels = Array.from({ length: 18 }, (_, i) => `a${i} = ${`{env.a${i + 1}}`.repeat(10)}`).join("\n");
    await refusedBoth(`[env]\n${levels}\na18 = x\n[task#0]\ncommand = echo {env.a0}\n`, (f) => [
      new RegExp(`${at(f, 22)} \\[task#0\\] command = "echo \\{env.a0\\}": error: references need more than 1000 evaluations`),
    ]);
  });

  test("bad boolean", async () => {
    await refusedBoth("[task#0]\ncommand = true\noptional = maybe\n", (f) => [
      new RegExp(`${at(f, 3)} \\[task#0\\] optional = "maybe": error: bad value: expected a boolean`),
    ]);
  });

  test("bad duration", async () => {
    await refusedBoth("[task#0]\ncommand = true\n\ntimeout = 5 parsecs\n", (f) => [
      new RegExp(`${at(f, 4)} \\[task#0\\] timeout = "5 parsecs": error: bad value: expected a duration`),
    ]);
  });

  test("bad retcodes", async () => {
    await refusedBoth("[task#0]\ncommand = true\nretcodes = 0:up 1:sideways\n", (f) => [
      new RegExp(`${at(f, 3)} \\[task#0\\] retcodes = "0:up 1:sideways": error: bad value`),
    ]);
  });

  test("unknown rid in run_requires", async () => {
    await refusedBoth("[fs#0]\ntype = directory\npath = /\n\n[task#0]\ncommand = true\nrun_requires = fs#9(up)\n", (f) => [
      new RegExp(`${at(f, 7)} \\[task#0\\] run_requires = "fs#9\\(up\\)": error: unknown rid "fs#9"`),
    ]);
  });

  test("missing command", async () => {
    await refusedBoth("[task#0]\ntags = a\n", (f) => [new RegExp(`${at(f, 1)} \\[task#0\\] command: error: required keyword "command" is missing`)]);
  });

  test("several problems: all reported at once", async () => {
    const conf = [
      "[task#0", //                        1
      "command = true", //                  2
      "[task#1]", //                        3
      "command = true", //                  4
      "command = false", //                 5
      "optional = maybe", //                6
      "timeout = soon", //                  7
      "retcodes = x:up", //                 8
      "run_requires = fs#9", //             9
      "comand = typo", //                   10
      "",
    ].join("\n");
    const { validate } = await refusedBoth(conf, (f) => [1, 5, 6, 7, 8, 9].map((l) => new RegExp(`${at(f, l)}.*error`)));
    assert.match(validate.stdout, /:10: \[task#1\] comand = "typo": warning: unknown keyword, ignored; did you mean "command"\?/);
    assert.match(validate.stdout, /: configuration is invalid \(6 error\(s\), 1 warning\(s\)\)\n$/, "the summary comes last, on stdout with the diagnostics");
  });

  test("validate config --format json: every alert with its line", async () => {
    const { name } = service("[task#0]\ncommand = true\noptional = maybe\ncomand = x\n");
    const r = await suite.root.run(["-s", name, "validate", "config", "--format", "json"]);
    assert.equal(r.status, 2);
    const [report] = JSON.parse(r.stdout) as Array<{ service: string; valid: boolean; errors: number; warnings: number; summary: string; alerts: Array<{ level: string; line: number; keyword: string }> }>;
    assert.equal(report!.service, name);
    assert.equal(report!.valid, false);
    assert.deepEqual([report!.errors, report!.warnings, report!.summary], [1, 1, "configuration is invalid (1 error(s), 1 warning(s))"]);
    assert.deepEqual(
      report!.alerts.map((a) => [a.level, a.line, a.keyword]).sort(),
      [["error", 3, "optional"], ["warning", 4, "comand"]],
    );
  });

  test("unknown keyword alone: a warning with a hint; validate exits 0 and run still runs", async () => {
    const { name, file } = service("[task#0]\ncommand = echo ran task#0\ntimout = 5\n");
    const validate = await suite.root.run(["-s", name, "validate", "config"]);
    assert.equal(validate.status, 0, validate.stdout + validate.stderr);
    assert.match(validate.stdout, new RegExp(`${at(file, 3)} \\[task#0\\] timout = "5": warning: unknown keyword, ignored; did you mean "timeout"\\?`));
    assert.match(validate.stdout, /configuration is valid \(0 error\(s\), 1 warning\(s\)\)/);
    const run = await suite.root.runTasks(name);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(ranRids(run.stdout), ["task#0"]);
    assert.match(run.stderr, /did you mean "timeout"/);
  });
});

/** A root svcmgr refuses config files others can change (it runs their commands as root). */
describe("config file permissions (as root)", { skip: skipUnlessRoot(), concurrency: 4 }, () => {
  const suite = rootPerSuite("perm");
  const CONF = "[task#0]\ncommand = echo ran task#0\n";

  async function refused(name: string, message: RegExp): Promise<void> {
    for (const args of [["-s", name, "run"], ["-s", name, "validate", "config"]]) {
      const r = await suite.root.run(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.deepEqual(ranRids(r.stdout), []);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    }
  }

  test("world-writable config file", async () => {
    const file = suite.root.writeConf("perm-world", CONF, 0o646);
    await refused("perm-world", new RegExp(`refusing config file ${escape(file)} \\(mode 0646\\): it is writable by any user`));
  });

  test("group-writable config file (group other than root)", async () => {
    const file = suite.root.writeConf("perm-group", CONF, 0o664);
    chownSync(file, 0, 65534);
    await refused("perm-group", new RegExp(`refusing config file ${escape(file)} \\(mode 0664\\): it is writable by group 65534`));
  });

  test("config file owned by another user", async () => {
    const file = suite.root.writeConf("perm-owner", CONF);
    chownSync(file, 65534, 0);
    await refused("perm-owner", new RegExp(`refusing config file ${escape(file)} \\(mode 0644\\): it is owned by uid 65534, not root`));
  });

  test("world-writable etc directory", async () => {
    const other = makeRoot();
    try {
      other.writeConf("perm-dir", CONF);
      chmodSync(other.etc, 0o777);
      const r = await other.runTasks("perm-dir");
      assert.equal(r.status, 2);
      assert.match(r.stderr, new RegExp(`refusing directory ${escape(other.etc)} \\(mode 0777\\)`));
      assert.deepEqual(ranRids(r.stdout), []);
    } finally {
      other.cleanup();
    }
  });

  test("a safe file next to a refused one still runs", async () => {
    suite.root.writeConf("perm-ok", CONF);
    const r = await suite.root.runTasks("perm-ok");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
