import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadService } from "../../src/config/load.js";
import { KEYWORDS, SECTION_KINDS } from "../../src/config/keywords/index.js";
import { formatAlert } from "../../src/core/alert.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { scheduleChecks } from "../../src/service/schedule-checks.js";
import type { App } from "../../src/service/app.js";
import { hasStackTrace, makeRoot } from "../e2e/helpers.js";

/**
 * The config fuzzer: random and mutated service files through validation. Whatever the file,
 * validation ends quickly, never throws, and every problem it reports carries `file:line`;
 * through the real CLI (`validate config`) the exit code is 0, 1 or 2, with no stack trace.
 * Fixed seed and bounded counts: the same files on every run, a few seconds in all.
 */

const SEED = 20261207;
const IN_PROCESS_RUNS = 400;
const CLI_RUNS = 12;

// ---- generators ----------------------------------------------------------------------------

const KNOWN_OPTIONS = [...new Set(SECTION_KINDS.flatMap((k) => KEYWORDS[k].map((kw) => kw.option)))];
const TRICKY = [
  "", " ", "{", "}", "{{", "}}", "{env.x}", "{name}", "{task#0.command}", "{#env.list}", "{env.list[99]}", "{upper:nodename}",
  "@", "@nodes", "[", "]", "=", ":", "#", ";", "\\", "\"", "'", "$(id)", "`id`", "\t", "\u0000", "\u00e9\u00e8", "\u{1F600}",
  "0", "-1", "1e309", "99999999999999999999", "NaN", "true", "yes", "maybe", "30s", "1h30m", "-5m", "64k", "9g", "abc",
  "@1s", "@0", "* * * * *", "0 0 31 2 *", "09:00-10:00@5m mon-fri", "~00:00-06:00", "[\"08:00\", \"! 09:00\"]", "@reboot",
  "UTC", "Mars/Olympus", "task#0(up)", "task#9(up)", "fs#x(bogus)", "0:up 1:down", "2:sideways", "a=b c=d", "1BAD=x",
  "022", "0999", "latest", "all", "none", "host", "podman",
];
const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 6 }).map((a) => a.join(" ")) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
);
const scope = fc.constantFrom("", "", "", "@nodes", "@drpnodes", "@n1", "@", "@other.example.com");
const option = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_OPTIONS) }, { weight: 1, arbitrary: fc.stringMatching(/^[a-z_]{1,12}$/) });
const entry = fc.tuple(option, scope, fc.constantFrom(" = ", "=", " : ", " =  "), value).map(([o, s, sep, v]) => `${o}${s}${sep}${v}`);
const sectionName = fc.oneof(
  fc.constantFrom("DEFAULT", "env", "task#0", "task#1", "task#backup", "fs#data", "ip#0", "app#0", "subset#task:g1"),
  fc.integer({ min: 0, max: 30 }).map((n) => `task#${n}`),
  fc.constantFrom("task#", "bogus#1", "task#/../x", "task#a b", "", " ", "task#0]", "DEFAULT "),
);
const header = fc.oneof({ weight: 8, arbitrary: sectionName.map((n) => `[${n}]`) }, { weight: 1, arbitrary: fc.constantFrom("[", "[task#0", "[]", "[[x]]") });
const line = fc.oneof(
  { weight: 6, arbitrary: entry },
  { weight: 2, arbitrary: header },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(" ", "  ", "\t"), value).map(([i, v]) => `${i}${v}`) }, // a continuation
  { weight: 1, arbitrary: fc.constantFrom("", "# comment", "; comment", "   ", "\r", "garbage line without separator") },
);
/** A config starting from a plausible skeleton, with random lines added. */
const config = fc
  .tuple(fc.boolean(), fc.array(line, { maxLength: 40 }), fc.boolean())
  .map(([skeleton, lines, crlf]) => {
    const all = skeleton ? ["[DEFAULT]", "nodes = *", "[task#0]", "command = true", ...lines] : lines;
    return all.join(crlf ? "\r\n" : "\n") + "\n";
  });
