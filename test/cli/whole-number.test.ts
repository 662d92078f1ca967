import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ANY_COUNT, parseWholeNumber, wholeNumberError } from "../../src/cli/whole-number.js";

describe("whole-number options", () => {
  test("whole numbers within the range are taken; anything else is refused", () => {
    assert.equal(parseWholeNumber("42", [1, 100]), 42);
    assert.equal(parseWholeNumber("1", [1, 100]), 1);
    assert.equal(parseWholeNumber("100", [1, 100]), 100);
    assert.equal(parseWholeNumber("0", ANY_COUNT), 0);
    for (const bad of ["0", "101", "-1", "1.5", "1e3", "", " ", "abc", "0x10", "2,3"]) {
      assert.equal(parseWholeNumber(bad, [1, 100]), null, JSON.stringify(bad));
    }
  });

  test("the error names the option, the value as typed and what is allowed", () => {
    assert.equal(wholeNumberError("limit", "-1", [1, Number.MAX_SAFE_INTEGER]), "--limit -1: expected a whole number 1 or more");
    assert.equal(wholeNumberError("count", "0", [1, 10_000]), "--count 0: expected a whole number from 1 to 10000");
  });
});
