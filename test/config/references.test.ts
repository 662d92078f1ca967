import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluateReferences } from "../../src/config/references.js";

const values: Record<string, string> = { name: "db", nodes: "n1 n2 n3", "env.foo": "FOOVAL", loop: "{loop}" };
const lookup = (n: string, d: number) => (values[n] === undefined ? undefined : evaluateReferences(values[n]!, lookup, d));

test("known references, modifiers, length and index", () => {
  assert.equal(evaluateReferences("{name} {upper:name} {#nodes} {nodes[1]} {env.foo}", lookup), "db DB 3 n2 FOOVAL");
  assert.equal(evaluateReferences("{capitalize:name} {title:env.foo} {swapcase:name}", lookup), "Db Fooval DB");
});

test("unknown references and shell variables stay literal", () => {
  assert.equal(evaluateReferences("echo ${HOME} {nope} {}", lookup), "echo ${HOME} {nope} {}");
});

test("a reference loop is an error, not a hang", () => {
  assert.throws(() => evaluateReferences("{loop}", lookup), /nested deeper than 20/);
});
