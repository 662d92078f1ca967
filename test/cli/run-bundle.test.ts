/**
 * The run bundle (cli-run.cjs) parses command lines with the run command's options only; the
 * full bundle (cli.cjs) with every command's. Whatever the run bundle accepts must read the same
 * with every command, or a run would behave differently depending on the bundle it went
 * through. A new command whose words start with `run`, or an option that is a flag for run but
 * takes a value elsewhere, breaks this, and these tests say so.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bundleFor, commandWord, FULL_BUNDLE, RUN_BUNDLE } from "../../src/cli/bundles.js";
import { fastParse } from "../../src/cli/fast-args.js";
import { GLOBAL_OPTIONS } from "../../src/cli/global-options.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { RUN_BUNDLE_COMMANDS } from "../../src/cli/commands/run-bundle.js";
import type { OptionSpec } from "../../src/cli/command.js";

const tables: Array<Readonly<Record<string, OptionSpec>>> = [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {})];
const VALUES = ["db", "task#0", "run", "print", "10", "0", "text", "json", "true", "false", "K=V", "-", "--", "web*"];
const optionTokens = tables.flatMap((t) =>
  Object.entries(t).flatMap(([name, spec]) => [
    `--${name}`,
    ...VALUES.slice(0, 3).map((v) => `--${name}=${v}`),
    ...(spec.alias === undefined ? [] : [spec.alias.length === 1 ? `-${spec.alias}` : `--${spec.alias}`]),
  ]),
);
const words = [...new Set(COMMANDS.flatMap((c) => c.words))];
/** Well-formed options of the run bundle's commands, with a value where they take one. */
const runOptions = [GLOBAL_OPTIONS, ...RUN_BUNDLE_COMMANDS.map((c) => c.options ?? {})].flatMap((t) =>
  Object.entries(t).map(([name, spec]) => (spec.type === "boolean" ? [`--${name}`] : [`--${name}`, spec.choices?.[0] ?? "task#0"])),
);
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...runOptions) },
  { weight: 4, arbitrary: fc.constantFrom(...optionTokens).map((t) => [t]) },
  { weight: 3, arbitrary: fc.constantFrom(...words).map((t) => [t]) },
  { weight: 2, arbitrary: fc.constantFrom(...VALUES).map((t) => [t]) },
  { weight: 1, arbitrary: fc.constantFrom("--help", "--version", "-h", "--bogus", "-x").map((t) => [t]) },
);
const tokens = (maxLength: number) => fc.array(unit, { maxLength }).map((units) => units.flat());
/** Command lines that start like a run's, then anything. */
const argvs = fc.tuple(tokens(2), fc.constantFrom(["run"], ["-s", "db", "run"], ["--root", "/r", "-s", "db", "run"], []), tokens(5)).map(([a, b, c]) => [...b, ...a, ...c]);

describe("the run bundle's command line parsing", () => {
  test("a command line the run bundle accepts reads the same with every command", () => {
    let accepted = 0;
    fc.assert(
      fc.property(argvs, (argv) => {
        const run = fastParse(argv, RUN_BUNDLE_COMMANDS);
        if (run === null) return;
        accepted++;
        const full = fastParse(argv, COMMANDS);
        assert.ok(full !== null, `the full bundle refuses ${JSON.stringify(argv)}`);
        assert.equal(full.command, run.command);
        assert.deepEqual(full.args, run.args);
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 150, `only ${accepted} generated command lines were runs`);
  });

  test("a run that the launcher sends to the run bundle is accepted there, not parsed twice", () => {
    fc.assert(
      fc.property(argvs, (argv) => {
        const full = fastParse(argv, COMMANDS);
        if (full === null || !RUN_BUNDLE_COMMANDS.includes(full.command) || bundleFor(argv) !== RUN_BUNDLE) return;
        assert.ok(fastParse(argv, RUN_BUNDLE_COMMANDS) !== null, JSON.stringify(argv));
      }),
      { numRuns: 3000 },
    );
  });

  test("every command of the run bundle is routed there by its first word, and no other command starts with it", () => {
    for (const c of RUN_BUNDLE_COMMANDS) {
      assert.equal(bundleFor(["-s", "db", ...c.words]), RUN_BUNDLE);
      const others = COMMANDS.filter((o) => !RUN_BUNDLE_COMMANDS.includes(o) && o.words[0] === c.words[0]);
      assert.deepEqual(others, [], `${c.words.join(" ")}: these commands would be sent to the run bundle`);
    }
  });
});

describe("the launcher's pick of a bundle", () => {
  test("the command's first word, past the global options and their values", () => {
    assert.equal(commandWord(["-s", "db", "run", "--rid", "task#0"]), "run");
    assert.equal(commandWord(["--root", "/r", "--service=db", "--debug", "run"]), "run");
    assert.equal(commandWord(["-s", "run", "print", "status"]), "print");
    assert.equal(commandWord(["--root=/run", "ls"]), "ls");
    assert.equal(commandWord(["--version"]), undefined);
    assert.equal(commandWord(["--", "run"]), undefined);
  });

  test("run goes to the run bundle, anything else to the full one", () => {
    assert.equal(bundleFor(["-s", "db", "run"]), RUN_BUNDLE);
    assert.equal(bundleFor(["run", "--help"]), RUN_BUNDLE);
    assert.equal(bundleFor(["-s", "run", "print", "status"]), FULL_BUNDLE);
    assert.equal(bundleFor(["daemon", "start"]), FULL_BUNDLE);
    assert.equal(bundleFor([]), FULL_BUNDLE);
  });
});
