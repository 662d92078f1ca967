import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { planImport } from "../../src/import/plan.js";
import { editIni } from "../../src/config/ini-edit.js";
import { parseIni } from "../../src/config/ini.js";
import { escapeReferences, parseSegments } from "../../src/config/references.js";
import type { Job } from "../../src/import/job.js";

const job = (id: string, command: string, extra: Partial<Job> = {}): Job => ({ id, line: 3, schedule: "0 1 * * *", disabled: false, command, environment: [], notes: [], ...extra });
const plan = (existing: string | null, jobs: Job[], source = "/src/jobs.json") => {
  const p = planImport(existing, "etc/s.conf", jobs, source, ["header"]);
  assert.ok(p.ok, JSON.stringify(p));
  return p;
};

test("a new file: header, one section per job, the source line as the first comment", () => {
  const p = plan(null, [job("a", "echo a", { timezone: "UTC", disabled: true, environment: [["X", "1 2"]], description: "d" })]);
  assert.equal(p.text, "# header\n\n[task#a]\n# from /src/jobs.json:3\ncommand = echo a\nschedule = 0 1 * * *\ntimezone = UTC\nenvironment = 'X=1 2'\ndisable = true\ncomment = d\n");
  assert.deepEqual(p.changes, [{ rid: "task#a", action: "added", line: 3 }]);
});

test("importing the same jobs again changes nothing, byte for byte", () => {
  const first = plan(null, [job("a", "echo a"), job("b", "echo b")]);
  const second = plan(first.text, [job("a", "echo a"), job("b", "echo b")]);
  assert.equal(second.text, first.text);
  assert.deepEqual(second.changes.map((c) => c.action), ["unchanged", "unchanged"]);
});

test("hand-written sections, comments and DEFAULT keys are kept; only this source's sections change or go", () => {
  const mine = "# my service\n[DEFAULT]\nnodes = *\n\n# my own task\n[task#mine]\ncommand = true\n";
  const first = plan(mine, [job("a", "echo a"), job("b", "echo b")]);
  assert.ok(first.text.startsWith(mine));
  const other = plan(first.text, [job("z", "echo z")], "/other/file");
  const next = plan(other.text, [job("a", "echo A")]);
  assert.deepEqual(next.changes.map((c) => [c.rid, c.action]), [["task#a", "updated"], ["task#b", "removed"]]);
  assert.ok(next.text.startsWith(mine));
  assert.match(next.text, /\[task#z\]\n# from \/other\/file:3/, "another source's section stays");
  assert.match(next.text, /command = echo A/);
  assert.doesNotMatch(next.text, /task#b/);
  assert.deepEqual(parseIni(next.text, "x").alerts, []);
});

test("a section of the same name that was not imported from this source is never overwritten", () => {
  const p = planImport("[task#a]\ncommand = mine\n", "etc/s.conf", [job("a", "echo a")], "/src/jobs.json", []);
  assert.equal(p.ok, false);
  assert.match(!p.ok ? p.alerts[0]!.message : "", /\[task#a\] is already in etc\/s.conf and was not imported from \/src\/jobs.json/);
});

test("editIni: a multi-line value is written on indented lines and reads back the same", () => {
  const text = editIni("", parseIni("", "x").doc, { set: [{ name: "task#0", comments: [], entries: [["comment", "a\n\nb"]] }], remove: [] });
  assert.equal(parseIni(text, "x").doc.sections[0]!.entries[0]!.value, "a\n\nb");
});

test("escapeReferences: any text reads back as itself, never as a reference", () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom("{", "}", "$", "a", " ", "x.y", "{name}", "${HOME}") }), (t) => {
      const segments = parseSegments(escapeReferences(t));
      assert.deepEqual(segments, t === "" ? [] : [{ literal: t }]);
    }),
    { numRuns: 2000 },
  );
});
