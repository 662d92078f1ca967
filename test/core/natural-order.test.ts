import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { naturalCompare } from "../../src/core/natural-order.js";

const sorted = (xs: string[]) => [...xs].sort(naturalCompare);

test("digit runs compare by value: task#2 before task#10", () => {
  assert.deepEqual(sorted(["task#10", "task#2", "task#1", "task#backup", "fs#data", "task#0"]), ["fs#data", "task#0", "task#1", "task#2", "task#10", "task#backup"]);
});

test("service paths: db2 before db10, namespaces after plain names sharing a prefix", () => {
  assert.deepEqual(sorted(["db10", "db2", "app", "prod/svc/db", "db"]), ["app", "db", "db2", "db10", "prod/svc/db"]);
});

test("numbers longer than any integer type still compare by value", () => {
  assert.ok(naturalCompare("x99999999999999999999", "x100000000000000000000") < 0);
});

test("equal values: fewer leading zeros first, and only identical strings compare equal", () => {
  assert.ok(naturalCompare("task#1", "task#01") < 0);
  assert.equal(naturalCompare("task#01", "task#01"), 0);
});

test("a total order: antisymmetric, and zero only for equal strings", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9#]{0,8}$/), fc.stringMatching(/^[a-z0-9#]{0,8}$/), (a, b) => {
      const ab = Math.sign(naturalCompare(a, b));
      assert.equal(ab + Math.sign(naturalCompare(b, a)), 0);
      assert.equal(ab === 0, a === b);
    }),
  );
});

test("transitive over random triples", () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[a-c0-9]{0,6}$/), { minLength: 3, maxLength: 3 }), ([a, b, c]) => {
      if (naturalCompare(a!, b!) <= 0 && naturalCompare(b!, c!) <= 0) assert.ok(naturalCompare(a!, c!) <= 0);
    }),
  );
});
