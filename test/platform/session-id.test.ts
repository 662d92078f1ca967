import assert from "node:assert/strict";
import { test } from "node:test";
import { newSessionId } from "../../src/platform/session-id.js";

test("session ids are version-4 UUIDs, all distinct across many refills of the random pool", () => {
  const ids = Array.from({ length: 1000 }, () => newSessionId());
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
});
