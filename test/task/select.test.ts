import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { matchesTags, NO_MATCH_MESSAGE, selectTasks, type Selectable, type Selectors } from "../../src/task/select.js";

/**
 * Spec §5.2, man svcmgr(1) TASK SELECTION: --rid, --tags and --subsets intersect; the result is
 * in natural rid order. The first table is the CLI's (test/e2e/selection.test.ts) at unit level.
 */
interface Task extends Selectable {
  /** Carried through untouched: selection returns the caller's objects. */
  readonly command: string;
}

const task = (rid: string, tags: string[] = [], subset?: string, type = "task.host"): Task => ({ rid, type, tags, subset, command: `echo ran ${rid}` });

/** The e2e service's tasks, given out of order. */
const TASKS: readonly Task[] = [
  task("task#10", [], "g2"),
  task("task#5", ["weekly"]),
  task("task#1", ["backup", "daily"]),
  task("task#6", ["backup"], "g1"),
  task("task#2", ["weekly"]),
];

const ALL = ["task#1", "task#2", "task#5", "task#6", "task#10"];
const rids = (sel: Selectors, tasks: readonly Selectable[] = TASKS) => selectTasks(tasks, sel).map((t) => t.rid);

describe("selectTasks: the CLI's selection table", () => {
  const cases: Array<[string, Selectors, string[]]> = [
    ["no selector selects every task", {}, ALL],
    ["--tags backup", { tags: "backup" }, ["task#1", "task#6"]],
    ["--tags backup+daily (AND)", { tags: "backup+daily" }, ["task#1"]],
    ["--tags daily,nope (OR)", { tags: "daily,nope" }, ["task#1"]],
    ["--tags weekly,backup+daily (+ binds tighter)", { tags: "weekly,backup+daily" }, ["task#1", "task#2", "task#5"]],
    ["--rid task --tags backup (driver group)", { rid: "task", tags: "backup" }, ["task#1", "task#6"]],
    ["--rid task.host --tags weekly (driver type)", { rid: "task.host", tags: "weekly" }, ["task#2", "task#5"]],
    ["--subsets g1", { subsets: "g1" }, ["task#6"]],
    ["--subsets g1,g2", { subsets: "g1,g2" }, ["task#6", "task#10"]],
    ["--rid task#1,task#5 --tags daily (intersection)", { rid: "task#1,task#5", tags: "daily" }, ["task#1"]],
    ["--rid task#1,task#5", { rid: "task#1,task#5" }, ["task#1", "task#5"]],
    ["--rid task#* (glob), natural order", { rid: "task#*" }, ALL],
    ["--rid task#1* (glob)", { rid: "task#1*" }, ["task#1", "task#10"]],
    ["--rid task#10,task#2: natural order whatever the order given", { rid: "task#10,task#2" }, ["task#2", "task#10"]],
    // Nothing selected: the CLI then fails with NO_MATCH_MESSAGE (exit 1).
    ["--rid task#9 (unknown rid)", { rid: "task#9" }, []],
    ["--rid task#1 --subsets g1", { rid: "task#1", subsets: "g1" }, []],
    ["--tags nope", { tags: "nope" }, []],
    ["--tags backup+weekly", { tags: "backup+weekly" }, []],
  ];
  for (const [name, sel, expected] of cases) {
    test(name, () => assert.deepEqual(rids(sel), expected));
  }

  test("the no-match message is OpenSVC's", () => {
    assert.equal(NO_MATCH_MESSAGE, "no resource match the given --rid, --subset and --tags specifiers");
  });
});

describe("selectTasks: --rid specs", () => {
  /** Two groups and two types, to tell a rid, a group, a type and a glob apart. */
  const MIXED: readonly Selectable[] = [
    task("task#1"),
    task("task#2", [], undefined, "task.podman"),
    task("task#12"),
    task("task#b"),
    task("app#1", [], undefined, "app.simple"),
    task("taskx#1"),
  ];
  const cases: Array<[string, string, string[]]> = [
    ["an exact rid", "task#12", ["task#12"]],
    ["an exact rid is not a prefix", "task#1", ["task#1"]],
    ["a rid is case-sensitive", "TASK#1", []],
    ["an unknown rid selects nothing", "task#99", []],
    ["a rid of another group", "app#1", ["app#1"]],
    ["a driver group: exactly the part before #", "task", ["task#1", "task#2", "task#12", "task#b"]],
    ["a group no task has", "fs", []],
    ["a group is not a prefix", "tas", []],
    ["a driver type", "task.podman", ["task#2"]],
    ["a driver type matches whole", "task.hos", []],
    ["* glob", "task#*", ["task#1", "task#2", "task#12", "task#b"]],
    ["? glob: one character", "task#?", ["task#1", "task#2", "task#b"]],
    ["[…] glob", "task#[12]", ["task#1", "task#2"]],
    ["[!…] glob", "task#[!1]", ["task#2", "task#b"]],
    ["a glob matches the whole rid", "task#1?", ["task#12"]],
    ["a glob without #", "*#1", ["app#1", "task#1", "taskx#1"]],
    ["a list: any spec matches (OR)", "app,task#b", ["app#1", "task#b"]],
    ["a list mixing forms", "task.podman,task#1*", ["task#1", "task#2", "task#12"]],
    ["a task matched twice is selected once", "task#1,task#1,task#*", ["task#1", "task#2", "task#12", "task#b"]],
    ["blanks and empty items in the list are ignored", " task#1 , ,task#b,", ["task#1", "task#b"]],
    ["an empty list selects nothing", "", []],
    ["a list of blanks selects nothing", " , ", []],
  ];
  for (const [name, spec, expected] of cases) {
    test(`${name}: --rid ${JSON.stringify(spec)}`, () => assert.deepEqual(rids({ rid: spec }, MIXED), expected));
  }
});

