// spec/dst-vectors.json: nextRuns(now, n, last) in the vector's zone, instants in UTC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule } from "../../src/schedule/index.js";
import { loadSpec } from "./helpers.js";

interface DstVector {
  id: string;
  schedule: string;
  timezone: string;
  now: string;
  last: string | null;
  expected: string[];
}

const { vectors } = loadSpec<{ vectors: DstVector[] }>("dst-vectors.json");

for (const v of vectors) {
  test(`dst ${v.id} ${v.schedule} ${v.timezone}`, () => {
    const s = parseSchedule(v.schedule, { timezone: v.timezone });
    const runs = s.nextRuns(new Date(v.now), v.expected.length, v.last === null ? null : new Date(v.last));
    assert.deepEqual(
      runs.map((d) => d.toISOString()),
      v.expected.map((e) => new Date(e).toISOString()),
    );
  });
}
