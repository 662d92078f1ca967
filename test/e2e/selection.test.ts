import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ranRids, hasStackTrace, rootPerSuite } from "./helpers.js";

/** Spec §5.2: --rid, --tags and --subsets intersect; tasks run in natural rid order. */
const CONF = `
[task#1]
command = echo ran task#1
tags = backup daily

[task#2]
command = echo ran task#2
tags = weekly

[task#5]
command = echo ran task#5
tags = weekly

[task#6]
command = echo ran task#6
tags = backup
subset = g1

[task#10]
command = echo ran task#10
subset = g2
`;

describe("task selection", { concurrency: 4 }, () => {
  const suite = rootPerSuite("sel");
  const service = () => suite.service(CONF).name;

  const cases: Array<[string, string[], string[]]> = [
    ["no selector runs every task", [], ["task#1", "task#2", "task#5", "task#6", "task#10"]],
    ["--tags backup", ["--tags", "backup"], ["task#1", "task#6"]],
    ["--tags backup+daily (AND)", ["--tags", "backup+daily"], ["task#1"]],
    ["--tags daily,nope (OR)", ["--tags", "daily,nope"], ["task#1"]],
    ["--tags weekly,backup+daily (+ binds tighter)", ["--tags", "weekly,backup+daily"], ["task#1", "task#2", "task#5"]],
    ["--rid task --tags backup (driver group)", ["--rid", "task", "--tags", "backup"], ["task#1", "task#6"]],
    ["--rid task.host (driver type)", ["--rid", "task.host", "--tags", "weekly"], ["task#2", "task#5"]],
    ["--subsets g1", ["--subsets", "g1"], ["task#6"]],
    ["--subsets g1,g2", ["--subsets", "g1,g2"], ["task#6", "task#10"]],
    ["--rid task#1,task#5 --tags daily (intersection)", ["--rid", "task#1,task#5", "--tags", "daily"], ["task#1"]],
    ["--rid task#1,task#5", ["--rid", "task#1,task#5"], ["task#1", "task#5"]],
    ["--rid 'task#*' (glob), natural order", ["--rid", "task#*"], ["task#1", "task#2", "task#5", "task#6", "task#10"]],
    ["--rid 'task#1*' (glob)", ["--rid", "task#1*"], ["task#1", "task#10"]],
    ["--rid task#10,task#2: natural order whatever the order given", ["--rid", "task#10,task#2"], ["task#2", "task#10"]],
  ];
  for (const [name, args, expected] of cases) {
    test(name, async () => {
      const r = await suite.root.runTasks(service(), args);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(ranRids(r.stdout), expected);
    });
  }

  const none: Array<[string, string[]]> = [
    ["--rid task#9", ["--rid", "task#9"]],
    ["--rid task#1 --subsets g1", ["--rid", "task#1", "--subsets", "g1"]],
    ["--tags nope", ["--tags", "nope"]],
    ["--tags backup+weekly", ["--tags", "backup+weekly"]],
  ];
  for (const [name, args] of none) {
    test(`${name}: nothing selected, exit 1`, async () => {
      const r = await suite.root.runTasks(service(), args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /no resource match the given --rid, --subset and --tags specifiers/);
      assert.deepEqual(ranRids(r.stdout), []);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
  }
});
