import { test } from "node:test";
import assert from "node:assert/strict";
import { createLineSplitter, createOutputSplitter, utf8Boundary } from "../../src/run/line-splitter.js";

const b = (s: string) => Buffer.from(s, "utf8");
const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

test("complete lines, partial lines across chunks, final line on flush", () => {
  const s = createLineSplitter();
  assert.deepEqual(texts(s.push(b("one\ntw"))), ["one"]);
  assert.deepEqual(texts(s.push(b("o\nthr"))), ["two"]);
  assert.deepEqual(texts(s.push(b("ee"))), []);
  assert.deepEqual(s.flush(), [{ text: "three", cut: false }]);
  assert.deepEqual(s.flush(), []);
});

test("CRLF is a line end; empty lines are kept", () => {
  const s = createLineSplitter();
  assert.deepEqual(texts(s.push(b("a\r\n\r\nb\n\n"))), ["a", "", "b", ""]);
  assert.deepEqual(texts(s.push(b("c\r"))), []);
  assert.deepEqual(texts(s.push(b("\nd\re\n"))), ["c", "d\re"]);
});

test("chunk boundaries never change the lines, even inside a UTF-8 sequence", () => {
  const input = b("héllo wörld\r\n→ ok\n€ tail");
  for (let size = 1; size <= 5; size += 1) {
    const s = createLineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < input.length; i += size) lines.push(...texts(s.push(input.subarray(i, i + size))));
    lines.push(...texts(s.flush()));
    assert.deepEqual(lines, ["héllo wörld", "→ ok", "€ tail"], `chunk size ${size}`);
  }
});

test("invalid UTF-8 decodes to U+FFFD without throwing", () => {
  const s = createLineSplitter();
  assert.deepEqual(texts(s.push(Buffer.from([0x61, 0xff, 0xc3, 0x0a, 0x62, 0x0a]))), ["a\uFFFD\uFFFD", "b"]);
});

test("long lines are cut at the cap, on a character boundary", () => {
  const s = createLineSplitter(8);
  const lines = [...s.push(b("abcdefghij")), ...s.push(b("k\n")), ...s.flush()];
  assert.deepEqual(lines, [
    { text: "abcdefgh", cut: true },
    { text: "ijk", cut: false },
  ]);
  const u = createLineSplitter(8);
  // "€" is 3 bytes: 6 ASCII + "€" would cross 8, so the cut happens before it.
  assert.deepEqual(u.push(b("abcdef€xy\n")), [
    { text: "abcdef", cut: true },
    { text: "€xy", cut: false },
  ]);
  const exact = createLineSplitter(8);
  assert.deepEqual(exact.push(b("12345678\n")), [{ text: "12345678", cut: false }]);
});

test("a huge line keeps memory bounded: 1 MiB in 64 KiB pieces", () => {
  const s = createLineSplitter();
  const lines = [...s.push(Buffer.alloc(1024 * 1024 + 10, 0x78)), ...s.flush()];
  assert.equal(lines.length, 17);
  assert.ok(lines.slice(0, 16).every((l) => l.cut && l.text.length === 65536));
  assert.deepEqual(lines[16], { text: "x".repeat(10), cut: false });
});

test("utf8Boundary backs up over continuation bytes only", () => {
  const buf = b("ab€");
  assert.equal(utf8Boundary(buf, 3), 2);
  assert.equal(utf8Boundary(buf, 2), 2);
  assert.equal(utf8Boundary(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), 5), 5);
});

test("stdout and stderr partial lines never mix", () => {
  const s = createOutputSplitter();
  assert.deepEqual(s.push("stdout", b("out-")), []);
  assert.deepEqual(s.push("stderr", b("err-1\nerr-")), [{ stream: "stderr", text: "err-1", cut: false }]);
  assert.deepEqual(s.push("stdout", b("1\n")), [{ stream: "stdout", text: "out-1", cut: false }]);
  assert.deepEqual(s.flush(), [{ stream: "stderr", text: "err-", cut: false }]);
});

test("the cap must leave room for a character", () => {
  assert.throws(() => createLineSplitter(3), /maxLineBytes must be an integer >= 4, got 3/);
});
