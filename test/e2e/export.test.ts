import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRoot, REPO, type TestRoot } from "./helpers.js";

/**
 * `svcmgr export`: a service imported from a file, exported back to that format and imported
 * again into another service gives the same tasks (round trip through the real CLI); what a
 * format cannot say is listed on stderr and in the output.
 */
const FIXTURES = join(REPO, "test", "fixtures", "import");

function place(root: TestRoot, name: string, text: string): string {
  const file = root.path(name);
  writeFileSync(file, text);
  chmodSync(file, 0o644);
  return file;
}

/** The service's sections without comments (the source lines differ, the tasks must not). */
function tasksOf(root: TestRoot, svc: string): string[] {
  return readFileSync(join(root.etc, `${svc}.conf`), "utf8").split("\n\n").filter((s) => s.startsWith("[task#")).map((s) => s.split("\n").filter((l) => !l.startsWith("#")).join("\n").trim()).sort();
}

describe("svcmgr export", { concurrency: true }, () => {
  test("crontab → import → export --to crontab → import: the same tasks", async (t) => {
    const root = makeRoot(t);
    const src = root.path("ct");
    copyFileSync(join(FIXTURES, "crontab"), src);
    chmodSync(src, 0o644);
    assert.equal((await root.run(["import", "--from", "crontab", src, "-s", "one"])).status, 0);
    const out = await root.run(["-s", "one", "export", "--to", "crontab"]);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stderr, "");
    const back = place(root, "ct2", out.stdout);
    const again = await root.run(["import", "--from", "crontab", back, "-s", "two"]);
    assert.equal(again.status, 0, again.stderr);
    // A line with `%` comes back as the printf pipeline it was imported as: same command, another id.
    const body = (sections: string[]) => sections.map((s) => s.split("\n").slice(1).join("\n")).sort();
    assert.deepEqual(body(tasksOf(root, "two")), body(tasksOf(root, "one")));
    assert.equal(tasksOf(root, "two").filter((s) => tasksOf(root, "one").includes(s)).length, 4, "the other ids are kept");
  });

  test("timetable → import → export --to supertask → import: the same tasks", async (t) => {
    const root = makeRoot(t);
    const src = root.path("tt.yaml");
    copyFileSync(join(FIXTURES, "timetable.yaml"), src);
    chmodSync(src, 0o644);
    assert.equal((await root.run(["import", "--from", "supertask", src, "-s", "one"])).status, 0);
    const out = await root.run(["-s", "one", "export", "--to", "supertask"]);
    assert.equal(out.status, 0, out.stderr);
    const back = place(root, "tt2.json", out.stdout);
    assert.equal((await root.run(["import", "--from", "supertask", back, "-s", "two"])).status, 0);
    const strip = (s: string) => s.replace(/^comment = .*\n?/m, "").replace(/30 6 \* \* mon,tue,wed,thu,fri/, "30 6 * * 1-5").replace(/\+mon$/m, "+mon");
    assert.deepEqual(tasksOf(root, "two").map(strip), tasksOf(root, "one").map(strip));
  });

  test("what cannot be said is on stderr and in the output, and the rest is exported", async (t) => {
    const root = makeRoot(t);
    root.writeConf("mixed", "[DEFAULT]\ntimezone = UTC\n\n[task#ok]\ncommand = echo {name} 100%\nschedule = 15 3 * * *\nenvironment = A=1\n\n[task#window]\ncommand = true\nschedule = 02:00-04:00@60\n\n[task#user]\ncommand = true\nschedule = @hourly\ntimeout = 5m\nretry = 2\n");
    const out = await root.run(["-s", "mixed", "export", "--to", "crontab"]);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^CRON_TZ=UTC\n# task#user\n@hourly true\nA=1\n# task#ok\n15 3 \* \* \* echo mixed 100\\%$/m);
    assert.match(out.stdout, /^@hourly true$/m);
    assert.match(out.stderr, /mixed task#window: not exported: schedule "02:00-04:00@60" is not a 5-field cron/);
    assert.match(out.stderr, /mixed task#user: not exported: timeout is not carried over\nmixed task#user: not exported: retry is not carried over/);
    const tt = await root.run(["-s", "mixed", "export", "--to", "supertask"]);
    assert.equal(tt.status, 0);
    assert.match(tt.stderr, /task#ok: not exported: its schedule is evaluated in UTC here, in Europe\/Vienna by Supertask/);
    assert.equal((JSON.parse(tt.stdout) as { tasks: unknown[] }).tasks.length, 2);
  });
});
