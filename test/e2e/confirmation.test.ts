import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { baseEnv, CLI, collect, ranRids, rootPerSuite, waitForOutput, type CliResult, type TestRoot } from "./helpers.js";

/** Spec §5.5, design §5 Confirmation. */
const PROMPT = "Do you really want to run task#3 (yes/no) > ";

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI under a real pseudo-terminal (util-linux `script`), waits for the prompt, then
 * types `answer`. The pty merges the CLI's stdout and stderr into `stdout`.
 */
async function runOnTty(args: readonly string[], answer: string, env: Record<string, string | undefined> = {}): Promise<CliResult & { beforeAnswer: string }> {
  const command = [process.execPath, CLI, ...args].map(shQuote).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { env: baseEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  const done = collect(child);
  const beforeAnswer = await waitForOutput(child, "stdout", /\(yes\/no\) > /);
  child.stdin.end(answer);
  return { ...(await done), beforeAnswer };
}

describe("confirmation = true", { concurrency: 4 }, () => {
  const suite = rootPerSuite("conf");
  const service = () => suite.service("[task#3]\ncommand = echo ran task#3\nconfirmation = true\n").name;

  test("stdin not a terminal (/dev/null): refused at once, exit 1, the message names --confirm", async () => {
    const svc = service();
    const r = await suite.root.runTasks(svc);
    assert.equal(r.status, 1);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /--confirm/);
    assert.ok(!r.stderr.includes(PROMPT), "no prompt without a terminal");
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.equal(suite.root.history(svc).at(-1)?.status, "aborted");
  });

  test("stdin a pipe carrying yes: still refused (not a terminal)", async () => {
    const r = await suite.root.runTasks(service(), [], { input: "yes\n" });
    assert.equal(r.status, 1);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /--confirm/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  test("--confirm: runs without asking", async () => {
    const r = await suite.root.runTasks(service(), ["--confirm"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#3"]);
    assert.match(r.stderr, /confirmed by command line option/);
  });

  test("Ctrl-C at the prompt: refused as interrupted, nothing runs, exit 130", async () => {
    const svc = service();
    const r = await runOnTty(["--root", suite.root.dir, "-s", svc, "run"], "\x03");
    assert.equal(r.status, 130, r.stdout);
    assert.match(r.stdout, /task#3: error: run aborted: interrupted/);
    assert.ok(!/^ran task#3/m.test(r.stdout));
    assert.ok(r.ms < 10_000, `took ${r.ms} ms (the prompt waits 30 s)`);
    assert.equal(suite.root.history(svc).at(-1)?.status, "aborted");
  });

  test("--cron: refused, even with a terminal", async () => {
    const r = await runOnTtyOrCron(suite.root, service());
    assert.equal(r.status, 1);
    assert.ok(!r.stdout.includes(PROMPT));
    assert.ok(!/^ran task#3/m.test(r.stdout));
    assert.match(r.stdout, /--cron/);
  });

  test("--cron --confirm: still refused (a scheduled run never runs a confirmation task), nothing runs, exit 1", async () => {
    const svc = service();
    const r = await suite.root.runTasks(svc, ["--cron", "--confirm"]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /never given to scheduled \(--cron\) runs/);
    assert.equal(suite.root.history(svc).at(-1)?.status, "aborted");
  });

  test("on a terminal, answer yes: the three-line prompt, then the task runs", async () => {
    const r = await runOnTty(["--root", suite.root.dir, "-s", service(), "run"], "yes\n");
    assert.equal(r.status, 0, r.stdout);
    assert.ok(
      r.beforeAnswer.includes(
        "This task run requires confirmation.\r\nPlease make sure you fully understand its role and effects before confirming the run.\r\n" + PROMPT,
      ),
      JSON.stringify(r.beforeAnswer),
    );
    assert.ok(!/^ran task#3/m.test(r.beforeAnswer), "nothing ran before the answer");
    assert.match(r.stdout, /run confirmed/);
    assert.match(r.stdout, /^ran task#3\r?$/m);
  });

  test("on a terminal, answer no: aborted, exit 1", async () => {
    const svc = service();
    const r = await runOnTty(["--root", suite.root.dir, "-s", svc, "run"], "no\n");
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /run aborted/);
    assert.ok(!/^ran task#3/m.test(r.stdout));
    assert.equal(suite.root.history(svc).at(-1)?.status, "aborted");
  });

  test("on a terminal, end of input (Ctrl-D) instead of an answer: aborted, exit 1", async () => {
    const r = await runOnTty(["--root", suite.root.dir, "-s", service(), "run"], "\x04");
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /run aborted/);
    assert.ok(!/^ran task#3/m.test(r.stdout));
  });

  test("on a terminal, colour unless NO_COLOR", async () => {
    const coloured = await runOnTty(["--root", suite.root.dir, "-s", service(), "run"], "no\n", { NO_COLOR: undefined, TERM: "xterm" });
    assert.match(coloured.stdout, /\x1b\[31merror: /);
    const plain = await runOnTty(["--root", suite.root.dir, "-s", service(), "run"], "no\n", { NO_COLOR: "1", TERM: "xterm" });
    assert.ok(!plain.stdout.includes("\x1b["), JSON.stringify(plain.stdout));
  });
});

/** `run --cron` under a pseudo-terminal: no prompt is expected, so nothing is typed. */
function runOnTtyOrCron(root: TestRoot, svc: string): Promise<CliResult> {
  const command = [process.execPath, CLI, "--root", root.dir, "-s", svc, "run", "--cron"].map(shQuote).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { env: baseEnv(), stdio: ["pipe", "pipe", "pipe"] });
  return collect(child);
}
