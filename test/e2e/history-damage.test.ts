import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { hasStackTrace, makeRoot, uniqueMarker, waitFor, type TestRoot } from "./helpers.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";

/**
 * A damaged run history (emptied, or garbage inside) is refused by every command and by the
 * daemon with one clear message and exit 2, nothing runs without its record, and
 * `svcmgr history repair` keeps the damaged file aside so the next run starts a new history.
 */
describe("a damaged run history", { concurrency: 2 }, () => {
  after(killAllDaemons);

  const dbOf = (root: TestRoot) => root.path("var", "history.sqlite");

  /** A root with one task that appends to a marker file, run three times (a real history). */
  async function rootWithHistory(): Promise<{ root: TestRoot; marker: string }> {
    const root = makeRoot();
    const marker = root.path(`ran-${uniqueMarker()}`);
    root.writeConf("s", `[task#0]\ncommand = sh -c 'echo x >> ${marker}'\nschedule = @1s\n`);
    for (let i = 0; i < 3; i++) assert.equal((await root.runTasks("s", ["--rid", "task#0"])).status, 0);
    return { root, marker };
  }

  const timesRan = (marker: string) => (existsSync(marker) ? readFileSync(marker, "utf8").split("\n").length - 1 : 0);

  function scribble(file: string): void {
    const fd = openSync(file, "r+");
    const junk = Buffer.alloc(Math.max(0, statSync(file).size - 4096), 0xa5);
    writeSync(fd, junk, 0, junk.length, 4096);
    closeSync(fd);
  }

  function assertRefused(r: { status: number | null; stderr: string }, file: string): void {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^svcmgr: the run history database ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged \\(.+\\); svcmgr will not read or write it\\. .*svcmgr history repair`));
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  }

  test("an emptied file: print history and run are refused, the task does not run, the file is left as it is", async (t) => {
    const { root, marker } = await rootWithHistory();
    t.after(() => root.cleanup());
    writeFileSync(dbOf(root), "");
    assertRefused(await root.run(["-s", "s", "print", "history"]), dbOf(root));
    assertRefused(await root.runTasks("s", ["--rid", "task#0"]), dbOf(root));
    assert.equal(timesRan(marker), 3);
    assert.equal(statSync(dbOf(root)).size, 0);
  });

  test("garbage inside: refused with exit 2, not an internal error (70); history repair keeps it aside and runs go on", async (t) => {
    const { root, marker } = await rootWithHistory();
    t.after(() => root.cleanup());
    scribble(dbOf(root));
    const before = readFileSync(dbOf(root));
    assertRefused(await root.runTasks("s", ["--rid", "task#0"]), dbOf(root));
    assert.equal(timesRan(marker), 3);

    const repair = await root.run(["history", "repair"]);
    assert.equal(repair.status, 0, repair.stderr);
    assert.match(repair.stdout, /was damaged \(.+\)\nmoved it to .*history\.sqlite\.damaged-\d{4}-\d\d-\d\dT\d{6}Z/);
    const kept = readdirSync(root.path("var")).filter((f) => /^history\.sqlite\.damaged-\d{4}-\d\d-\d\dT\d{6}Z$/.test(f));
    assert.equal(kept.length, 1);
    assert.deepEqual(readFileSync(root.path("var", kept[0]!)), before, "the damaged file is kept as it was");

    const again = await root.runTasks("s", ["--rid", "task#0"]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(timesRan(marker), 4);
    assert.equal(root.history("s").length, 1, "a new history");
    const sound = await root.run(["history", "repair"]);
    assert.equal(sound.status, 0);
    assert.match(sound.stdout, /is sound: nothing to repair/);
  });

  test("daemon start and daemon run refuse a damaged history: exit 2, the reason said, no daemon left, nothing run", async (t) => {
    const { root, marker } = await rootWithHistory();
    t.after(() => root.cleanup());
    scribble(dbOf(root));
    assertRefused(await root.run(["daemon", "start"]), dbOf(root));
    const status = await root.run(["daemon", "status"]);
    assert.equal(status.status, 1, status.stdout);

    const daemon = Daemon.start(root);
    const exit = await daemon.exited;
    assert.equal(exit.code, 2, daemon.tail());
    const refused = daemon.find("history-refused");
    assert.equal(refused.length, 1, daemon.tail());
    assert.match(refused[0]!.message, /^not starting: the run history database .* is damaged/);
    assert.equal(daemon.find("started").length + daemon.find("finished").length, 0, daemon.tail());
    assert.equal(timesRan(marker), 3);
  });

  test("damage found while the daemon runs: it stops at once (exit 2), logs why, and reports no run that did not happen", async (t) => {
    const { root, marker } = await rootWithHistory();
    t.after(() => root.cleanup());
    const daemon = Daemon.start(root);
    await waitFor("a scheduled run", () => timesRan(marker) >= 4, 20_000);
    writeFileSync(dbOf(root), "garbage ".repeat(4096)); // in place: the daemon's open file changes under it
    const exit = await Promise.race([daemon.exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    assert.notEqual(exit, null, `the daemon did not stop\n${daemon.tail()}`);
    assert.equal(exit!.code, 2, daemon.tail());
    const damaged = daemon.find("history-damaged");
    assert.equal(damaged.length, 1, daemon.tail());
    assert.match(damaged[0]!.message, /is damaged .*The daemon stops: nothing more is run or recorded/);
    const ran = timesRan(marker);
    const finished = daemon.find("finished").filter((e) => !/^not-run /.test(e.message)).length;
    assert.ok(finished <= ran - 3, `${finished} runs logged as finished, ${ran - 3} ran\n${daemon.tail()}`);
  });
});