describe("selectTasks: --subsets", () => {
  const cases: Array<[string, string, string[]]> = [
    ["one subset", "g2", ["task#10"]],
    ["a list is OR", "g2,g1", ["task#6", "task#10"]],
    ["blanks around names are ignored", " g1 , g2 ", ["task#6", "task#10"]],
    ["an unknown subset", "g3", []],
    ["a subset name matches whole", "g", []],
    ["tasks without a subset never match, even an empty name", ",", []],
    ["an empty list selects nothing", "", []],
  ];
  for (const [name, spec, expected] of cases) {
    test(`${name}: --subsets ${JSON.stringify(spec)}`, () => assert.deepEqual(rids({ subsets: spec }), expected));
  }
});

describe("matchesTags: ',' is OR, '+' is AND and binds tighter", () => {
  const TAGS = ["backup", "daily", "db"];
  const cases: Array<[string, boolean]> = [
    ["backup", true],
    ["weekly", false],
    ["weekly,daily", true],
    ["weekly,monthly", false],
    ["backup+daily", true],
    ["backup+daily+db", true],
    ["backup+weekly", false],
    ["weekly+backup", false],
    ["weekly,backup+daily", true],
    ["backup+weekly,monthly", false],
    ["backup+weekly,db", true],
    ["backup+weekly,db+monthly", false],
    // Blanks around tags and terms are ignored, like around rids and subsets.
    [" backup , weekly ", true],
    ["backup + daily", true],
    ["backup + weekly", false],
    // A trailing or doubled '+' only separates: the term keeps its tags.
    ["backup+", true],
    ["backup++daily", true],
    // A term with no tag matches nothing (it never widens a selection to every task).
    ["", false],
    [",", false],
    ["+", false],
    [" + ", false],
    ["weekly,+", false],
    ["+,backup", true],
    // Tags are compared whole and case-sensitively.
    ["back", false],
    ["Backup", false],
  ];
  for (const [expr, expected] of cases) {
    test(`${JSON.stringify(expr)} on [${TAGS.join(" ")}] → ${expected}`, () => assert.equal(matchesTags(TAGS, expr), expected));
  }

  test("a task without tags matches no expression", () => {
    for (const expr of ["backup", "+", "a+b,c", ","]) assert.equal(matchesTags([], expr), false, expr);
  });

  test("an empty AND term selects no task, so the CLI reports nothing matched instead of running every task", () => {
    assert.deepEqual(rids({ tags: "+" }), []);
    assert.deepEqual(rids({ tags: "," }), []);
    assert.deepEqual(rids({ tags: "weekly,+" }), ["task#2", "task#5"]);
  });
});

describe("selectTasks: the result", () => {
  test("natural rid order, whatever the input order", () => {
    const tasks = ["task#b", "task#10", "task#02", "task#1", "task#a", "task#2", "task#100", "task#9"].map((r) => task(r));
    assert.deepEqual(rids({}, tasks), ["task#1", "task#2", "task#02", "task#9", "task#10", "task#100", "task#a", "task#b"]);
  });

  test("returns the caller's objects and leaves the input as it was", () => {
    const input = [...TASKS];
    const selected = selectTasks(input, { tags: "weekly" });
    assert.deepEqual(selected.map((t) => t.command), ["echo ran task#2", "echo ran task#5"]);
    assert.equal(selected[0], TASKS[4]);
    assert.deepEqual(input, TASKS, "input not reordered");
    assert.notEqual(selectTasks(input, {}), input, "a new array, even when every task is selected");
  });

  test("each selector given filters, and the filters intersect", () => {
    // Each alone selects several tasks; together only the one matching all three.
    const tasks = [task("task#1", ["a"], "s"), task("task#2", ["a"], "s"), task("task#3", ["a"], "t"), task("task#4", ["b"], "s")];
    assert.deepEqual(rids({ rid: "task#1,task#3,task#4" }, tasks), ["task#1", "task#3", "task#4"]);
    assert.deepEqual(rids({ tags: "a" }, tasks), ["task#1", "task#2", "task#3"]);
    assert.deepEqual(rids({ subsets: "s" }, tasks), ["task#1", "task#2", "task#4"]);
    assert.deepEqual(rids({ rid: "task#1,task#3,task#4", tags: "a", subsets: "s" }, tasks), ["task#1"]);
  });

  test("an empty task list selects nothing, with or without selectors", () => {
    assert.deepEqual(rids({}, []), []);
    assert.deepEqual(rids({ rid: "task#*" }, []), []);
  });
});
