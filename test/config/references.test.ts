import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { evaluateReferences, type Expansion } from "../../src/config/references.js";
import { splitShellWords } from "../../src/core/shlex.js";

const values: Record<string, string> = { name: "db", nodes: "n1 n2 n3", "env.foo": "FOOVAL", loop: "{loop}", empty: "" };
const lookup = (n: string, at: Expansion): string | undefined => (values[n] === undefined ? undefined : evaluateReferences(values[n]!, lookup, at));

test("known references, modifiers, length and index", () => {
  assert.equal(evaluateReferences("{name} {upper:name} {#nodes} {nodes[1]} {env.foo}", lookup), "db DB 3 n2 FOOVAL");
  assert.equal(evaluateReferences("{capitalize:name} {title:env.foo} {swapcase:name}", lookup), "Db Fooval DB");
});

test("a reference that resolves to nothing is an error naming it", () => {
  assert.throws(() => evaluateReferences("rm -rf {env.dir}/x", lookup), /reference \{env\.dir\} resolves to nothing.*write \{\{ and \}\} for literal braces/);
  assert.throws(() => evaluateReferences("{upper:nope}", lookup), /\{upper:nope\} resolves to nothing/);
  assert.throws(() => evaluateReferences("{#nope}", lookup), /\{#nope\} resolves to nothing/);
});

test("{{ and }} are literal braces; ${VAR} and texts without a reference's shape stay as written", () => {
  assert.equal(evaluateReferences("awk '{{print $1}}' {{name}} {{{name}}}", lookup), "awk '{print $1}' {name} {db}");
  assert.equal(evaluateReferences("echo ${HOME} ${name} {} { x } {a,b} find -exec rm {} \\;", lookup), "echo ${HOME} ${name} {} { x } {a,b} find -exec rm {} \\;");
});

test("a reference loop is an error, not a hang", () => {
  assert.throws(() => evaluateReferences("{loop}", lookup), /nested deeper than 20/);
});

test("a reference fan-out is refused within a budget of steps and size", () => {
  // a0 references a1 ten times, a1 references a2 ten times … 18 levels: 10^18 evaluations unbounded.
  const fan: Record<string, string> = { a18: "x" };
  for (let i = 0; i < 18; i++) fan[`a${i}`] = Array.from({ length: 10 }, () => `{a${i + 1}}`).join("");
  const fanLookup = (n: string, at: Expansion): string | undefined => (fan[n] === undefined ? undefined : evaluateReferences(fan[n]!, fanLookup, at));
  const started = Date.now();
  assert.throws(() => evaluateReferences("{a0}", fanLookup), /more than 1000 evaluations/);
  assert.ok(Date.now() - started < 2000, `refused in ${Date.now() - started} ms`);
  // A few references to a big value: refused on size, not built.
  const big = "y".repeat(100_000);
  const bigLookup = (n: string) => (n === "big" ? big : undefined);
  assert.throws(() => evaluateReferences("{big}{big}", bigLookup), /more than 131072 characters/);
});

/** What `sh -c` receives as argv for a command line (each word printed NUL-terminated). */
function shWords(command: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `set -- ${command}; for a do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

const hostile = ["/srv/r$(touch PWNED)", "/srv/my root", "it's", 'say "hi" `id` \\ $HOME', "", "a\nb", "*", "~root"];

test("shell quoting: a substituted value is one word, read back exactly, never executed, in every quoting context", () => {
  for (const v of hostile) {
    const lk = (n: string) => (n === "v" ? v : undefined);
    const q = (t: string) => evaluateReferences(t, lk, undefined, { shellQuote: true });
    assert.deepEqual(shWords(q("{v}")), [v], `plain ${JSON.stringify(v)}`);
    assert.deepEqual(shWords(q("pre{v}/post")), [`pre${v}/post`], `inside a word ${JSON.stringify(v)}`);
    assert.deepEqual(shWords(q('"{v} x"')), [`${v} x`], `double quotes ${JSON.stringify(v)}`);
    assert.deepEqual(shWords(q("'{v} x'")), [`${v} x`], `single quotes ${JSON.stringify(v)}`);
    assert.deepEqual(shWords(q('"$(printf %s {v})"')), [v === "" ? "" : v.replace(/\n+$/, "")], `command substitution ${JSON.stringify(v)}`);
    assert.deepEqual(shWords(q("\\{v}")), [v], `after a backslash ${JSON.stringify(v)}`);
    // svcmgr's own word splitting (commands without shell syntax) reads the same words.
    assert.deepEqual(splitShellWords(q("ls -d {v}")), ["ls", "-d", v]);
    assert.deepEqual(splitShellWords(q('ls -d "{v}"')), ["ls", "-d", v]);
  }
});

test("shell quoting leaves plain values as they were", () => {
  const q = (t: string) => evaluateReferences(t, lookup, undefined, { shellQuote: true });
  assert.equal(q("echo {name} {env.foo}-x {nodes[2]}"), "echo db FOOVAL-x n3");
  assert.equal(q("echo {nodes}"), "echo 'n1 n2 n3'");
  assert.equal(q("echo {empty}."), "echo ''.");
});
