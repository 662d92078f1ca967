/**
 * A full var filesystem (a real tmpfs, filled) while the daemon runs: no slot is lost and the
 * log says only what happened; the decisions are written once space is back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hasStackTrace, makeRoot } from "./helpers.js";
import { Daemon, killAllDaemons, records, waitRecords, type LogEvent } from "./daemon-harness.js";
import { skipUnlessRoot } from "../helpers/require-all.js";
import { mountTmpfs } from "../helpers/tmpfs.js";

test("full var filesystem: slots not run are recorded missed with the reason once space is back; no 'started' for them", { skip: skipUnlessRoot("mounts a tmpfs") }, async (t) => {
  const root = makeRoot();
  const fs = mountTmpfs(root.path("var"), 4 << 20);
  t.after(async () => {
    await killAllDaemons();
    fs.unmount();
    root.cleanup();
  });
  root.writeConf("s", "[task#0]\ncommand = echo tick\nschedule = @1s\n");
  const d = Daemon.start(root);
  await waitRecords(root, "2 runs", (rs) => rs.filter((x) => x.status === "succeeded").length >= 2, 20_000, d);
  fs.fill();
  const fullAt = Date.now();
  // With the native addon the run slot is a flock (nothing written) and the record is what fails;
  // without it the slot's lock file cannot be created first, and the slot is not run for that.
  const notRun = (e: LogEvent): boolean =>
    (e.event === "missed" && e.reason === "unrecorded") || /^not-run .*ENOSPC/.test(e.message);
  await d.waitEvent("a slot not run for the full disk", notRun, 20_000);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(d.exit, null, d.tail());
  fs.free();
  const freedAt = Date.now();
  if (d.events.some((e) => /cannot write the history/.test(e.message))) await d.waitEvent("history writable again", (e) => e.event === "history-writable", 20_000);
  await waitRecords(root, "a run after space is back", (rs) => rs.some((x) => x.status === "succeeded" && x.startedAt > freedAt), 20_000, d);
  assert.equal((await d.stop()).code, 0, d.tail());
  assert.equal(hasStackTrace(d.stderr), false, d.stderr);

  const recs = records(root);
  const unrecorded = d.events.filter(notRun);
  assert.ok(unrecorded.length >= 2, d.tail());
  for (const e of unrecorded) {
    const rec = recs.find((x) => x.scheduledFor === Date.parse(e.slot!));
    assert.ok(rec, `slot ${e.slot} has a record: ${JSON.stringify(recs.map((x) => [new Date(x.scheduledFor!).toISOString(), x.status, x.reason]))}`);
    if (e.event === "missed") {
      assert.equal(rec.status, "missed");
      assert.match(rec.reason!, /^not run: its record could not be written \(.*(full|space).*\)$/);
    } else {
      assert.ok(rec.status !== "succeeded" && rec.status !== "running", `${rec.status}: ${rec.reason}`);
      assert.match(rec.reason!, /ENOSPC/);
    }
    assert.equal(d.find("started").filter((s) => s.slot === e.slot).length, 0, `no started line for ${e.slot}, which never started`);
  }
  assert.equal(d.events.filter((e) => e.event === "finished" && /failed/.test(e.message)).length, 0, "no run is said to have finished that never started");
  // Every slot from the first to the last is recorded once: none lost while the disk was full.
  const slots = recs.map((x) => x.scheduledFor!).sort((a, b) => a - b);
  for (let i = 1; i < slots.length; i++) assert.equal(slots[i]! - slots[i - 1]!, 1000, `slots ${new Date(slots[i - 1]!).toISOString()} → ${new Date(slots[i]!).toISOString()}`);
  t.diagnostic(`full for ${freedAt - fullAt} ms: ${unrecorded.length} slot(s) recorded missed afterwards`);
});
