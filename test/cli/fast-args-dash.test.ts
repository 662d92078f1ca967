import { test } from "node:test";
import assert from "node:assert/strict";
import { fastParse } from "../../src/cli/fast-args.js";
import { COMMANDS } from "../../src/cli/commands/index.js";

test("`--` hands the rest to a command that takes a command line (exec), untouched; other commands leave it to yargs", () => {
  const p = fastParse(["-s", "db", "exec", "--wait", "--memory", "64m", "--", "sh", "-c", "echo --wait", "--"], COMMANDS);
  assert.ok(p !== null);
  assert.deepEqual(p.command.words, ["exec"]);
  assert.deepEqual([p.args.service, p.args.wait, p.args.memory], ["db", true, "64m"]);
  assert.deepEqual(p.args["--"], ["sh", "-c", "echo --wait", "--"]);
  assert.equal(fastParse(["-s", "db", "run", "--", "x"], COMMANDS), null);
  assert.equal(fastParse(["ls", "--"], COMMANDS), null);
});
