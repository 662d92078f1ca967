import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { validateService, type IdentityChecker, type ValidateOptions } from "../../src/config/validate.js";
import { KEYWORDS } from "../../src/config/keywords/index.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { formatAlert, hasErrors, resourceErrors, type Alert } from "../../src/core/alert.js";

/**
 * Design §4: validation returns every problem at once, each with file:line, section, keyword,
 * value and what is allowed; an unknown keyword is a warning, a bad value an error. The common
 * cases (bad bool, duration, retcodes, int, umask, unknown section, references, the schedule
 * checker) are in service.test.ts; these are the others, with the exact diagnostics.
 */
const FILE = "/r/etc/db.conf";
const ctx = { nodename: "n1", paths: pathsFor("/r") };
const load = (lines: string[], options: ValidateOptions = {}) => loadService(parseObjectPath("db"), FILE, lines.join("\n") + "\n", ctx, options);
const diagnostics = (lines: string[], options: ValidateOptions = {}) => load(lines, options).alerts.map(formatAlert);

const BAD_RID = `bad resource id: the part after "#" names directories under the var and log dirs; allowed: 1 to 64 letters, digits, '_', '-' or '.', starting with a letter, digit or '_'`;
const DURATION = "a duration such as 30, 90s, 5m, 1h30m, 2d (a bare number is seconds)";
const TIMEZONE = "an IANA time zone such as UTC, Europe/Paris, America/New_York";

