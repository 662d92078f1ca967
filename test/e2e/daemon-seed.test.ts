import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { killAllDaemons, records, setup, startDaemon, waitRecords, type Daemon, type Owned } from "./daemon-harness.js";
import { skipUnless } from "../helpers/require-all.js";
import { existsSync } from "node:fs";

/**
 * `daemon run --seed FILE` with a real daemon and real files: each version of a Supertask
 * timetable prints its version every second; a record with that output proves the daemon took
 * it. Editors' save patterns (in place, rename over, delete + create) are all seen; an invalid
 * or half-written version, an empty one and a missing file keep the last good jobs running; an
 * edit of one job leaves the other unchanged (the scheduler's own reload counts say so).
 */
const hasPython = existsSync("/usr/bin/python3");

/** Job `a` prints `v` every second; job `b`, every 2 s, never changes; `extra` adds a job `c`. */
function timetable(v: string, extra = false): string {
  const task = (id: string, cron: string, text: string) =>
    `  - meta: { id: ${id}, name: ${id}, description: "", enabled: true }\n    on: { schedule: [ { cron: "${cron}" } ] }\n    steps:\n      - { name: p, uses: python-entrypoint, run: "builtins:print", args: ["${text}"] }\n`;
  return `meta: { type: supertask-timetable, version: 1 }\ntasks:\n${task("a", "* * * * * *", v)}${task("b", "*/2 * * * * *", "b")}${extra ? task("c", "* * * * * *", "c") : ""}`;
}

function write(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o644);
}

async function ran(o: Owned, d: Daemon, v: string, after = 0): Promise<void> {
  await waitRecords(o.root, `job a printing ${v}`, (rs) => rs.some((r) => r.svc === "seed" && r.rid === "task#a" && r.outputHead === `${v}\n` && (r.startedAt ?? 0) > after), 15_000, d);
}

test("node.conf [node] seed (relative to the etc dir) and seed_from: a crontab seed, planned like a service's tasks", async (t) => {
  const o = setup(t);
  o.root.writeConf("node", "[node]\nseed = jobs.tab\nseed_from = crontab\n");
  write(o.root.path("etc", "jobs.tab"), "CRON_TZ=UTC\n17 3 * * * echo nightly\n@reboot echo no\n");
  const d = startDaemon(o);
  const refused = await d.waitEvent("the seed refused", (e) => e.event === "seed-invalid");
  assert.match(refused.message, /jobs\.tab:3: error: @reboot has no equivalent/);
  write(o.root.path("etc", "jobs.tab"), "CRON_TZ=UTC\n17 3 * * * echo nightly\n");
  await d.waitEvent("the seed applied", (e) => e.event === "seed-applied" && /as service jobs\.tab: 1 added/.test(e.message));
  const planned = await d.waitEvent("the job planned", (e) => e.event === "planned" && e.svc === "jobs.tab");
  assert.match(planned.message, /T03:17:00\.000Z/);
});

describe("daemon --seed", { concurrency: true, skip: skipUnless(hasPython, "python3 runs the seed's steps") }, () => {
  after(() => killAllDaemons());

  test("every save pattern is applied, only the difference, and a bad version never drops a job", async (t) => {
    const o = setup(t);
    const file = o.root.path("seed.yaml");
    write(file, timetable("v1"));
    const d = startDaemon(o, ["--seed", file]);
    await ran(o, d, "v1");
    await d.waitEvent("the seed applied", (e) => e.event === "seed-applied" && /2 added/.test(e.message));

    write(file, timetable("v2")); // in place
    await ran(o, d, "v2");
    const reload = await d.waitEvent("a reload of the seed", (e) => e.event === "reloaded" && e.svc === "seed");
    assert.match(reload.message, /added=0 changed=1 removed=0 unchanged=1$/, "job a changed; job b keeps its schedule state");

    write(`${file}.tmp`, timetable("v3")); // rename over
    renameSync(`${file}.tmp`, file);
    await ran(o, d, "v3");

    unlinkSync(file); // delete + create
    await new Promise((r) => setTimeout(r, 800));
    write(file, timetable("v4", true));
    await ran(o, d, "v4");
    await waitRecords(o.root, "new job c", (rs) => rs.some((r) => r.svc === "seed" && r.rid === "task#c"), 10_000, d);

    for (const bad of [timetable("v5").slice(0, 120), "", "tasks: []\n", timetable("v5").replace("builtins:print", "builtins print")]) {
      const at = Date.now();
      write(file, bad);
      await d.waitEvent(`the seed refused (${JSON.stringify(bad.slice(0, 20))})`, (e) => e.event === "seed-invalid" && Date.parse(e.time) >= at - 50);
      await ran(o, d, "v4", Date.now() + 500); // still the last good version, after the refusal
      assert.ok(records(o.root).some((r) => r.rid === "task#c" && (r.startedAt ?? 0) > at), "job c still runs");
    }
    assert.equal(d.find("seed-invalid").length, 4);
    assert.ok(d.find("seed-unreadable").length <= 1);

    write(file, timetable("v6")); // valid again: c goes, a changes
    await ran(o, d, "v6");
    await d.waitEvent("c removed", (e) => e.event === "seed-applied" && /task#c removed/.test(e.message));
  });
});
