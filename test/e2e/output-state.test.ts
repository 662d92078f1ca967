import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { hasStackTrace, makeRoot, ranRids, spawnCli, type TestRoot } from "./helpers.js";

/** Design §2, §5, §7: what a run leaves behind, and what the user sees of it. */
describe("output, state files and history", { concurrency: 4 }, () => {
  let root: TestRoot;
  before(() => {
    root = makeRoot();
  });
  after(() => root.cleanup());

  test("task stdout and stderr reach the CLI's stdout and stderr, and the service log with rid and session", async () => {
    root.writeConf("out", "[task#0]\ncommand = echo to-stdout; echo to-stderr >&2; printf 'no newline'\n");
    const r = await root.runTasks("out");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "to-stdout\nno newline\n");
    assert.deepEqual(r.stderr.split("\n").filter((l) => l.startsWith("to-")), ["to-stderr"], "stderr lines verbatim, not prefixed");
    assert.ok(!r.stdout.includes("to-stderr"));
    const session = root.lastRun("out", "task#0")!.session;
    const log = root.serviceLog("out");
    const sid = `sid=${session.slice(0, 8)}`;
    assert.match(log, new RegExp(`^\\S+Z INFO  ${sid} rid=task#0 \\| \\| to-stdout$`, "m"));
    assert.match(log, new RegExp(`^\\S+Z ERROR ${sid} rid=task#0 \\| \\| to-stderr$`, "m"));
    assert.match(log, new RegExp(`^\\S+Z INFO  ${sid} rid=task#0 \\| \\| no newline$`, "m"));
    assert.match(log, new RegExp(`${sid} \\| do run .*\\(session ${session}\\)`));
    assert.match(log, new RegExp(`${sid} rid=task#0 \\| command exited with code 0`));
  });

  test("log = false keeps the task's output out of the service log, not off the terminal", async () => {
    root.writeConf("nolog", "[task#0]\ncommand = echo secret-output\nlog = false\n");
    const r = await root.runTasks("nolog");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "secret-output\n");
    assert.ok(!root.serviceLog("nolog").includes("| secret-output"), root.serviceLog("nolog"));
    assert.match(root.serviceLog("nolog"), /rid=task#0 \| command exited with code 0/);
  });

  test("last_run: time, exit code, status, duration, session", async () => {
    root.writeConf("state", "[task#0]\ncommand = sh -c 'sleep 0.2; exit 4'\noptional = true\n\n[task#1]\ncommand = true\n");
    const before = Date.now();
    const r = await root.runTasks("state");
    assert.equal(r.status, 0, r.stderr);
    const failed = root.lastRun("state", "task#0")!;
    const ok = root.lastRun("state", "task#1")!;
    const at = Date.parse(failed.at);
    assert.ok(at >= before - 1000 && at <= Date.now(), `at ${failed.at}`);
    assert.equal(failed.exitCode, 4);
    assert.equal(failed.status, "failed");
    assert.ok(failed.durationMs >= 200 && failed.durationMs < 5000, `durationMs ${failed.durationMs}`);
    assert.equal(failed.trigger, "manual");
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.status, "succeeded");
    assert.equal(ok.session, failed.session);
    assert.ok(Date.parse(ok.at) >= at + failed.durationMs, "tasks run one after the other");
  });

  test("history: one record per manual run; initiatedBy is SUDO_USER when set, else the user; the run log holds the output", async () => {
    root.writeConf("hist", "[task#0]\ncommand = echo hello from the task\n");
    const first = await root.runTasks("hist", [], { env: { SUDO_USER: "alice" } });
    const second = await root.runTasks("hist", [], { env: { USER: undefined } });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(second.status, 0, second.stderr);
    const recs = root.history("hist");
    assert.equal(recs.length, 2);
    const me = userInfo().username;
    assert.deepEqual(recs.map((h) => [h.rid, h.trigger, h.status, h.exitCode, h.initiatedBy]), [
      ["task#0", "manual", "succeeded", 0, "alice"],
      ["task#0", "manual", "succeeded", 0, me],
    ]);
    assert.equal(recs[1]!.user, me, "the record names the user the task ran as, even without $USER");
    assert.notEqual(recs[0]!.session, recs[1]!.session);
    assert.equal(recs[1]!.session, root.lastRun("hist", "task#0")!.session);
    assert.equal(recs[1]!.outputHead, "hello from the task\n");
    const logFile = recs[1]!.logFile!;
    assert.equal(logFile, root.path("log", "runs", "hist", "task#0", `${recs[1]!.id}.log`));
    assert.equal(readFileSync(logFile, "utf8"), "hello from the task\n");
  });

  test("a reader that goes away (| head) neither crashes the CLI nor loses the run: it finishes and is recorded", async () => {
    root.writeConf("piped", "[task#0]\ncommand = seq 1 300000\n");
    /** Reads the first chunk of stdout, then closes its end of the pipe, as `head -1` does. */
    const closeEarly = async (args: string[]) => {
      const child = spawnCli(["--root", root.path(), ...args]);
      let stderr = "";
      child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      child.stdout!.destroy();
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once("exit", (c, s) => resolve([c, s])));
      return { code, signal, stderr };
    };
    const run = await closeEarly(["-s", "piped", "run"]);
    assert.deepEqual([run.code, run.signal], [0, null], run.stderr);
    assert.equal(hasStackTrace(run.stderr), false, run.stderr);
    const rec = root.history("piped")[0]!;
    assert.equal(rec.status, "succeeded");
    assert.equal(rec.outputBytes, Buffer.byteLength(Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join("")), "the task ran to its end");
    const help = await closeEarly(["keywords"]);
    assert.deepEqual([help.code, help.signal], [0, null], help.stderr);
    assert.equal(help.stderr, "");
  });

  test("a silent run writes no output file; print run --full shows it empty", async () => {
    root.writeConf("silent", "[task#0]\ncommand = true\n");
    const r = await root.runTasks("silent");
    assert.equal(r.status, 0, r.stderr);
    const rec = root.history("silent")[0]!;
    assert.equal(rec.outputBytes, 0);
    assert.equal(existsSync(rec.logFile!), false);
    const full = await root.run(["-s", "silent", "print", "run", String(rec.id), "--full", "--format", "json"]);
    assert.equal(full.status, 0, full.stderr);
    assert.equal((JSON.parse(full.stdout) as { output: string }).output, "");
  });

  test("an output file that cannot be written costs a warning, never the run's record or last_run", async () => {
    root.writeConf("unwritable", "[task#0]\ncommand = echo kept in the excerpt\n");
    mkdirSync(root.path("log", "runs"), { recursive: true });
    writeFileSync(root.path("log", "runs", "unwritable"), "a file where the service's run log directory should be\n");
    const r = await root.runTasks("unwritable");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /run log .*unwritable.*ENOTDIR/);
    const rec = root.history("unwritable")[0]!;
    assert.equal(rec.status, "succeeded");
    assert.equal(rec.outputHead, "kept in the excerpt\n");
    assert.equal(root.lastRun("unwritable", "task#0")!.status, "succeeded");
  });

  test("print status --format json: resources with states, each task's last run", async () => {
    const dir = root.path("status-dir");
    root.writeConf(
      "status",
      `[fs#0]\ntype = directory\npath = ${dir}\n\n[app#0]\ncheck = true\n\n[task#0]\ncommand = true\n\n[task#1]\ncommand = true\ndisable = true\n\n[task#2]\ncommand = false\noptional = true\nsubset = g1\n`,
    );
    await root.runTasks("status");
    const r = await root.run(["-s", "status", "print", "status", "--format", "json"]);
    assert.equal(r.status, 0, r.stderr);
    const st = JSON.parse(r.stdout) as {
      service: string;
      avail: string;
      resources: Array<{ rid: string; status: string; disabled: boolean; optional: boolean; running: number; driver: string; subset?: string; lastRun?: { status: string; exitCode: number } | null }>;
    };
    assert.equal(st.service, "status");
    const by = new Map(st.resources.map((x) => [x.rid, x]));
    assert.deepEqual([...by.keys()].sort(), ["app#0", "fs#0", "task#0", "task#1", "task#2"]);
    assert.equal(by.get("fs#0")!.status, "down");
    assert.equal(by.get("app#0")!.status, "up");
    assert.equal(by.get("task#0")!.lastRun?.status, "succeeded");
    assert.equal(by.get("task#0")!.lastRun?.exitCode, 0);
    assert.equal(by.get("task#1")!.disabled, true);
    assert.equal(by.get("task#1")!.lastRun ?? null, null, "a disabled task never ran");
    assert.equal(by.get("task#2")!.lastRun?.status, "failed");
    assert.equal(by.get("task#2")!.optional, true);
    assert.equal(by.get("task#2")!.subset, "g1");
    for (const x of st.resources) assert.equal(x.running, 0);

    const text = await root.run(["-s", "status", "print", "status"]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /task#0 .* succeeded \(exit 0\)/);
    assert.match(text.stdout, /fs#0 .* down/);
  });

  test("--dry-run runs nothing and shows mode, user, cwd and argv on stdout", async () => {
    const marker = root.path("dry-marker");
    root.writeConf("dry", `[task#0]\ncommand = touch ${marker}\ncwd = /tmp\n\n[task#1]\ncommand = touch ${marker} && echo x\n`);
    const r = await root.runTasks("dry", ["--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(marker), "nothing ran");
    const lines = r.stdout.split("\n");
    assert.equal(lines.length, 3, r.stdout);
    assert.match(lines[0]!, new RegExp(`^dry task#0: would run \\(exec\\) as \\S+ in /tmp: touch ${marker}$`));
    assert.ok(lines[1]!.startsWith(`dry task#1: would run (shell) as ${userInfo().username} in `), r.stdout);
    assert.ok(lines[1]!.endsWith(`: /bin/sh -c 'touch ${marker} && echo x'`), r.stdout);
    assert.equal(root.lastRun("dry", "task#0"), null);
    assert.equal(root.history("dry").length, 0, "a dry run leaves no history");
  });

  test("shell detection: && and ; go through sh, a plain command is exec'd", async () => {
    const d = root.path("shell-dir");
    root.writeConf(
      "shell",
      `[task#0]\ncommand = touch ${d}-a && touch ${d}-b\n\n[task#1]\ncommand = touch ${d}-c;touch ${d}-d\n\n[task#2]\ncommand = touch ${d}-e '${d}-f g'\n`,
    );
    const r = await root.runTasks("shell");
    assert.equal(r.status, 0, r.stderr);
    for (const f of ["a", "b", "c", "d", "e", "f g"]) assert.ok(existsSync(`${d}-${f}`), `${d}-${f} created`);
    assert.match(r.stderr, /task#0: command: \/bin\/sh -c '.*-a && touch .*-b'/);
    assert.match(r.stderr, /task#1: command: \/bin\/sh -c '.*-c;touch .*-d'/);
    assert.match(r.stderr, new RegExp(`task#2: command: touch ${d}-e '${d}-f g'$`, "m"), "exec'd with the quoted word kept whole");
    assert.ok(!existsSync(`${d}-f`) && !existsSync(join(root.dir, "g")), "the quoted word was not split");
    assert.deepEqual(ranRids(r.stdout), []);
  });
});
