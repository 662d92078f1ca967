import { test } from "node:test";
import assert from "node:assert/strict";
import { initiatingUser } from "../../src/history/initiator.js";

const cases: { env: Record<string, string | undefined>; current: string; expected: string }[] = [
  { env: { SUDO_USER: "alice" }, current: "root", expected: "alice" },
  { env: { SUDO_USER: "" }, current: "root", expected: "root" },
  { env: {}, current: "bob", expected: "bob" },
];

for (const c of cases) {
  test(`initiatingUser(${JSON.stringify(c.env)}, ${c.current}) = ${c.expected}`, () => {
    assert.equal(initiatingUser(c.env, c.current), c.expected);
  });
}
