import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { OutputCapture, utf8PrefixEnd, utf8SuffixStart } from "../../src/run/output-capture.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const CHUNK = 64 * 1024;
const TOTAL = 10 * 1024 * 1024;

/** Byte i of the synthetic output: printable ASCII that differs from chunk to chunk. */
const byteAt = (i: number) => 33 + ((i * 7 + Math.floor(i / CHUNK)) % 90);

function expected(from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(byteAt(i));
  return s;
}

test("10 MB in 64 KiB chunks: exact head and tail, bytes counted, flat memory", () => {
  const cap = new OutputCapture();
  const chunk = Buffer.alloc(CHUNK); // refilled in place: the test itself allocates nothing more
  gc();
  const before = process.memoryUsage();
  for (let off = 0; off < TOTAL; off += CHUNK) {
    for (let j = 0; j < CHUNK; j++) chunk[j] = byteAt(off + j);
    cap.push(off % (3 * CHUNK) === 0 ? "stderr" : "stdout", chunk);
  }
  gc();
  const after = process.memoryUsage();
  const e = cap.excerpt();
  assert.equal(e.outputBytes, TOTAL);
  assert.equal(e.stderrBytes, Math.ceil(TOTAL / CHUNK / 3) * CHUNK);
  assert.equal(e.stdoutBytes + e.stderrBytes, TOTAL);
  assert.equal(e.truncated, true);
  assert.equal(e.outputHead, expected(0, 8192));
  assert.equal(e.outputTail, expected(TOTAL - 8192, TOTAL));
  const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  assert.ok(growth < 512 * 1024, `memory grew by ${growth} bytes`);
});

test("output that fits is returned whole, in order, as head", () => {
  const cap = new OutputCapture({ headBytes: 4, tailBytes: 4 });
  cap.push("stdout", Buffer.from("abc"));
  cap.push("stderr", Buffer.from("def"));
  cap.push("stdout", Buffer.from("gh"));
  assert.deepEqual(cap.excerpt(), { outputHead: "abcdefgh", outputTail: "", outputBytes: 8, stdoutBytes: 5, stderrBytes: 3, truncated: false });
  cap.push("stdout", Buffer.from("i"));
  assert.deepEqual(cap.excerpt(), { outputHead: "abcd", outputTail: "fghi", outputBytes: 9, stdoutBytes: 6, stderrBytes: 3, truncated: true });
});

test("the ring keeps the last bytes across wrap-arounds and oversized chunks", () => {
  const cap = new OutputCapture({ headBytes: 2, tailBytes: 5 });
  let all = "";
  for (const piece of ["ab", "cde", "f", "ghij", "klmnopqrstu", "v", "wx", "y", "z"]) {
    cap.push("stdout", Buffer.from(piece));
    all += piece;
    const e = cap.excerpt();
    if (all.length <= 7) assert.equal(e.outputHead, all);
    else assert.deepEqual([e.outputHead, e.outputTail], ["ab", all.slice(-5)], `after ${all}`);
  }
});

test("zero-sized head or tail", () => {
  const noTail = new OutputCapture({ headBytes: 3, tailBytes: 0 });
  noTail.push("stdout", Buffer.from("abcdef"));
  assert.deepEqual([noTail.excerpt().outputHead, noTail.excerpt().outputTail, noTail.truncated], ["abc", "", true]);
  const noHead = new OutputCapture({ headBytes: 0, tailBytes: 3 });
  noHead.push("stdout", Buffer.from("abcdef"));
  assert.deepEqual([noHead.excerpt().outputHead, noHead.excerpt().outputTail], ["", "def"]);
  assert.throws(() => new OutputCapture({ headBytes: -1 }), /headBytes must be a non-negative integer, got -1/);
});

// é = c3 a9 (2 bytes), € = e2 82 ac (3), 😀 = f0 9f 98 80 (4)
const cutCases: { name: string; text: string; head: number; tail: number; outputHead: string; outputTail: string }[] = [
  { name: "head cut inside a 2-byte char", text: "aé" + "x".repeat(10) + "zz", head: 2, tail: 2, outputHead: "a", outputTail: "zz" },
  { name: "head cut inside a 3-byte char", text: "a€" + "x".repeat(10), head: 3, tail: 2, outputHead: "a", outputTail: "xx" },
  { name: "head cut inside a 4-byte char", text: "😀😀" + "x".repeat(10), head: 7, tail: 1, outputHead: "😀", outputTail: "x" },
  { name: "head ends on a boundary", text: "é€" + "x".repeat(10), head: 5, tail: 1, outputHead: "é€", outputTail: "x" },
  { name: "tail starts inside a 4-byte char", text: "ab" + "x".repeat(10) + "😀c", head: 2, tail: 4, outputHead: "ab", outputTail: "c" },
  { name: "tail starts inside a 3-byte char", text: "ab" + "x".repeat(10) + "€c", head: 2, tail: 3, outputHead: "ab", outputTail: "c" },
  { name: "tail starts on a lead byte", text: "ab" + "x".repeat(10) + "€c", head: 2, tail: 4, outputHead: "ab", outputTail: "€c" },
  { name: "whole output split by head/tail mid-char", text: "a😀b", head: 3, tail: 3, outputHead: "a😀b", outputTail: "" },
];

for (const c of cutCases) {
  test(`UTF-8: ${c.name}`, () => {
    const cap = new OutputCapture({ headBytes: c.head, tailBytes: c.tail });
    for (const byte of Buffer.from(c.text)) cap.push("stdout", Buffer.of(byte)); // byte by byte: worst case
    const e = cap.excerpt();
    assert.deepEqual([e.outputHead, e.outputTail], [c.outputHead, c.outputTail]);
    assert.equal(e.outputBytes, Buffer.byteLength(c.text));
  });
}

test("UTF-8 helpers leave non-UTF-8 bytes alone", () => {
  assert.equal(utf8PrefixEnd(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80])), 5);
  assert.equal(utf8SuffixStart(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x41])), 0);
  assert.equal(utf8PrefixEnd(Buffer.alloc(0)), 0);
  assert.equal(utf8SuffixStart(Buffer.alloc(0)), 0);
  assert.equal(utf8SuffixStart(Buffer.from([0x98, 0x80])), 2);
});
