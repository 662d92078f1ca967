import { test } from "node:test";
import assert from "node:assert/strict";
import { AnswerCache } from "../../src/api/answer-cache.js";

test("answer cache: served while the token stays; after a write, for at most the grace period; never without a token", () => {
  let now = 1_000;
  const cache = new AnswerCache(() => now, 250);
  cache.set("k", "t1", "A");
  assert.equal(cache.get("k", "t1"), "A");
  now += 100;
  assert.equal(cache.get("k", "t2"), "A", "written since, but the answer is 100 ms old: served");
  now += 200;
  assert.equal(cache.get("k", "t2"), undefined, "300 ms old and written since: recomputed");
  now += 10_000;
  assert.equal(cache.get("k", "t1"), "A", "nothing written: served however old");
  cache.set("n", null, "B");
  assert.equal(cache.get("n", null), undefined, "a store without a token is never cached");
  assert.equal(cache.get("other", "t1"), undefined);
});
