import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_REQUIRED_STATES, formatRequirement, parseRequires, unmetRequirement, type Requirement } from "../../src/config/requires.js";
import type { Status } from "../../src/core/status.js";

/** Spec §3: `run_requires` = whitespace-separated `<rid>[(<state>[,<state>…])]`. */

/** Requirements as `rid:state|state` strings, or the error: one comparable value per input. */
function parsed(text: string): string[] | string {
  const r = parseRequires(text);
  return "error" in r ? r.error : r.requirements.map((q) => `${q.rid}:${q.states.join("|")}`);
}

describe("parseRequires: accepted", () => {
  const cases: Array<[string, string, string[]]> = [
    ["empty (the keyword's default): no condition", "", []],
    ["blanks only", " \t\n ", []],
    ["one rid, states omitted: up or stdby up", "fs#1", ["fs#1:up|stdby up"]],
    ["one state", "fs#1(up)", ["fs#1:up"]],
    ["several states", "fs#1(up,warn)", ["fs#1:up|warn"]],
    // om3's own vector (core/resourcereqs/main_test.go); unlike OpenSVC 2.1, a blank after "," is allowed.
    ["om3 vector", "ip#1(up) ip#2(up, stdby up) ip#3", ["ip#1:up", "ip#2:up|stdby up", "ip#3:up|stdby up"]],
    ["blanks inside the parentheses are trimmed", "fs#1( down ,  warn )", ["fs#1:down|warn"]],
    ["a run of blanks inside a stdby state is one space", "fs#1(stdby  up)", ["fs#1:stdby up"]],
    ["na stands for n/a", "fs#1(na)", ["fs#1:n/a"]],
    ["n/a as written", "fs#1(n/a,undef)", ["fs#1:n/a|undef"]],
    ["every state", "app#0(up,down,warn,n/a,undef,stdby up,stdby down)", ["app#0:up|down|warn|n/a|undef|stdby up|stdby down"]],
    ["tabs, newlines and runs of spaces separate conditions", "  fs#1\t\tip#2(down)\n task#a  ", ["fs#1:up|stdby up", "ip#2:down", "task#a:up|stdby up"]],
    ["indexes with letters, digits, '_', '-' and '.'", "fs#data app#my_app-2.x", ["fs#data:up|stdby up", "app#my_app-2.x:up|stdby up"]],
    ["order kept, the same rid twice kept twice", "ip#2 fs#1(down) ip#2(warn)", ["ip#2:up|stdby up", "fs#1:down", "ip#2:warn"]],
  ];
  for (const [name, text, expected] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () => assert.deepEqual(parsed(text), expected));
  }

  test("states omitted are the default states, which are up and stdby up", () => {
    assert.deepEqual(DEFAULT_REQUIRED_STATES, ["up", "stdby up"]);
    const r = parseRequires("fs#1");
    assert.ok("requirements" in r);
    assert.deepEqual(r.requirements, [{ rid: "fs#1", states: ["up", "stdby up"] }]);
  });
});

