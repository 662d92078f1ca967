import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { collect, makeRoot, rootPerSuite, spawnCli, waitFor } from "./helpers.js";

/**
 * Issue 13, "Views that agree with what will happen": print schedule, print status and
 * print history say what the daemon will do, what is running, and in which time zone.
 */
interface ScheduleRow {
  rid: string;
  lastScheduled: string | null;
  lastRun: string | null;
  lastRunTrigger: string | null;
  nextRun: string | null;
  overdueSlot: string | null;
  timezone: string;
  displayTimezone: string;
  notScheduled: string | null;
  daemonRunning: boolean;
}

const HOUR = 3_600_000;

describe("views", { concurrency: 4 }, () => {
  const suite = rootPerSuite("view");

  async function schedule(name: string, env: Record<string, string> = {}): Promise<ScheduleRow[]> {
    const r = await suite.root.run(["-s", name, "print", "schedule", "--format", "json"], { env });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as ScheduleRow[];
  }

  test("print schedule: the last scheduled run and the last run of any kind apart; the next run follows the scheduled one, not a manual run", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo hi\nschedule = @1h\n");
    const now = Date.now();
    const store = openHistory(join(suite.root.dir, "var", "history.sqlite"));
    try {
      const slot = now - 20 * 60_000;
      store.record({ svc: name, rid: "task#0", trigger: "schedule", scheduledFor: slot, startedAt: slot, status: "succeeded", endedAt: slot + 100, exitCode: 0 });
    } finally {
      store.close();
    }
    const manual = await suite.root.runTasks(name);
    assert.equal(manual.status, 0, manual.stderr);
    const [row] = await schedule(name);
    assert.equal(Date.parse(row!.lastScheduled!), Math.floor((now - 20 * 60_000) / 1000) * 1000);
    assert.equal(row!.lastRunTrigger, "manual");
    assert.ok(Date.parse(row!.lastRun!) >= now - 1000, `the manual run is the last run: ${row!.lastRun}`);
    const next = Date.parse(row!.nextRun!);
    assert.ok(Math.abs(next - (now - 20 * 60_000 + HOUR)) < 2000, `next run one hour after the scheduled run, not after the manual one: ${row!.nextRun}`);
    assert.equal(row!.overdueSlot, null);
    assert.equal(row!.daemonRunning, false);
    const text = await suite.root.run(["-s", name, "print", "schedule"]);
    assert.match(text.stdout, /\(manual\)/);
    assert.match(text.stdout, /once a daemon runs \(none is running\)/);
  });

  test("print schedule: a service whose nodes exclude this node is not scheduled here, and says why", async () => {
    const { name } = suite.service("[DEFAULT]\nnodes = elsewhere1 elsewhere2\n[task#0]\ncommand = echo hi\nschedule = @1h\n");
    const [row] = await schedule(name);
    assert.equal(row!.nextRun, null);
    assert.match(row!.notScheduled ?? "", /^not scheduled here: this node \(\S+\) is not in DEFAULT\.nodes \(elsewhere1 elsewhere2\) nor DEFAULT\.drpnodes/);
    const text = await suite.root.run(["-s", name, "print", "schedule"]);
    assert.match(text.stdout, /never: not scheduled here/);
  });

  test("print schedule: a task whose user does not exist here is not scheduled here; its sibling is", async () => {
    const { name } = suite.service(`[task#0]\ncommand = echo hi\nschedule = @1h\nuser = nosuch${process.pid}z\n[task#1]\ncommand = echo ok\nschedule = @1h\n`);
    const rows = await schedule(name);
    assert.match(rows[0]!.notScheduled ?? "", /not scheduled here: .*user "nosuch\d+z" does not exist on this node/);
    assert.equal(rows[1]!.notScheduled, null);
    assert.notEqual(rows[1]!.nextRun, null);
  });

  test("print schedule and print history show times in one zone, named, with its offset", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo hi\nschedule = 0 9 * * *\ntimezone = America/New_York\n");
    const env = { TZ: "Asia/Tokyo" };
    assert.equal((await suite.root.runTasks(name, [], { env })).status, 0);
    const [row] = await schedule(name, env);
    assert.equal(row!.timezone, "America/New_York", "the zone the schedule is read in");
    assert.equal(row!.displayTimezone, "Asia/Tokyo");
    assert.match(row!.nextRun!, /\+09:00$/);
    assert.match(row!.lastRun!, /\+09:00$/);
    const sched = await suite.root.run(["-s", name, "print", "schedule"], { env });
    assert.match(sched.stdout, /LAST RUN \(Asia\/Tokyo\)\s+NEXT RUN \(Asia\/Tokyo\)/);
    const hist = await suite.root.run(["-s", name, "print", "history"], { env });
    assert.match(hist.stdout, /SLOT \(Asia\/Tokyo\)\s+STARTED \(Asia\/Tokyo\)/);
    assert.match(hist.stdout, /\+09:00/);
  });
});

test("print status: while a run goes on, a refused overlapping attempt does not hide it", async (t) => {
  const root = makeRoot(t);
  const release = join(root.dir, "release");
  root.writeConf("busy", `[task#0]\ncommand = sh -c 'while [ ! -e ${release} ]; do sleep 0.1; done; echo done'\ntimeout = 60\n`);
  const first = spawnCli(["--root", root.dir, "-s", "busy", "run"]);
  const firstDone = collect(first, { timeoutMs: 60_000 });
  try {
    await waitFor("the first run's record", () => root.history("busy").some((r) => r.status === "running"), 20_000);
    const refused = await root.runTasks("busy");
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    const running = root.history("busy").find((r) => r.status === "running")!;
    const json = await root.run(["-s", "busy", "print", "status", "--format", "json"]);
    const task = (JSON.parse(json.stdout) as { resources: Array<{ rid: string; runningRuns: Array<{ id: number }> }> }).resources.find((x) => x.rid === "task#0")!;
    assert.deepEqual(task.runningRuns.map((r) => r.id), [running.id]);
    const text = await root.run(["-s", "busy", "print", "status"]);
    assert.match(text.stdout, new RegExp(`task#0 .* running #${running.id} since `), text.stdout);
    assert.doesNotMatch(text.stdout, /last run/);
  } finally {
    writeFileSync(release, "");
  }
  const r1 = await firstDone;
  assert.equal(r1.status, 0, r1.stderr);
  assert.ok(existsSync(release));
  const after = await root.run(["-s", "busy", "print", "status"]);
  assert.match(after.stdout, new RegExp(`last run #${root.history("busy").find((r) => r.status === "succeeded")!.id} .* manual succeeded`), "the run that ended last, not the refused attempt");
});
