import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquirePidFile, livePid } from "../../src/platform/pid-file.js";
import { skipUnlessNative } from "../helpers/require-all.js";

const moduleUrl = new URL("../../src/platform/pid-file.ts", import.meta.url).pathname;

function pidPath(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-pidfile-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "var", "daemon.pid");
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

/**
 * A process that claims the pid file at `startAt` (epoch ms), prints "won" or "lost <pid>",
 * and holds what it won until killed.
 */
function claimer(t: { after: (fn: () => void) => void }, path: string, mechanism: string, startAt = 0) {
  const body = `import { acquirePidFile } from ${JSON.stringify(moduleUrl)};
    while (Date.now() < ${startAt}) {}
    const c = acquirePidFile(${JSON.stringify(path)}, Date.now(), { mechanism: ${JSON.stringify(mechanism)} });
    console.log(c.ok ? "won" : "lost " + (c.owner?.pid ?? "?"));
    setTimeout(() => {}, 60000);`;
  const p = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => p.kill("SIGKILL"));
  const said = new Promise<string>((resolve) => {
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()).includes("\n") && resolve(out.trim()));
    p.once("exit", () => resolve(out.trim() || "exited"));
  });
  return { process: p, said };
}

const mechanisms: Array<["flock" | "file", string | false]> = [
  ["flock", skipUnlessNative()],
  ["file", false],
];

for (const [mechanism, skip] of mechanisms) {
  describe(`pid file (${mechanism})`, { skip }, () => {
    test("a second claim while it is held is refused with the holder's pid; after release the next one gets it", async (t) => {
      const path = pidPath(t);
      const holder = claimer(t, path, mechanism);
      assert.equal(await holder.said, "won");
      const refused = acquirePidFile(path, Date.now(), { mechanism });
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.owner?.pid, holder.process.pid);
      assert.equal(livePid(path)?.pid, holder.process.pid);

      holder.process.kill("SIGKILL");
      await new Promise((r) => holder.process.once("exit", r));
      const mine = acquirePidFile(path, 1234, { mechanism });
      assert.equal(mine.ok, true, "a killed holder does not block the next start");
      assert.deepEqual({ ...livePid(path), startTime: 0 }, { pid: process.pid, startTime: 0, startedAt: 1234 });
      if (mine.ok) mine.release();
      assert.equal(livePid(path), null, "released: no daemon named");
      const again = acquirePidFile(path, Date.now(), { mechanism });
      assert.equal(again.ok, true);
      if (again.ok) again.release();
    });

    test("a file naming a process that is gone does not block a start", (t) => {
      const path = pidPath(t);
      acquirePidFile(path, 0, { mechanism: "file" }); // makes the directory
      writeFileSync(path, JSON.stringify({ pid: deadPid(), startTime: null, startedAt: 0 }));
      const c = acquirePidFile(path, 5, { mechanism });
      assert.equal(c.ok, true);
      assert.equal(livePid(path)?.pid, process.pid);
      if (c.ok) c.release();
    });
  });
}

describe("pid file (flock)", { skip: skipUnlessNative() }, () => {
  test("daemons starting at the same instant over a stale file: exactly one gets it", async (t) => {
    const path = pidPath(t);
    acquirePidFile(path, 0, { mechanism: "file" });
    writeFileSync(path, JSON.stringify({ pid: deadPid(), startTime: null, startedAt: 0 }));
    const startAt = Date.now() + 2500; // after every claimer has loaded
    const claimers = Array.from({ length: 6 }, () => claimer(t, path, "flock", startAt));
    const said = await Promise.all(claimers.map((c) => c.said));
    const winners = claimers.filter((_, i) => said[i] === "won");
    assert.equal(winners.length, 1, said.join(", "));
    assert.equal(livePid(path)?.pid, winners[0]!.process.pid);
    for (const s of said.filter((x) => x !== "won")) assert.match(s, new RegExp(`^lost (${winners[0]!.process.pid}|\\?)$`));
  });

  test("a clean stop empties the file and leaves it in place", (t) => {
    const path = pidPath(t);
    const c = acquirePidFile(path, 0);
    assert.equal(c.ok, true);
    if (c.ok) c.release();
    assert.equal(existsSync(path), true);
    assert.equal(readFileSync(path, "utf8"), "");
  });
});