describe("parseRequires: refused, saying what is allowed and what is wrong", () => {
  const STATES = "a state is one of up, down, warn, n/a, undef, stdby up, stdby down";
  const cases: Array<[string, string, string]> = [
    ["an unknown state", "fs#1(running)", `conditions <rid>(<state>,…) where ${STATES} ("running" is not)`],
    ["states are lower case", "fs#1(UP)", `conditions <rid>(<state>,…) where ${STATES} ("UP" is not)`],
    ["the bad state among good ones", "fs#1(up,sideways,down)", `conditions <rid>(<state>,…) where ${STATES} ("sideways" is not)`],
    ["stdby alone", "fs#1(stdby)", `conditions <rid>(<state>,…) where ${STATES} ("stdby" is not)`],
    ["empty parentheses", "fs#1()", `conditions <rid>(<state>,…) where ${STATES} ("" is not)`],
    ["a trailing comma", "fs#1(up,)", `conditions <rid>(<state>,…) where ${STATES} ("" is not)`],
    ["no # in the rid", "fs1(up)", `conditions <rid>(<state>,…) with a rid such as fs#1 ("fs1" is not)`],
    ["no group", "#1", `conditions <rid>(<state>,…) with a rid such as fs#1 ("#1" is not)`],
    ["no index", "fs#", `conditions <rid>(<state>,…) with a rid such as fs#1 ("fs#" is not)`],
    ["a '/' in the rid", "fs#a/b", `conditions <rid>(<state>,…) with a rid such as fs#1 ("fs#a/b" is not)`],
    ["a stray closing parenthesis", "fs#1)", `conditions <rid>(<state>,…) with a rid such as fs#1 ("fs#1)" is not)`],
    ["the bad condition after good ones", "fs#1 ip#2(up) oops", `conditions <rid>(<state>,…) with a rid such as fs#1 ("oops" is not)`],
    ["a blank before the parenthesis", "fs#1 (up)", `conditions <rid>(<state>,…) ("(up)" cannot be read)`],
    ["an unclosed parenthesis", "fs#1(up", `conditions <rid>(<state>,…) ("(up" cannot be read)`],
    ["an unclosed parenthesis, then more", "fs#1(up ip#2", `conditions <rid>(<state>,…) ("(up ip#2" cannot be read)`],
    ["two state lists", "fs#1(up)(down)", `conditions <rid>(<state>,…) ("(down)" cannot be read)`],
    ["a state list without a rid", "(up)", `conditions <rid>(<state>,…) ("(up)" cannot be read)`],
  ];
  for (const [name, text, error] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () => assert.equal(parsed(text), error));
  }

  test("a bad condition refuses the whole value: no partial list", () => {
    const r = parseRequires("fs#1(up) ip#2(sideways)");
    assert.ok("error" in r);
    assert.ok(!("requirements" in r));
  });
});

describe("formatRequirement: the human form used in messages", () => {
  const cases: Array<[string, string]> = [
    ["fs#1", "fs#1(up,stdby up)"],
    ["fs#1(down)", "fs#1(down)"],
    ["ip#0( na , stdby  down )", "ip#0(n/a,stdby down)"],
  ];
  for (const [text, human] of cases) {
    test(`${JSON.stringify(text)} → ${human}`, () => {
      const r = parseRequires(text);
      assert.ok("requirements" in r, JSON.stringify(r));
      assert.equal(formatRequirement(r.requirements[0]!), human);
    });
  }
});

describe("unmetRequirement: requirements against the resources' current states", () => {
  const requirements = (text: string): Requirement[] => {
    const r = parseRequires(text);
    assert.ok("requirements" in r, JSON.stringify(r));
    return r.requirements;
  };
  const STATES = new Map<string, Status>([
    ["fs#1", "up"],
    ["fs#2", "down"],
    ["ip#0", "stdby up"],
    ["app#0", "n/a"],
    ["app#1", "warn"],
  ]);
  const cases: Array<[string, string | null]> = [
    ["", null],
    ["fs#1", null],
    ["fs#1(up)", null],
    ["ip#0", null],
    ["fs#2(down)", null],
    ["app#0(na)", null],
    ["fs#1 ip#0 fs#2(down,warn) app#1(warn)", null],
    // OpenSVC's message (spec §3.3), states joined by " or ".
    ["fs#2", "requires on resource fs#2 in state up or stdby up, current state down"],
    ["fs#1(down)", "requires on resource fs#1 in state down, current state up"],
    ["ip#0(up)", "requires on resource ip#0 in state up, current state stdby up"],
    ["app#1(up,stdby up,n/a)", "requires on resource app#1 in state up or stdby up or n/a, current state warn"],
    // A resource with no known state counts as undef (spec §3.2).
    ["fs#9", "requires on resource fs#9 in state up or stdby up, current state undef"],
    ["fs#9(undef)", null],
    // The first unmet condition, in the order written, is the one reported.
    ["fs#1 app#1(up) fs#2(up)", "requires on resource app#1 in state up, current state warn"],
    ["fs#2(up) app#1(up)", "requires on resource fs#2 in state up, current state down"],
  ];
  for (const [text, expected] of cases) {
    test(`${JSON.stringify(text)} → ${expected ?? "met"}`, () => assert.equal(unmetRequirement(requirements(text), STATES), expected));
  }
});
