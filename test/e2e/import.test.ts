import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasStackTrace, makeRoot, REPO, type TestRoot } from "./helpers.js";

/**
 * `svcmgr import`: the hand-written fixtures of each format become services that pass
 * `validate config` and run; a second import changes nothing; bad files are refused whole,
 * with file:line, and nothing is written.
 */
const FIXTURES = join(REPO, "test", "fixtures", "import");

/** The source file inside the root (a root svcmgr reads it with a config file's checks). */
function source(root: TestRoot, name: string, text?: string): string {
  const file = root.path(name);
  if (text === undefined) copyFileSync(join(FIXTURES, name), file);
  else writeFileSync(file, text);
  chmodSync(file, 0o644);
  return file;
}

describe("svcmgr import", { concurrency: true }, () => {
  for (const [name, from, tasks] of [
    ["timetable.yaml", "supertask", 3],
    ["timetable.json", "supertask", 1],
    ["cronjobs.json", "supertask-legacy", 3],
    ["crontab", "crontab", 5],
  ] as const) {
    test(`${name} (--from ${from}): written, valid, and the same import again changes nothing`, async (t) => {
      const root = makeRoot(t);
      const file = source(root, name);
      const first = await root.run(["import", "--from", from, file, "-s", "imp"]);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`wrote .*imp\\.conf: ${tasks} added, 0 updated, 0 removed, 0 unchanged`));
      const conf = readFileSync(join(root.etc, "imp.conf"), "utf8");
      const valid = await root.run(["-s", "imp", "validate", "config"]);
      assert.equal(valid.status, 0, valid.stdout);
      assert.match(valid.stdout, /configuration is valid \(0 error/);
      const ls = await root.run(["ls", "--format", "json"]);
      assert.equal((JSON.parse(ls.stdout) as { tasks: number }[])[0]!.tasks, tasks);
      const again = await root.run(["import", "--from", from, file, "-s", "imp"]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`is up to date: 0 added, 0 updated, 0 removed, ${tasks} unchanged`));
      assert.equal(readFileSync(join(root.etc, "imp.conf"), "utf8"), conf);
    });
  }

  test("--dry-run prints the file and writes nothing; the service name defaults to the file's", async (t) => {
    const root = makeRoot(t);
    const file = source(root, "cronjobs.json");
    const r = await root.run(["import", "--from", "supertask-legacy", file, "--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# Service imported by/);
    assert.match(r.stdout, /\[task#3\]\n# from .*cronjobs\.json:18\n/);
    assert.match(r.stderr, /cronjobs\.conf \(dry run, not written\): 3 added/);
    assert.equal(existsSync(join(root.etc, "cronjobs.conf")), false);
  });

  test("a bad file is refused whole: every problem with file:line, exit 2, nothing written, no stack trace", async (t) => {
    const root = makeRoot(t);
    const file = source(root, "bad.yaml", "tasks:\n  - meta: { id: a }\n    on: { schedule: [ { cron: '* * * * *' } ] }\n    steps: [ { uses: docker, run: x } ]\n  - meta: { id: b }\n    on: { schedule: [ { cron: '* * * * *' } ] }\n    steps: [ { uses: python-entrypoint, run: 'os:getcwd' } ]\n");
    const r = await root.run(["import", "--from", "supertask", file, "-s", "bad"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${file}:4: error: step 1: unknown step kind "docker"`));
    assert.match(r.stderr, /not imported, nothing written/);
    assert.equal(hasStackTrace(r.stderr), false);
    assert.equal(existsSync(join(root.etc, "bad.conf")), false);
    const half = source(root, "half.json", readFileSync(join(FIXTURES, "cronjobs.json"), "utf8").slice(0, 120));
    const h = await root.run(["import", "--from", "supertask-legacy", half, "-s", "half"]);
    assert.equal(h.status, 2);
    assert.match(h.stderr, new RegExp(`${half}:\\d+: error: not valid JSON \\(half written\\?\\)`));
    const missing = await root.run(["import", "--from", "crontab", root.path("nope"), "-s", "x"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no file .*nope/);
  });

  test("imported crontab jobs run as cron would: environment, \\%, and % as standard input", async (t) => {
    const root = makeRoot(t);
    const file = source(root, "ct", "GREETING = 'hi there'\nSHELL=/bin/bash\n* * * * * echo \"$GREETING\" [[ok]] {x} 50\\% ; cat%line 1%line 2\\%\n");
    const r = await root.run(["import", "--from", "crontab", file, "-s", "ct"]);
    assert.equal(r.status, 0, r.stderr);
    const run = await root.runTasks("ct", ["--format", "json"]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const rec = root.history("ct")[0]!;
    assert.equal(rec.outputHead, "hi there [[ok]] {x} 50%\nline 1\nline 2%");
  });

  test("imported Supertask steps call the Python function with the arguments written", { skip: !existsSync("/usr/bin/python3") && "no python3" }, async (t) => {
    const root = makeRoot(t);
    const file = source(root, "tt.yaml", "tasks:\n  - meta: { id: p, enabled: true }\n    on: { schedule: [ { cron: '0 * * * *' } ] }\n    steps:\n      - { name: one, uses: python-entrypoint, run: 'builtins:print', args: ['a', 1, true, null], kwargs: { sep: \"'{}'\" } }\n");
    assert.equal((await root.run(["import", "--from", "supertask", file, "-s", "py"])).status, 0);
    const run = await root.runTasks("py");
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.equal(root.history("py")[0]!.outputHead, "a'{}'1'{}'True'{}'None\n");
  });

  test("an edited source: changed jobs are updated, gone ones removed, hand-written sections kept", async (t) => {
    const root = makeRoot(t);
    root.writeConf("ed", "[task#mine]\ncommand = true\n");
    const file = source(root, "ct", "0 1 * * * /bin/a\n0 2 * * * /bin/b\n");
    assert.equal((await root.run(["import", "--from", "crontab", file, "-s", "ed"])).status, 0);
    source(root, "ct", "0 1 * * * /bin/a\n30 2 * * * /bin/b\n");
    const r = await root.run(["import", "--from", "crontab", file, "-s", "ed"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /task#a-\w+: unchanged \(ct:1\)\ntask#b-\w+: added \(ct:2\)\ntask#b-\w+: removed \(no longer in ct\)\n/);
    const conf = readFileSync(join(root.etc, "ed.conf"), "utf8");
    assert.ok(conf.startsWith("[task#mine]\ncommand = true\n"));
    assert.match(conf, /schedule = 30 2 \* \* \*/);
    assert.doesNotMatch(conf, /schedule = 0 2 /);
  });
});
