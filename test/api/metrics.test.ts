import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TaskMetrics, type RunEnd } from "../../src/api/metrics/task-metrics.js";
import { escapeLabelValue, labelPairs, renderFamilies, sampleLine } from "../../src/api/metrics/exposition.js";
import { Histogram } from "../../src/api/metrics/histogram.js";
import { checkMetrics, samples, skipUnlessPromtool } from "../helpers/prometheus.js";

const T0 = Date.parse("2026-07-01T00:00:00Z");
const all = { covers: () => true, nextRuns: [] };

/** The samples that differ between two renders (new ones included). */
function changed(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].filter(([k, v]) => before.get(k) !== v));
}

const run = (over: Partial<RunEnd> = {}): RunEnd => ({ svc: "db", rid: "task#0", trigger: "schedule", status: "succeeded", startedAt: T0, endedAt: T0 + 1500, ...over });

describe("metrics registry and exposition", () => {
  test("label values are escaped (backslash, quote, line feed); HELP and TYPE precede each family", () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const text = renderFamilies([{ name: "x_total", help: "line\none", type: "counter", lines: sampleLine("x_total", labelPairs({ svc: 'we"ird\n' }), 2) }]);
    assert.equal(text, '# HELP x_total line\\none\n# TYPE x_total counter\nx_total{svc="we\\"ird\\n"} 2\n');
  });

  test("a histogram is cumulative, ends with +Inf, and sums what it saw", () => {
    const h = new Histogram([1, 5]);
    for (const v of [0.5, 1, 3, 9]) h.observe(v);
    assert.equal(h.lines("h", 'svc="a"'), 'h_bucket{svc="a",le="1"} 2\nh_bucket{svc="a",le="5"} 3\nh_bucket{svc="a",le="+Inf"} 4\nh_sum{svc="a"} 13.5\nh_count{svc="a"} 4\n');
  });

  test("each ended run increments exactly one series of svcmgr_task_runs_total, by exactly one", () => {
    const m = new TaskMetrics("1.2.3");
    m.setTasks([{ svc: "db", rid: "task#0" }, { svc: "web", rid: "task#1" }]);
    const ends: Array<[RunEnd, boolean]> = [
      [run(), true], [run({ status: "failed" }), true], [run({ trigger: "api" }), true], [run({ svc: "web", rid: "task#1", status: "timed_out" }), true],
      [run({ status: "skipped" }), false], [run(), true], [run({ trigger: "api", status: "aborted" }), false],
    ];
    for (const [end, ran] of ends) {
      if (ran) m.began(end);
      const before = samples(m.render(all));
      m.ended(end, ran);
      const counters = [...changed(before, samples(m.render(all)))].filter(([k]) => k.startsWith("svcmgr_task_runs_total"));
      assert.equal(counters.length, 1, `one series moved for ${JSON.stringify(end)}`);
      const [key, value] = counters[0]!;
      assert.equal(value - (before.get(key) ?? 0), 1);
      assert.equal(key, `svcmgr_task_runs_total{svc="${end.svc}",rid="${end.rid}",trigger="${end.trigger}",status="${end.status}"}`);
    }
    const s = samples(m.render(all));
    assert.equal(s.get('svcmgr_task_runs_total{svc="db",rid="task#0",trigger="schedule",status="succeeded"}'), 2);
    assert.equal(s.get('svcmgr_task_run_duration_seconds_count{svc="db",rid="task#0"}'), 4, "runs that ran: their duration counts");
    assert.equal(s.get('svcmgr_task_run_duration_seconds_sum{svc="db",rid="task#0"}'), 6);
    assert.equal(s.get('svcmgr_task_run_duration_seconds_bucket{svc="db",rid="task#0",le="1"}'), 0);
    assert.equal(s.get('svcmgr_task_run_duration_seconds_bucket{svc="db",rid="task#0",le="5"}'), 4);
    assert.equal(s.get('svcmgr_task_running{svc="db",rid="task#0"}'), 0);
    assert.equal(s.get('svcmgr_task_last_success_timestamp_seconds{svc="db",rid="task#0"}'), (T0 + 1500) / 1000);
    assert.equal(s.get('svcmgr_task_last_failure_timestamp_seconds{svc="db",rid="task#0"}'), (T0 + 1500) / 1000);
    assert.equal(s.get('svcmgr_task_last_success_timestamp_seconds{svc="web",rid="task#1"}'), undefined, "never succeeded: no sample");
    assert.equal(s.get('svcmgr_build_info{version="1.2.3"}'), 1);
  });

  test("gauges: running while begun, start delay of scheduled first attempts, next run, last outcomes read from the history kept unless older", () => {
    const m = new TaskMetrics("1.2.3");
    m.setTasks([{ svc: "db", rid: "task#0" }]);
    m.began({ svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: T0, startedAt: T0 + 40 });
    m.began({ svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: T0, retryOf: 7, startedAt: T0 + 60_000 });
    m.began({ svc: "db", rid: "task#0", trigger: "api", startedAt: T0 });
    let s = samples(m.render({ covers: () => true, nextRuns: [{ svc: "db", rid: "task#0", nextWake: new Date(T0 + 3_600_000) }, { svc: "gone", rid: "task#0", nextWake: new Date(T0) }] }));
    assert.equal(s.get('svcmgr_task_running{svc="db",rid="task#0"}'), 3);
    assert.equal(s.get('svcmgr_task_start_delay_seconds_count{svc="db",rid="task#0"}'), 1, "retries and API runs have no slot delay");
    assert.equal(s.get('svcmgr_task_start_delay_seconds_bucket{svc="db",rid="task#0",le="0.05"}'), 1);
    assert.equal(s.get('svcmgr_task_start_delay_seconds_bucket{svc="db",rid="task#0",le="0.01"}'), 0);
    assert.equal(s.get('svcmgr_task_next_run_timestamp_seconds{svc="db",rid="task#0"}'), (T0 + 3_600_000) / 1000);
    assert.equal([...s.keys()].some((k) => k.includes('svc="gone"')), false, "no series for a task outside the configuration");
    m.ended(run({ trigger: "api", endedAt: T0 + 5000 }), true);
    m.lastOutcomes("db", "task#0", T0 + 1000, T0 - 1000);
    s = samples(m.render(all));
    assert.equal(s.get('svcmgr_task_running{svc="db",rid="task#0"}'), 2);
    assert.equal(s.get('svcmgr_task_last_success_timestamp_seconds{svc="db",rid="task#0"}'), (T0 + 5000) / 1000, "the later one stays");
    assert.equal(s.get('svcmgr_task_last_failure_timestamp_seconds{svc="db",rid="task#0"}'), (T0 - 1000) / 1000);
  });

  test("missed slots and clock jumps: counted by their counts and kinds; every kind shown from 0", () => {
    const m = new TaskMetrics("1.2.3");
    m.setTasks([{ svc: "db", rid: "task#0" }]);
    let s = samples(m.render(all));
    assert.equal(s.get('svcmgr_task_slots_missed_total{svc="db",rid="task#0"}'), 0);
    for (const kind of ["late", "jump-forward", "jump-backward"]) assert.equal(s.get(`svcmgr_daemon_clock_jumps_total{kind="${kind}"}`), 0);
    m.missed("db", "task#0", 1);
    m.missed("db", "task#0", 250);
    m.clockJump("jump-forward");
    m.clockJump("on-time");
    s = samples(m.render(all));
    assert.equal(s.get('svcmgr_task_slots_missed_total{svc="db",rid="task#0"}'), 251);
    assert.equal(s.get('svcmgr_daemon_clock_jumps_total{kind="jump-forward"}'), 1);
    assert.equal([...s.keys()].filter((k) => k.startsWith("svcmgr_daemon_clock_jumps_total")).length, 3);
  });

  test("label sets are bounded: a task that leaves the configuration takes its series; nothing is kept for it afterwards", () => {
    const m = new TaskMetrics("1.2.3");
    m.ended(run({ svc: "old", status: "interrupted" }), false); // recovered at start, before the configuration is known
    assert.match(m.render(all), /svc="old"/);
    m.setTasks([{ svc: "db", rid: "task#0" }]);
    for (let i = 0; i < 1000; i++) m.ended(run({ svc: "old", endedAt: T0 + i }), false);
    m.missed("old", "task#0", 3);
    const text = m.render(all);
    assert.doesNotMatch(text, /svc="old"/);
    const series = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    assert.ok(series.length < 10, `${series.length} series`);
  });

  test("a key's services: only the series of the services it covers", () => {
    const m = new TaskMetrics("1.2.3");
    m.setTasks([{ svc: "db", rid: "task#0" }, { svc: "web", rid: "task#0" }]);
    const text = m.render({ covers: (svc) => svc === "web", nextRuns: [] });
    assert.match(text, /svc="web"/);
    assert.doesNotMatch(text, /svc="db"/);
    assert.match(text, /svcmgr_build_info/);
  });

  test("promtool check metrics accepts the exposition (every family, odd label values)", { skip: skipUnlessPromtool() }, () => {
    const m = new TaskMetrics("1.2.3");
    const svc = 'prod/we"ird\\svc';
    m.setTasks([{ svc, rid: "task#0" }, { svc: "db", rid: "task#1" }]);
    m.began({ svc, rid: "task#0", trigger: "schedule", scheduledFor: T0, startedAt: T0 + 5 });
    m.ended(run({ svc, endedAt: T0 + 250 }), true);
    m.ended(run({ svc, status: "failed" }), false);
    m.missed("db", "task#1", 2);
    m.clockJump("late");
    const text = m.render({ covers: () => true, nextRuns: [{ svc, rid: "task#0", nextWake: new Date(T0 + 60_000) }] });
    const r = checkMetrics(text);
    assert.equal(r.status, 0, `${r.output}\n${text}`);
    assert.equal(r.output.trim(), "");
  });
});

test("failing(svc): the tasks whose last run failed, from the last outcomes (no history read)", () => {
  const m = new TaskMetrics("1.0.0");
  m.setTasks([{ svc: "db", rid: "task#0" }, { svc: "db", rid: "task#1" }, { svc: "db", rid: "task#2" }, { svc: "web", rid: "task#0" }]);
  const end = (svc: string, rid: string, status: "succeeded" | "failed" | "timed_out", endedAt: number) =>
    m.ended({ svc, rid, trigger: "schedule", status, startedAt: endedAt - 10, endedAt }, false);
  end("db", "task#0", "failed", 100);
  end("db", "task#1", "failed", 100);
  end("db", "task#1", "succeeded", 200);
  end("db", "task#2", "timed_out", 300);
  end("web", "task#0", "failed", 100);
  assert.equal(m.failing("db"), 2, "task#0 failed last, task#1 recovered, task#2 timed out");
  assert.equal(m.failing("web"), 1);
  assert.equal(m.failing("none"), 0);
});