/** A valid config with one line replaced, duplicated or cut at random. */
const VALID = "[DEFAULT]\nnodes = *\n[env]\nlist = a b c\n[task#0]\ncommand = echo {env.list}\nschedule = @1h\ntimeout = 30s\n[task#1]\ncommand = true\nrun_requires = task#0\nretcodes = 0:up 1:down\n";
const mutated = fc
  .tuple(fc.nat(), fc.constantFrom("replace", "duplicate", "cut", "indent"), line)
  .map(([at, how, other]) => {
    const lines = VALID.split("\n");
    const i = at % lines.length;
    if (how === "replace") lines[i] = other;
    else if (how === "duplicate") lines.splice(i, 0, lines[i]!);
    else if (how === "cut") lines[i] = lines[i]!.slice(0, at % (lines[i]!.length + 1));
    else lines[i] = `  ${lines[i]}`;
    return lines.join("\n");
  });
const anyConfig = fc.oneof(config, mutated);

// ---- in process ----------------------------------------------------------------------------

const FILE = "/r/etc/fuzz.conf";
const ctx = { nodename: "n1.example.com", paths: pathsFor("/r") };
const app = { timezone: "UTC", clock: { now: () => Date.parse("2026-12-07T12:00:00Z") } } as unknown as App;

describe("config fuzzer", () => {
  test(`${IN_PROCESS_RUNS} random and mutated configs: validation ends, never throws, every alert has file:line`, async () => {
    const check = async (text: string) => loadService(parseObjectPath("fuzz"), FILE, text, ctx, await scheduleChecks(app, text, { lint: true }));
    await check(VALID); // loads the schedule engine once, outside the measures
    const slowest = { ms: 0, text: "" };
    await fc.assert(
      fc.asyncProperty(anyConfig, async (text) => {
        const t = process.cpuUsage(); // CPU time: a busy machine does not inflate it
        const { alerts } = await check(text);
        const used = process.cpuUsage(t);
        const ms = (used.user + used.system) / 1000;
        if (ms > slowest.ms) Object.assign(slowest, { ms, text });
        for (const a of alerts) {
          assert.equal(a.file, FILE);
          assert.ok(Number.isInteger(a.line) && a.line! >= 1, `no line: ${formatAlert(a)}`);
          assert.ok(formatAlert(a).startsWith(`${FILE}:${a.line}:`));
          assert.ok(a.message.trim() !== "");
        }
      }),
      { seed: SEED, numRuns: IN_PROCESS_RUNS },
    );
    assert.ok(slowest.ms < 2000, `one config took ${slowest.ms.toFixed(0)} ms of CPU time:\n${slowest.text}`);
  });

  test(`${CLI_RUNS} of them through svcmgr validate config: exit 0, 1 or 2, no stack trace, errors with file:line`, { timeout: 120_000 }, async (t) => {
    const root = makeRoot(t);
    const samples = fc.sample(anyConfig, { seed: SEED, numRuns: CLI_RUNS });
    const results = await Promise.all(
      samples.map(async (text, i) => {
        const file = root.writeConf(`fz${i}`, text);
        return { text, file, r: await root.run(["-s", `fz${i}`, "validate", "config"], { timeoutMs: 20_000 }) };
      }),
    );
    for (const { text, file, r } of results) {
      const about = `${file}:\n${text}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
      assert.equal(r.signal, null, `killed (a hang?): ${about}`);
      assert.ok([0, 1, 2].includes(r.status!), `exit ${r.status}: ${about}`);
      assert.ok(!hasStackTrace(r.stdout + r.stderr) && !/internal error/.test(r.stderr), about);
      for (const l of r.stdout.split("\n").filter((x) => / (error|warning): /.test(x))) {
        assert.match(l, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:`), about);
      }
    }
  });
});
