import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { whenAborted } from "../../src/platform/abort-listeners.js";

test("one signal, many callbacks: one listener on the signal; each live callback runs once, removed ones never", () => {
  const controller = new AbortController();
  const calls: number[] = [];
  const removers = Array.from({ length: 1000 }, (_, i) => whenAborted(controller.signal, () => calls.push(i)));
  assert.equal(getEventListeners(controller.signal, "abort").length, 1, "a single EventTarget listener");
  for (let i = 0; i < 1000; i += 2) removers[i]!();
  controller.abort();
  controller.abort(); // a second abort changes nothing
  assert.deepEqual(calls, Array.from({ length: 500 }, (_, k) => 2 * k + 1));
  removers[1]!(); // removing after the call is harmless
});

test("signals are independent", () => {
  const a = new AbortController();
  const b = new AbortController();
  const calls: string[] = [];
  whenAborted(a.signal, () => calls.push("a"));
  whenAborted(b.signal, () => calls.push("b"));
  b.abort();
  assert.deepEqual(calls, ["b"]);
  a.abort();
  assert.deepEqual(calls, ["b", "a"]);
});
