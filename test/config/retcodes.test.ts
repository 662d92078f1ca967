import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_RETCODES, parseRetcodes, statusForExitCode, type RetcodeRules } from "../../src/config/retcodes.js";
import { findKeyword } from "../../src/config/keywords/index.js";

/** Spec §5.12 and design: `retcodes` maps a task's exit code to a status; unlisted codes give warn. */

/** The rules as [code, status] pairs, or the error. */
function parsed(text: string): Array<[number, string]> | string {
  const r = parseRetcodes(text);
  return "error" in r ? r.error : [...r.rules];
}

function rules(text: string): RetcodeRules {
  const r = parseRetcodes(text);
  assert.ok("rules" in r, JSON.stringify(r));
  return r.rules;
}

describe("parseRetcodes: accepted", () => {
  const cases: Array<[string, string, Array<[number, string]>]> = [
    ["the default", "0:up 1:down", [[0, "up"], [1, "down"]]],
    ["every status a rule can give", "0:up 1:down 2:warn 3:n/a 4:undef", [[0, "up"], [1, "down"], [2, "warn"], [3, "n/a"], [4, "undef"]]],
    ["one rule", "0:up", [[0, "up"]]],
    ["a non-zero code can be up", "0:up 2:up", [[0, "up"], [2, "up"]]],
    ["0 need not be up", "0:down 1:up", [[0, "down"], [1, "up"]]],
    ["tabs, newlines and runs of blanks separate rules", "  0:up\t\t3:warn\n 1:down ", [[0, "up"], [3, "warn"], [1, "down"]]],
    ["leading zeros are the same code", "007:warn", [[7, "warn"]]],
    ["a negative code", "-1:down", [[-1, "down"]]],
  ];
  for (const [name, text, expected] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () => assert.deepEqual(parsed(text), expected));
  }

  test("the default rules are the keyword's default", () => {
    assert.equal(DEFAULT_RETCODES, "0:up 1:down");
    assert.equal(findKeyword("task", "retcodes")?.default, DEFAULT_RETCODES);
  });
});

describe("parseRetcodes: refused, naming the bad rule and what is allowed", () => {
  const ALLOWED = 'rules "<exit code>:<status>" separated by spaces, status one of up, down, warn, n/a, undef';
  const cases: Array<[string, string, string]> = [
    ["an unknown status", "0:up 1:sideways", `${ALLOWED} ("1:sideways" is not)`],
    ["statuses are lower case", "0:UP", `${ALLOWED} ("0:UP" is not)`],
    ["na is not n/a here", "0:na", `${ALLOWED} ("0:na" is not)`],
    ["a stdby status cannot be written (the blank splits it)", "0:stdby up", `${ALLOWED} ("0:stdby" is not)`],
    ["no status", "0:", `${ALLOWED} ("0:" is not)`],
    ["no code", ":up", `${ALLOWED} (":up" is not)`],
    ["a code that is not a number", "x:up", `${ALLOWED} ("x:up" is not)`],
    ["a fractional code", "1.5:up", `${ALLOWED} ("1.5:up" is not)`],
    ["a plus sign", "+1:up", `${ALLOWED} ("+1:up" is not)`],
    ["no colon", "0up", `${ALLOWED} ("0up" is not)`],
    ["two colons", "0:up:down", `${ALLOWED} ("0:up:down" is not)`],
    ["a blank before the colon", "0 :up", `${ALLOWED} ("0" is not)`],
    ["a comma list (OpenSVC separates by spaces)", "0:up,1:down", `${ALLOWED} ("0:up,1:down" is not)`],
    ["the first bad rule is named", "0:up 1:bad 2:worse", `${ALLOWED} ("1:bad" is not)`],
    // A second rule for a code would silently drop one of the two.
    ["the same code twice", "0:up 1:down 0:down", 'one rule per exit code ("0:down" repeats exit code 0)'],
    ["the same code twice, same status", "0:up 0:up", 'one rule per exit code ("0:up" repeats exit code 0)'],
    ["the same code written two ways", "1:down 01:warn", 'one rule per exit code ("01:warn" repeats exit code 1)'],
    // Unlike OpenSVC, which falls back to the default silently, no rule at all is an error.
    ["empty", "", 'at least one "<exit code>:<status>" rule, e.g. "0:up 1:down"'],
    ["blanks only", " \t ", 'at least one "<exit code>:<status>" rule, e.g. "0:up 1:down"'],
  ];
  for (const [name, text, error] of cases) {
    test(`${name}: ${JSON.stringify(text)}`, () => assert.equal(parsed(text), error));
  }
});

describe("statusForExitCode", () => {
  test("the default rules: 0 up, 1 down, any other code warn", () => {
    const r = rules(DEFAULT_RETCODES);
    const got = [0, 1, 2, 127, 255, -1].map((code) => [code, statusForExitCode(r, code)]);
    assert.deepEqual(got, [[0, "up"], [1, "down"], [2, "warn"], [127, "warn"], [255, "warn"], [-1, "warn"]]);
  });

  test("listed codes give their status; unlisted codes give warn, 0 and 1 included", () => {
    const r = rules("2:up 3:n/a 4:undef 5:down");
    const got = [0, 1, 2, 3, 4, 5, 6].map((code) => statusForExitCode(r, code));
    assert.deepEqual(got, ["warn", "warn", "up", "n/a", "undef", "down", "warn"]);
  });

  test("an explicit warn rule and an unlisted code agree", () => {
    const r = rules("0:up 3:warn");
    assert.equal(statusForExitCode(r, 3), "warn");
    assert.equal(statusForExitCode(r, 4), "warn");
  });

  test("leading zeros in the rule match the plain code", () => {
    assert.equal(statusForExitCode(rules("0:up 01:up"), 1), "up");
  });
});
