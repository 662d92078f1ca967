import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { hasExited, parseProcStat, readProcStat } from "../../src/platform/proc-stat.js";
import { skipUnless } from "../helpers/require-all.js";

/** A stat line as the kernel writes it: fields 3… numbered after themselves, but state, pgrp and start time. */
function statLine(pid: number, comm: string, { state = "S", pgrp = 77, startTime = 123456789 } = {}): string {
  const rest = Array.from({ length: 52 - 2 }, (_, i) => String(i + 3)); // rest[0] is field 3
  rest[3 - 3] = state;
  rest[5 - 3] = String(pgrp);
  rest[22 - 3] = String(startTime);
  return `${pid} (${comm}) ${rest.join(" ")}\n`;
}

describe("parseProcStat", () => {
  const tricky = ["a) b (c", "my (odd) cmd", "))", "((", ") S 1 2 (", "x) Z 9 9 (", "", " ", "tab\there", "new\nline)"];
  for (const comm of tricky) {
    test(`reads the fields past a command named ${JSON.stringify(comm)}`, () => {
      const stat = parseProcStat(statLine(4242, comm, { state: "R", pgrp: 4240, startTime: 987 }));
      assert.ok(stat !== null);
      assert.equal(stat.pid, 4242);
      assert.equal(stat.comm, comm);
      assert.equal(stat.state, "R");
      assert.equal(stat.pgrp, 4240);
      assert.equal(stat.startTime, 987);
      assert.equal(stat.fields[14 - 1], "14", "fields[n - 1] is field n");
      assert.equal(stat.fields.at(-1), "52", "the trailing newline is not part of the last field");
    });
  }

  test("a zombie or a dead process has exited, a sleeping one has not", () => {
    assert.equal(hasExited(parseProcStat(statLine(1, "x", { state: "Z" }))!), true);
    assert.equal(hasExited(parseProcStat(statLine(1, "x", { state: "X" }))!), true);
    assert.equal(hasExited(parseProcStat(statLine(1, "x) Z 1 (", { state: "S" }))!), false);
  });

  test("text that is not a stat line is refused, not misread", () => {
    assert.equal(parseProcStat("garbage"), null);
    assert.equal(parseProcStat(""), null);
    assert.equal(parseProcStat("1 (x) S 1 2"), null, "too few fields: no start time");
    assert.equal(parseProcStat("(x) S 1 2"), null, "no pid");
    assert.equal(parseProcStat(statLine(1, "x").replace(" 123456789 ", " 12e3 ")), null, "a start time that is not an integer");
    assert.equal(parseProcStat(statLine(1, "x").replace(" 77 ", " -1 ")), null, "a negative group");
  });
});

describe("readProcStat on live processes", { skip: skipUnless(process.platform === "linux", "needs Linux /proc") }, () => {
  test("this process: its own pid, a state and a start time", () => {
    const stat = readProcStat(process.pid);
    assert.ok(stat !== null);
    assert.equal(stat.pid, process.pid);
    assert.ok(stat.pgrp > 0 && stat.startTime > 0);
    assert.equal(hasExited(stat), false);
  });

  test("no process, no stat: a pid that cannot exist and nonsense pids", () => {
    assert.equal(readProcStat(2 ** 30), null);
    assert.equal(readProcStat(0), null);
    assert.equal(readProcStat(-1), null);
    assert.equal(readProcStat(1.5), null);
  });

  // The kernel names a process after the file it executes (up to 15 bytes): a link named so
  // gives a real stat line with that command.
  for (const name of ["a) b (c", "x) Z 9 9 (", "))"]) {
    test(`a real process named ${JSON.stringify(name)}: its command, state and group are read right`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "svcmgr-procstat-"));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const program = join(dir, name);
      symlinkSync("/bin/sleep", program);
      const child = spawn(program, ["30"], { detached: true, stdio: "ignore" });
      t.after(() => child.kill("SIGKILL"));
      await once(child, "spawn");
      let stat = readProcStat(child.pid!);
      for (let i = 0; i < 200 && stat?.comm !== name; i++) {
        await delay(10); // until the exec has happened
        stat = readProcStat(child.pid!);
      }
      assert.ok(stat !== null);
      assert.equal(stat.comm, name);
      assert.equal(stat.pid, child.pid);
      assert.equal(stat.pgrp, child.pid, "detached: leader of its own group");
      assert.match(stat.state, /^[RSD]$/);
      assert.equal(hasExited(stat), false);
    });
  }
});
