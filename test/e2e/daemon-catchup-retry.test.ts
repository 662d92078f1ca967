import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { count, killAllDaemons, marked, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";

/** The real daemon: `catchup = all` runs missed slots one after another; `retry` tries failed and interrupted slots again. */
const iso = (ms: number | null): string => (ms === null ? "null" : new Date(ms).toISOString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("daemon catch-up and retries", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("catchup = all: the slots missed while the daemon was down run one after another, in order, none skipped", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("all", "[task#1]\ncommand = sleep 0.4\nschedule = */2 * * * * *\ncatchup = all\nmax_parallel = 1\n");
    const d1 = startDaemon(o);
    await waitRecords(r, "a first run", (rs) => count(rs, (x) => x.status === "succeeded") >= 1, 15_000, d1);
    await d1.stop();
    const stoppedAfter = Math.max(...records(r).map((x) => x.scheduledFor!));
    await sleep(9000); // four slots pass (the stop may have cut one more, recorded aborted): at least three are caught up
    const d2 = startDaemon(o);
    await waitRecords(r, "the missed slots and two more", (rs) => count(rs, (x) => x.scheduledFor! > stoppedAfter && x.status === "succeeded") >= 6, 30_000, d2);
    await d2.stop();
    const since = records(r).filter((x) => x.scheduledFor! > stoppedAfter && x.status !== "aborted" && !/daemon stopped/.test(x.reason ?? "")).sort((a, b) => a.scheduledFor! - b.scheduledFor!);
    const show = since.map((x) => `${iso(x.scheduledFor)} ${x.status} ${x.reason ?? ""}`).join("\n");
    assert.deepEqual(since.map((x) => x.scheduledFor! - since[0]!.scheduledFor!), since.map((_, i) => i * 2000), `one record per slot:\n${show}`);
    assert.ok(since.every((x) => x.status === "succeeded"), `none skipped or missed:\n${show}`);
    const catchups = d2.find("started").filter((e) => e.message.includes("catchup"));
    assert.ok(catchups.length >= 3, `${catchups.length} catch-up runs`);
    for (let i = 1; i < since.length; i++) {
      assert.ok(since[i]!.startedAt >= since[i - 1]!.endedAt!, `${iso(since[i]!.scheduledFor)} started before ${iso(since[i - 1]!.scheduledFor)} ended`);
    }
  });

  test("retry: a failed slot is tried again after retry_delay, each attempt recorded and linked to its slot", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("flaky", `[task#1]\ncommand = sh -c 'n=$(cat ${r.path("n")} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${r.path("n")}; echo attempt $n; [ $n -ge 3 ]'\nschedule = @1h\nretry = 3\nretry_delay = 1s\n`);
    const d = startDaemon(o);
    const recs = await waitRecords(r, "a success after two failures", (rs) => rs.some((x) => x.status === "succeeded"), 20_000, d);
    await d.stop();
    const [a1, a2, a3] = recs;
    assert.equal(recs.length, 3, recs.map((x) => `${x.attempt} ${x.status}`).join(", "));
    assert.deepEqual(recs.map((x) => [x.scheduledFor, x.attempt, x.status]), [[a1!.scheduledFor, 1, "failed"], [a1!.scheduledFor, 2, "failed"], [a1!.scheduledFor, 3, "succeeded"]]);
    assert.deepEqual(recs.map((x) => x.retryOf), [null, a1!.id, a2!.id]);
    assert.equal(a3!.outputHead, "attempt 3\n");
    assert.ok(a2!.startedAt - a1!.endedAt! >= 1000, "retry_delay waited");
    assert.equal(d.find("retry-planned").length, 2);
    const shown = await r.run(["-s", "flaky", "print", "run", String(a2!.id)]);
    assert.match(shown.stdout, new RegExp(`attempt +2 \\(retry of run ${a1!.id}\\)`));
  });

  test("retry: a slot aborted by a daemon stop is tried again when the daemon starts again", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m = marked(o);
    r.writeConf("cut", `[task#1]\ncommand = sh -c 'if [ -f ${r.path("once")} ]; then echo again; else touch ${r.path("once")}; sleep 30 ${m}; fi'\nschedule = @1h\nretry = 1\nretry_delay = 0s\n`);
    const d1 = startDaemon(o, ["--grace", "500ms"]);
    await waitRecords(r, "the run started", (rs) => rs.some((x) => x.status === "running"), 15_000, d1);
    await d1.stop();
    const aborted = records(r);
    assert.deepEqual(aborted.map((x) => x.status), ["aborted"]);
    const d2 = startDaemon(o);
    const recs = await waitRecords(r, "the retry", (rs) => rs.some((x) => x.status === "succeeded"), 15_000, d2);
    await d2.stop();
    assert.deepEqual(recs.map((x) => [x.status, x.attempt, x.retryOf, x.scheduledFor]), [
      ["aborted", 1, null, aborted[0]!.scheduledFor],
      ["succeeded", 2, aborted[0]!.id, aborted[0]!.scheduledFor],
    ]);
    assert.equal(recs[1]!.outputHead, "again\n");
  });
});
