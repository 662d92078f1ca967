import { test } from "node:test";
import assert from "node:assert/strict";
import { AnswerCache } from "../../src/api/answer-cache.js";

/** A cache over a fake history: `token` is its change token, `made`/`reads` count queries and token reads. */
function fixture() {
  const h = { now: 1_000, token: "t1" as string | null, made: 0, reads: 0 };
  const cache = new AnswerCache(() => h.now, 250);
  const ask = (key = "k") => cache.answer(key, async () => (h.reads++, h.token), async () => `${key}:${h.token}:${++h.made}`);
  return { h, ask };
}

test("answer cache: served while the token stays, without reading it within the grace period", async () => {
  const { h, ask } = fixture();
  assert.equal(await ask(), "k:t1:1");
  h.now += 100;
  assert.equal(await ask(), "k:t1:1");
  assert.equal(h.reads, 1, "within 250 ms of being made, the token is not even read");
  h.now += 10_000;
  assert.equal(await ask(), "k:t1:1", "nothing written: served however old");
  assert.equal(h.reads, 2);
  h.now += 100;
  assert.equal(await ask(), "k:t1:1");
  assert.equal(h.reads, 2, "checked and found current 100 ms ago: not read again");
  assert.equal(await ask("other"), "other:t1:2", "another key is its own answer");
});

test("answer cache: after a write, an answer is served for at most the grace period since it was known current", async () => {
  const { h, ask } = fixture();
  assert.equal(await ask(), "k:t1:1");
  h.token = "t2";
  h.now += 100;
  assert.equal(await ask(), "k:t1:1", "written since, but known current 100 ms ago: served");
  h.now += 150;
  assert.equal(await ask(), "k:t2:2", "250 ms since it was known current and written since: made again");
  h.now += 10_000;
  h.token = "t3";
  assert.equal(await ask(), "k:t3:3");
});

test("answer cache: a store without a token is never cached", async () => {
  const { h, ask } = fixture();
  h.token = null;
  assert.equal(await ask(), "k:null:1");
  assert.equal(await ask(), "k:null:2");
});

test("answer cache: the token is read before the answer is made (a write while making it is seen next time)", async () => {
  const { h } = fixture();
  const cache = new AnswerCache(() => h.now, 250);
  const order: string[] = [];
  await cache.answer("k", async () => (order.push("token"), "t1"), async () => (order.push("make"), "A"));
  assert.deepEqual(order, ["token", "make"]);
});
