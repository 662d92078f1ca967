import { test } from "node:test";
import assert from "node:assert/strict";
import { sseEvent, utf8Boundary } from "../../src/api/sse.js";

test("utf8Boundary: a chunk is cut before a character whose bytes are not all there", () => {
  const euro = Buffer.from("a€", "utf8"); // 61 e2 82 ac
  assert.equal(utf8Boundary(euro), 4, "complete");
  assert.equal(utf8Boundary(euro.subarray(0, 3)), 1, "two of three bytes: wait");
  assert.equal(utf8Boundary(euro.subarray(0, 2)), 1, "lead byte alone: wait");
  assert.equal(utf8Boundary(Buffer.from("abc")), 3);
  assert.equal(utf8Boundary(Buffer.alloc(0)), 0);
});

test("sseEvent: one data field per line (CR, LF, CRLF), the id when given", () => {
  assert.equal(sseEvent("output", "a\r\nb\rc\n", 7), "event: output\nid: 7\ndata: a\ndata: b\ndata: c\ndata: \n\n");
  assert.equal(sseEvent("end", "{}"), "event: end\ndata: {}\n\n");
});
