import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIni } from "../../src/config/ini.js";

const parse = (text: string) => parseIni(text, "etc/db.conf");

test("sections and entries keep their line numbers", () => {
  const { doc, alerts } = parse("[DEFAULT]\nnodes = a b\n\n[task#0]\ncommand = /bin/true\n");
  assert.deepEqual(alerts, []);
  assert.deepEqual(doc.sections.map((s) => [s.name, s.line]), [["DEFAULT", 1], ["task#0", 4]]);
  assert.deepEqual(doc.sections[1]!.entries[0], { key: "command", value: "/bin/true", line: 5, endLine: 5 });
});

test("# and ; inside a value are kept (no inline comments); full-line comments are skipped", () => {
  const { doc } = parse("[task#0]\n# a comment\n; another\ncommand = psql -c 'VACUUM ANALYZE;' # x\n");
  assert.equal(doc.sections[0]!.entries[0]!.value, "psql -c 'VACUUM ANALYZE;' # x");
});

test("both delimiters, case-sensitive keys, no interpolation", () => {
  const { doc } = parse("[task#0]\nCommand : echo 100%\ncommand = echo %(x)s\n");
  assert.deepEqual(doc.sections[0]!.entries.map((e) => [e.key, e.value]), [["Command", "echo 100%"], ["command", "echo %(x)s"]]);
});

test("indented continuation lines join with newlines, inner empty lines kept, trailing dropped", () => {
  const { doc } = parse("[task#0]\ncommand = sh -c '\n  echo a\n\n  echo b'\n\n\ntags = x\n");
  const [cmd, tags] = doc.sections[0]!.entries;
  assert.equal(cmd!.value, "sh -c '\necho a\n\necho b'");
  assert.equal(cmd!.endLine, 5);
  assert.equal(tags!.value, "x");
});

test("CRLF line endings", () => {
  assert.equal(parse("[task#0]\r\ncommand = a\r\n").doc.sections[0]!.entries[0]!.value, "a");
});

test("unterminated section header, entry outside a section, unparsable line: all reported with lines", () => {
  const { alerts } = parse("orphan = 1\n[task#0\n[task#1]\nno delimiter here\n");
  assert.deepEqual(alerts.map((a) => [a.line, a.level]), [[1, "error"], [2, "error"], [4, "error"]]);
  assert.match(alerts[0]!.message, /outside any section/);
  assert.match(alerts[1]!.message, /unterminated section header "\[task#0"/);
  assert.match(alerts[2]!.message, /expected "key = value"/);
});

test("duplicate section and duplicate key name both lines", () => {
  const { alerts, doc } = parse("[task#0]\ncommand = a\ncommand = b\n  more\n[task#0]\ncommand = c\n");
  assert.equal(alerts.length, 2);
  assert.equal(alerts[0]!.line, 3);
  assert.match(alerts[0]!.message, /duplicate key "command": first set at line 2/);
  assert.equal(alerts[1]!.line, 5);
  assert.match(alerts[1]!.message, /duplicate section \[task#0\]: first defined at line 1/);
  assert.equal(doc.sections.length, 1);
  assert.equal(doc.sections[0]!.entries[0]!.value, "a");
});
