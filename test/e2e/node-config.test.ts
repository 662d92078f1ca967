/** node.conf: validation with file:line, print config, and the settings it gives the CLI and the daemon. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hasStackTrace, makeRoot, type TestRoot } from "./helpers.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";

function chattyScript(root: TestRoot, lines = 2000): string {
  const file = root.path(`chatty-${lines}.sh`);
  writeFileSync(file, `#!/bin/sh\necho FIRST\ni=0\nwhile [ $i -lt ${lines} ]; do echo "line $i of the chatty task"; i=$((i+1)); done\necho LAST\n`);
  chmodSync(file, 0o755);
  return file;
}

describe("node.conf", { concurrency: true }, () => {
  test("absent: validate says every setting has its default; print config shows them", async (t) => {
    const root = makeRoot(t);
    const v = await root.run(["node", "validate"]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stderr, /etc\/node\.conf: no such file: every node setting has its default/);
    const p = await root.run(["node", "print", "config", "--format", "json"]);
    assert.equal(p.status, 0, p.stderr);
    const json = JSON.parse(p.stdout) as { exists: boolean; sections: Record<string, Record<string, { text: string | null; value: unknown; from: string | null }>> };
    assert.equal(json.exists, false);
    assert.deepEqual(json.sections.log!.max_size, { text: "5m", value: 5 * 1024 * 1024, from: null });
    assert.deepEqual(json.sections.log!.keep, { text: "5", value: 5, from: null });
    assert.deepEqual(json.sections.log!.output_max, { text: "10m", value: 10 * 1024 * 1024, from: null });
    assert.deepEqual(json.sections.node!.name, { text: null, value: null, from: null });
    assert.deepEqual(json.sections.history!.keep_runs, { text: "1000", value: 1000, from: null });
  });

  test("every problem at once with file:line, section, keyword and value; commands refuse it", async (t) => {
    const root = makeRoot(t);
    const file = root.writeConf("node", "[node]\nname = db-1\nmax_parallel = 0\n\n[log]\nmax_size = big\nkepp = 3\n\n[listener]\nport = web\n\n[lgo]\nkeep = 1\n");
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const v = await root.run(["node", "validate"]);
    assert.equal(v.status, 2, v.stderr);
    assert.equal(v.stdout, [
      `${file}:3: [node] max_parallel = "0": error: bad value: expected an integer >= 1`,
      `${file}:6: [log] max_size = "big": error: bad value: expected a size such as 1024, 64k, 512m, 2g (at least 1024 bytes)`,
      `${file}:7: [log] kepp = "3": warning: unknown keyword, ignored; did you mean "keep"?`,
      `${file}:10: [listener] port = "web": error: bad value: expected an integer >= 0`,
      `${file}:12: [lgo]: error: unknown section: did you mean [log]? node.conf has [node], [listener], [log], [history], [limits], [cluster]`,
      "",
    ].join("\n"));
    assert.match(v.stderr, /configuration is invalid \(4 error\(s\), 1 warning\(s\)\)/);
    const json = JSON.parse((await root.run(["node", "validate", "--format", "json"])).stdout) as { valid: boolean; alerts: { line: number }[] };
    assert.equal(json.valid, false);
    assert.deepEqual(json.alerts.map((a) => a.line), [3, 6, 7, 10, 12]);
    for (const args of [["-s", "s", "run"], ["daemon", "run"], ["node", "print", "config"], ["history", "prune"]]) {
      const r = await root.run(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`invalid node configuration\\n${file.replace(/[.]/g, "\\.")}:3: \\[node\\] max_parallel`), args.join(" "));
      assert.equal(hasStackTrace(r.stderr), false);
    }
  });

  test("node and cluster are reserved: not services", async (t) => {
    const root = makeRoot(t);
    root.writeConf("node", "[log]\nkeep = 2\n");
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const ls = await root.run(["ls"]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.doesNotMatch(ls.stdout, /\bnode\b/);
    for (const name of ["node", "cluster"]) {
      const r = await root.run(["-s", name, "run"]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`"${name}" is reserved \\(${name}\\.conf in the etc dir configures the ${name}, not a service\\)`));
    }
  });

  test("[log] max_size and keep rotate the service log; output_max caps a run's file, head and tail kept, the cut said in the file and the record", async (t) => {
    const root = makeRoot(t);
    const chatty = chattyScript(root);
    root.writeConf("node", "[log]\nmax_size = 4k\nkeep = 2\noutput_max = 8k\n");
    root.writeConf("s", `[task#0]\ncommand = ${chatty}\n\n[task#1]\ncommand = ${chatty}\noutput_max = 0\n`);
    const p = await root.run(["node", "print", "config"]);
    assert.match(p.stdout, /^KEYWORD +VALUE +FROM\n/);
    assert.match(p.stdout, /\nlog\.max_size +4k +\S+node\.conf:2\nlog\.keep +2 +\S+node\.conf:3\nlog\.output_max +8k +\S+node\.conf:4\n/);
    assert.match(p.stdout, /\nnode\.name +- +not set\n/);
    assert.match(p.stdout, /\nhistory\.keep_runs +1000 +default\n/);
    const r = await root.runTasks("s");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^FIRST\n(.*\n)*LAST\n(.*\n)*LAST\n$/, "the terminal gets everything");
    const logs = readdirSync(root.path("log")).filter((f) => f.startsWith("s.log")).sort();
    assert.deepEqual(logs, ["s.log", "s.log.1", "s.log.2"]);
    for (const f of logs) assert.ok(statSync(root.path("log", f)).size < 4096 + 200, `${f}: ${statSync(root.path("log", f)).size}`);
    const [capped, full] = root.history("s");
    const text = readFileSync(capped!.logFile!, "utf8");
    assert.ok(text.startsWith("FIRST\nline 0 of the chatty task\n"), text.slice(0, 40));
    assert.ok(text.endsWith("line 1999 of the chatty task\nLAST\n"));
    const marker = /\n\[svcmgr: (\d+) bytes of output cut here: the output file keeps its first and last 4096 bytes \(output_max = 8192\)\]\n/.exec(text);
    assert.ok(marker, "the cut is said in the file");
    assert.equal(Buffer.byteLength(text) - marker[0].length + Number(marker[1]), capped!.outputBytes, "head + cut + tail = the whole output");
    assert.ok(Buffer.byteLength(text) <= 8192 + marker[0].length);
    assert.equal(capped!.status, "succeeded");
    assert.equal(capped!.reason, `output file cut: ${marker[1]} bytes in the middle left out (output_max)`);
    assert.match(r.stderr, /s task#0: output file cut: \d+ bytes in the middle left out/);
    assert.equal(statSync(full!.logFile!).size, full!.outputBytes, "output_max = 0 on the task: no limit");
    assert.equal(full!.reason, null);
  });

  test("[node] lang is the LANG of every task run", async (t) => {
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = printenv LANG\n");
    assert.equal((await root.runTasks("s")).stdout, "C.UTF-8\n");
    root.writeConf("node", "[node]\nlang = fr_FR.UTF-8\n");
    assert.equal((await root.runTasks("s")).stdout, "fr_FR.UTF-8\n");
  });

  test("the daemon takes [node] max_parallel; --max-parallel overrides it", async (t) => {
    t.after(killAllDaemons);
    const root = makeRoot(t);
    root.writeConf("node", "[node]\nmax_parallel = 3\n");
    for (const [args, n] of [[[], 3], [["--max-parallel", "7"], 7]] as const) {
      const d = Daemon.start(root, args);
      const started = await d.waitEvent("daemon-started", (e) => e.event === "daemon-started", 15_000);
      assert.match(started.message, new RegExp(`max parallel ${n}\\)`));
      assert.equal((await d.stop()).code, 0);
    }
  });
});

describe("history prune", { concurrency: true }, () => {
  test("applies the retention without a daemon: flags, else node.conf [history]; removes the pruned runs' output files", async (t) => {
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = echo hello\n");
    for (let i = 0; i < 5; i++) assert.equal((await root.runTasks("s")).status, 0);
    const files = root.history("s").map((r) => r.logFile!);
    assert.ok(files.every((f) => existsSync(f)));
    const r = await root.run(["history", "prune", "--keep-runs", "3", "--format", "json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { keepRuns: 3, keepDays: 90, deleted: 2, fileErrors: [] });
    assert.deepEqual(files.map((f) => existsSync(f)), [false, false, true, true, true]);
    root.writeConf("node", "[history]\nkeep_runs = 1\nkeep_days = 30\n");
    const again = await root.run(["history", "prune"]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, "pruned 2 record(s) (keeping 1 per task, 30 days)\n");
    assert.deepEqual(root.history("s").map((x) => x.logFile), [files[4]]);
    const help = await root.run(["history", "prune", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--keep-runs/);
  });
});
