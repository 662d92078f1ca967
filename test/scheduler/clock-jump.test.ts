import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyClockJump, timerDelay, MAX_TIMER_MS } from "../../src/scheduler/clock-jump.js";
import { WakeHeap } from "../../src/scheduler/heap.js";
import { REFERENCE } from "./time.js";

describe("classifyClockJump", () => {
  const rows: [string, number, string][] = [
    ["exact", 0, "on-time"],
    ["1 s late", 1_000, "on-time"],
    ["premature by 0.5 s", -500, "on-time"],
    ["5 s late (short suspend, busy loop)", 5_000, "late"],
    ["60 s late", 60_000, "late"],
    ["61 s late", 61_000, "jump-forward"],
    ["resume after 8 h", 8 * 3_600_000, "jump-forward"],
    ["premature by 2 s: wall clock stepped back", -2_000, "jump-backward"],
    ["DST-like 1 h step back", -3_600_000, "jump-backward"],
  ];
  for (const [name, delta, kind] of rows) {
    it(name, () => {
      const j = classifyClockJump(REFERENCE, REFERENCE + delta);
      assert.equal(j.kind, kind);
      assert.equal(j.deltaMs, delta);
    });
  }
});

describe("timerDelay", () => {
  it("caps at 30 s and never goes negative", () => {
    assert.equal(timerDelay(REFERENCE + 2 ** 40, REFERENCE), MAX_TIMER_MS);
    assert.equal(timerDelay(REFERENCE - 5, REFERENCE), 0);
    assert.equal(timerDelay(REFERENCE + 10, REFERENCE), 10);
  });
});

describe("WakeHeap", () => {
  it("pops by instant, then in insertion order", () => {
    const h = new WakeHeap();
    const ats = [5, 3, 9, 3, 1, 7, 3];
    ats.forEach((at, i) => h.push({ at, key: `k${i}`, gen: 0 }));
    const out: string[] = [];
    for (let e = h.pop(); e !== undefined; e = h.pop()) out.push(`${e.at}:${e.key}`);
    assert.deepEqual(out, ["1:k4", "3:k1", "3:k3", "3:k6", "5:k0", "7:k5", "9:k2"]);
  });
});