describe("one problem, its diagnostic", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["a rid index starting with '.'", ["[task#.x]", "command = a"], [`${FILE}:1: [task#.x]: error: ${BAD_RID}`]],
    ["a rid index with '/'", ["[task#a/b]", "command = a"], [`${FILE}:1: [task#a/b]: error: ${BAD_RID}`]],
    ["a rid index of 65 characters", [`[task#${"x".repeat(65)}]`, "command = a"], [`${FILE}:1: [task#${"x".repeat(65)}]: error: ${BAD_RID}`]],
    ["a rid index '..' on another group", ["[fs#..]", "type = directory", "path = /"], [`${FILE}:1: [fs#..]: error: ${BAD_RID}`]],
    ["a syntax error with no section: file:line, then the level", ["[task#0]", "command = a", "[task#1"], [`${FILE}:3: error: unterminated section header "[task#1": expected [name]`]],
    ["an empty scope", ["[task#0]", "command = a", "timeout@ = 5"], [`${FILE}:3: [task#0] timeout@ = "5": error: empty scope after "@": expected timeout@<nodename>, @nodes or @drpnodes`]],
    ["an ignored keyword: a warning saying so", ["[task#0]", "command = a", "snooze = 1h"], [`${FILE}:3: [task#0] snooze = "1h": warning: snooze has no effect in svcmgr (there is no alert collector)`]],
    ["an unknown keyword with a close name", ["[task#0]", "command = a", "retyr = 1"], [`${FILE}:3: [task#0] retyr = "1": warning: unknown keyword, ignored; did you mean "retry"?`]],
    ["a bad enum value names every candidate, the empty one quoted", ["[task#0]", "command = a", "check = always"], [`${FILE}:3: [task#0] check = "always": error: bad value: expected one of: "", last_run, last_run_warn`]],
    ["a bad environment entry is named", ["[task#0]", "command = a", "environment = A=1 2B=x"], [`${FILE}:3: [task#0] environment = "A=1 2B=x": error: bad value: expected whitespace-separated NAME=value entries ("2B=x" is not NAME=value)`]],
    ["a bad size", ["[task#0]", "command = a", "output_max = 12q"], [`${FILE}:3: [task#0] output_max = "12q": error: bad value: expected a size such as 1024, 64k, 512m, 2g`]],
    ["a bad time zone", ["[task#0]", "command = a", "timezone = Mars/Base"], [`${FILE}:3: [task#0] timezone = "Mars/Base": error: bad value: expected ${TIMEZONE}`]],
    ["a negative retry", ["[task#0]", "command = a", "retry = -1"], [`${FILE}:3: [task#0] retry = "-1": error: bad value: expected an integer >= 0`]],
    ["a second retcodes rule for one exit code", ["[task#0]", "command = a", "retcodes = 0:up 0:down"], [`${FILE}:3: [task#0] retcodes = "0:up 0:down": error: bad value: expected one rule per exit code ("0:down" repeats exit code 0)`]],
    [
      "run_requires that cannot be read",
      ["[task#0]", "command = a", "run_requires = task#0(up"],
      [`${FILE}:3: [task#0] run_requires = "task#0(up": error: bad value: expected conditions <rid>(<state>,…) ("(up" cannot be read)`],
    ],
    [
      "run_requires with a bad state",
      ["[task#0]", "command = a", "run_requires = task#0(running)"],
      [`${FILE}:3: [task#0] run_requires = "task#0(running)": error: bad value: expected conditions <rid>(<state>,…) where a state is one of up, down, warn, n/a, undef, stdby up, stdby down ("running" is not)`],
    ],
    [
      "run_requires naming two unknown rids: one error each, with the rids there are",
      ["[fs#0]", "type = directory", "path = /", "[task#0]", "command = a", "run_requires = fs#1 fs#0 ip#2(up)"],
      [
        `${FILE}:6: [task#0] run_requires = "fs#1 fs#0 ip#2(up)": error: unknown rid "fs#1" in run_requires: this service has fs#0, task#0`,
        `${FILE}:6: [task#0] run_requires = "fs#1 fs#0 ip#2(up)": error: unknown rid "ip#2" in run_requires: this service has fs#0, task#0`,
      ],
    ],
    [
      "a required keyword missing: at the section's line, with an example",
      ["[task#0]", "command = a", "[ip#0]", "ipdev = eth0"],
      [`${FILE}:3: [ip#0] ipname: error: required keyword "ipname" is missing, e.g. ipname = 10.0.0.50`],
    ],
    [
      "a bad value reached through a reference: the value after references, at the keyword's line",
      ["[env]", "t = soon", "[task#0]", "command = a", "timeout = {env.t}"],
      [`${FILE}:5: [task#0] timeout = "soon": error: bad value: expected ${DURATION}`],
    ],
    [
      "a bad value scoped to this node: at the scoped entry",
      ["[task#0]", "command = a", "timeout = 5", "timeout@n1 = soon"],
      [`${FILE}:4: [task#0] timeout@n1 = "soon": error: bad value: expected ${DURATION}`],
    ],
    [
      "a bad value scoped to @nodes, this node a member",
      ["[DEFAULT]", "nodes = n1 n2", "[task#0]", "command = a", "optional@nodes = maybe"],
      [`${FILE}:5: [task#0] optional@nodes = "maybe": error: bad value: expected a boolean: true/false, yes/no, on/off, 1/0`],
    ],
    [
      "a bad DEFAULT value inherited by two tasks: reported once, at DEFAULT",
      ["[DEFAULT]", "catchup = sometimes", "[task#0]", "command = a", "[task#1]", "command = b"],
      [`${FILE}:2: [DEFAULT] catchup = "sometimes": error: bad value: expected one of: latest, none, all`],
    ],
    [
      "a task keyword in DEFAULT: a warning, not applied",
      ["[DEFAULT]", "zzqqxx = 1", "[task#0]", "command = a"],
      [`${FILE}:2: [DEFAULT] zzqqxx = "1": warning: unknown keyword, ignored; known keywords: ${KEYWORDS.DEFAULT.map((k) => k.option).join(", ")}`],
    ],
  ];
  for (const [name, lines, expected] of cases) {
    test(name, () => assert.deepEqual(diagnostics(lines), expected));
  }

  test("an unknown keyword with no close name lists the section kind's keywords", () => {
    const [line, ...rest] = diagnostics(["[task#0]", "command = a", "zzzzqqq = 1"]);
    assert.deepEqual(rest, []);
    assert.equal(line, `${FILE}:3: [task#0] zzzzqqq = "1": warning: unknown keyword, ignored; known keywords: ${KEYWORDS.task.map((k) => k.option).join(", ")}`);
    assert.match(line!, /known keywords: type, command, user, .*run_requires, .*retcodes, /);
  });

  test("the service's rids in an unknown rid message: at most ten, then how many more", () => {
    const tasks = Array.from({ length: 13 }, (_, i) => [`[task#${i}]`, "command = a"]).flat();
    const lines = diagnostics([...tasks, "run_requires = fs#1"]);
    assert.deepEqual(lines, [
      `${FILE}:27: [task#12] run_requires = "fs#1": error: unknown rid "fs#1" in run_requires: this service has task#0, task#1, task#2, task#3, task#4, task#5, task#6, task#7, task#8, task#9 and 3 more`,
    ]);
  });
});

