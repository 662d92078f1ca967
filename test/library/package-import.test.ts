import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule, ScheduleSyntaxError, parseIni, KEYWORDS } from "svcmgr";

// The package's own name resolves through package.json "exports" to the built library.
test("the library is importable as svcmgr and follows the schedule contract", () => {
  const s = parseSchedule("30 2 * * *", { timezone: "Europe/Berlin" });
  assert.equal(s.next(new Date("2025-03-29T23:00:00Z"))?.toISOString(), "2025-03-30T01:00:00.000Z");
  assert.throws(() => parseSchedule("09:00-25:00@10"), ScheduleSyntaxError);
  assert.equal(parseIni("[task#0]\ncommand = x\n", "f").doc.sections[0]!.name, "task#0");
  assert.ok(KEYWORDS.task.some((k) => k.option === "command"));
});
