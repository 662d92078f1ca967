import { test } from "node:test";
import assert from "node:assert/strict";
import { SeedState } from "../../src/import/seed.js";
import { detectFormat } from "../../src/import/detect.js";
import { parseYamlTree } from "../../src/platform/yaml-tree.js";

const accept = () => [];
const line = (id: number, cron: string, job: string) => `{"id": ${id}, "crontab": "${cron}", "job": "${job}", "enabled": true}`;
const jobs = (...lines: string[]) => `[\n${lines.join(",\n")}\n]\n`;

test("seed: the first good version is applied; the same text again is unchanged", () => {
  const s = new SeedState("/x/jobs.json", null, "jobs");
  const v1 = jobs(line(1, "* * * * *", "a"), line(2, "0 * * * *", "b"));
  const r = s.update(v1, parseYamlTree, accept);
  assert.equal(r.kind, "applied");
  assert.deepEqual(r.kind === "applied" ? r.changes.map((c) => [c.rid, c.action]) : [], [["task#1", "added"], ["task#2", "added"]]);
  assert.equal(s.update(v1, parseYamlTree, accept).kind, "unchanged");
  assert.match(s.text!, /\[task#1\]\n# from \/x\/jobs\.json:2\ncommand = a\n/);
});

test("seed: an edit changes only its job; a moved job is unchanged; its section keeps the same settings", () => {
  const s = new SeedState("/x/jobs.json", null, "jobs");
  s.update(jobs(line(1, "* * * * *", "a"), line(2, "0 * * * *", "b")), parseYamlTree, accept);
  const r = s.update(jobs(line(2, "0 * * * *", "b"), line(1, "* * * * *", "A"), line(3, "5 * * * *", "c")), parseYamlTree, accept);
  assert.deepEqual(r.kind === "applied" ? r.changes.map((c) => [c.rid, c.action]) : r, [["task#2", "unchanged"], ["task#1", "updated"], ["task#3", "added"]]);
  const r2 = s.update(jobs(line(3, "5 * * * *", "c")), parseYamlTree, accept);
  assert.deepEqual(r2.kind === "applied" ? r2.changes.map((c) => [c.rid, c.action]) : r2, [["task#3", "unchanged"], ["task#2", "removed"], ["task#1", "removed"]]);
  assert.doesNotMatch(s.text!, /task#1|task#2/);
});

test("seed: an empty, half-written or invalid version, or one the service check refuses, keeps the last good jobs", () => {
  const s = new SeedState("/x/jobs.json", null, "jobs");
  s.update(jobs(line(1, "* * * * *", "a")), parseYamlTree, accept);
  const good = s.text;
  for (const bad of ["", "[\n" + line(1, "* * * * *", "a"), "[]", jobs(line(1, "* * *", "a")), jobs(line(1, "* * * * *", "a"), line(1, "* * * * *", "b"))]) {
    const r = s.update(bad, parseYamlTree, accept);
    assert.equal(r.kind, "rejected", bad);
    assert.equal(s.text, good);
    assert.equal(s.count, 1);
  }
  const refused = s.update(jobs(line(1, "* * * * *", "z")), parseYamlTree, () => [{ level: "error", file: "f", message: "no" }]);
  assert.equal(refused.kind, "rejected");
  assert.equal(s.text, good);
});

test("seed format from the file's name and content", () => {
  assert.equal(detectFormat("a.yaml", ""), "supertask");
  assert.equal(detectFormat("a.yml", ""), "supertask");
  assert.equal(detectFormat("a.json", "  [ {} ]"), "supertask-legacy");
  assert.equal(detectFormat("a.json", '{"tasks": []}'), "supertask");
  assert.equal(detectFormat("crontab", "* * * * * x"), "crontab");
});