describe("every problem at once", () => {
  test("syntax and keyword problems of several sections together, in line order", () => {
    const lines = diagnostics([
      "[DEFAULT]", //                 1
      "timezone = Nowhere", //        2
      "[task#1]", //                  3
      "command = a", //               4
      "umask = 8", //                 5
      "comand = b", //                6
      "command = c", //               7
      "[task#0]", //                  8
      "optional = maybe", //          9
      "[ip#0]", //                   10
      "ipname = 10.0.0.1", //        11
      "netmask = 24", //             12
      "[task#.]", //                 13
      "command = d", //              14
    ]);
    assert.deepEqual(lines, [
      `${FILE}:2: [DEFAULT] timezone = "Nowhere": error: bad value: expected ${TIMEZONE}`,
      `${FILE}:5: [task#1] umask = "8": error: bad value: expected an octal umask such as 022 or 0027`,
      `${FILE}:6: [task#1] comand = "b": warning: unknown keyword, ignored; did you mean "command"?`,
      `${FILE}:7: [task#1] command: error: duplicate key "command": first set at line 4`,
      `${FILE}:8: [task#0] command: error: required keyword "command" is missing, e.g. command = /usr/local/bin/backup --full`,
      `${FILE}:9: [task#0] optional = "maybe": error: bad value: expected a boolean: true/false, yes/no, on/off, 1/0`,
      `${FILE}:13: [task#.]: error: ${BAD_RID}`,
    ]);
  });

  test("validateService alone returns the keyword problems, not the syntax ones", () => {
    const { config, alerts } = load(["[task#0]", "command = a", "command = b", "timeout = soon"]);
    assert.deepEqual(alerts.map((a) => [a.line, a.level, a.keyword]), [[3, "error", "command"], [4, "error", "timeout"]]);
    assert.deepEqual(validateService(config).map((a) => [a.file, a.line, a.level, a.section, a.keyword, a.value]), [[FILE, 4, "error", "task#0", "timeout", "soon"]]);
  });

  test("a valid service: no alert at all", () => {
    const { alerts } = load(["[DEFAULT]", "nodes = n1", "timezone = UTC", "[fs#0]", "type = directory", "path = /", "[task#0]", "command = a", "run_requires = fs#0(up) task#1", "retcodes = 0:up 3:warn", "[task#1]", "command = b", "tags = x y"]);
    assert.deepEqual(alerts, []);
  });
});

describe("warnings and errors", () => {
  test("warnings only: the service is usable", () => {
    const { alerts } = load(["[task#0]", "command = a", "snooze = 1h", "timout = 5"]);
    assert.deepEqual(alerts.map((a) => [a.level, a.line]), [["warning", 3], ["warning", 4]]);
    assert.equal(hasErrors(alerts), false);
  });

  test("one error among warnings: the service is refused", () => {
    const { alerts } = load(["[task#0]", "command = a", "snooze = 1h", "optional = maybe"]);
    assert.deepEqual(alerts.map((a) => a.level), ["warning", "error"]);
    assert.equal(hasErrors(alerts), true);
  });

  test("formatAlert: the parts present, in one format", () => {
    const base: Alert = { level: "error", file: FILE, message: "m" };
    assert.equal(formatAlert(base), `${FILE}: error: m`);
    assert.equal(formatAlert({ ...base, line: 3 }), `${FILE}:3: error: m`);
    assert.equal(formatAlert({ ...base, line: 3, section: "task#0" }), `${FILE}:3: [task#0]: error: m`);
    assert.equal(formatAlert({ ...base, line: 3, section: "task#0", keyword: "cwd" }), `${FILE}:3: [task#0] cwd: error: m`);
    assert.equal(formatAlert({ ...base, level: "warning", line: 3, section: "task#0", keyword: "cwd", value: 'a "b"' }), `${FILE}:3: [task#0] cwd = "a \\"b\\"": warning: m`);
  });
});

describe("users and groups that do not exist on this node", () => {
  const known: IdentityChecker = { user: (n) => n === "root" || n === "0", group: (n) => n === "wheel" };
  const CONF = ["[task#0]", "command = a", "user = nosuch", "group = nogroup", "[task#1]", "command = b", "user = root", "group = wheel", "[task#2]", "command = c", "user = 0", "[app#0]", "user =  ghost ", "[task#3]", "command = d"];

  test("an error for this resource only: the service stays usable, the resources are named", () => {
    const { alerts } = load(CONF, { identities: known });
    assert.deepEqual(alerts.map(formatAlert), [
      `${FILE}:3: [task#0] user = "nosuch": error: user "nosuch" does not exist on this node (not in /etc/passwd): only this resource is refused here`,
      `${FILE}:4: [task#0] group = "nogroup": error: group "nogroup" does not exist on this node (not in /etc/group): only this resource is refused here`,
      `${FILE}:13: [app#0] user = "ghost": error: user "ghost" does not exist on this node (not in /etc/passwd): only this resource is refused here`,
    ]);
    assert.ok(alerts.every((a) => a.scope === "resource"));
    assert.equal(hasErrors(alerts), false);
    const refused = resourceErrors(alerts);
    assert.deepEqual([...refused.keys()], ["task#0", "app#0"]);
    assert.deepEqual(refused.get("task#0")!.map((a) => a.keyword), ["user", "group"]);
  });

  test("only the user and group keywords are asked about, with the names as written", () => {
    const asked: string[] = [];
    const spy: IdentityChecker = { user: (n) => (asked.push(`u:${n}`), true), group: (n) => (asked.push(`g:${n}`), true) };
    assert.deepEqual(load(CONF, { identities: spy }).alerts, []);
    assert.deepEqual(asked.sort(), ["g:nogroup", "g:wheel", "u:0", "u:ghost", "u:nosuch", "u:root"]);
  });

  test("without an identity checker, names are not checked", () => {
    assert.deepEqual(load(CONF).alerts, []);
  });

  test("a service-wide error still refuses the service when resource errors are there too", () => {
    const { alerts } = load([...CONF, "timeout = soon"], { identities: known });
    assert.equal(hasErrors(alerts), true);
    assert.deepEqual([...resourceErrors(alerts).keys()], ["task#0", "app#0"]);
  });
});

describe("schedules, through the injected checker", () => {
  test("an inherited bad run_schedule: one error and its warnings once, at DEFAULT; the time zone passed is the valid one or none", () => {
    const calls: string[] = [];
    const lines = diagnostics(["[DEFAULT]", "run_schedule = bad", "timezone = Nope/Zone", "[task#0]", "command = a", "[task#1]", "command = b", "timezone = UTC", "schedule = @1h"], {
      checkSchedule: (expr, tz) => {
        calls.push(`${expr}|${tz}`);
        return expr === "bad" ? { error: `no such schedule "${expr}"`, warnings: ["also odd"] } : { warnings: [] };
      },
    });
    assert.deepEqual(lines, [
      `${FILE}:2: [DEFAULT] run_schedule = "bad": error: no such schedule "bad"`,
      `${FILE}:2: [DEFAULT] run_schedule = "bad": warning: also odd`,
      `${FILE}:3: [DEFAULT] timezone = "Nope/Zone": error: bad value: expected ${TIMEZONE}`,
    ]);
    assert.deepEqual(calls.sort(), ["@1h|UTC", "bad|undefined", "bad|undefined"]);
  });

  test("confirmation = true on a scheduled task: a warning; unscheduled (@0 or empty): none", () => {
    const lines = diagnostics(
      ["[task#0]", "command = a", "schedule = @1h", "confirmation = true", "[task#1]", "command = b", "schedule = @0", "confirmation = true", "[task#2]", "command = c", "schedule =", "confirmation = true"],
      { checkSchedule: () => ({ warnings: [] }) },
    );
    assert.deepEqual(lines, [`${FILE}:3: [task#0] schedule = "@1h": warning: this task has confirmation = true: it is never scheduled (only run by hand)`]);
  });

  test("without a checker, schedules are not checked", () => {
    assert.deepEqual(diagnostics(["[task#0]", "command = a", "schedule = bad"]), []);
  });
});
