import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { formatArgv, needsShell, parseCommandLine, splitWords } from "../../src/run/command-line.js";
import { ActionError } from "../../src/core/errors.js";

const SH = (c: string) => ["/bin/sh", "-c", c];

test("shell syntax runs through /bin/sh -c, the string untouched", () => {
  const cases = [
    "touch a && touch b", // spec §5.7
    "touch a;touch b",
    "touch a; touch b",
    "echo err >&2; exit 3",
    "psql -c 'VACUUM ANALYZE;'", // quoted operators count too (OpenSVC: "even inside quotes")
    "ls | wc -l",
    "a || b",
    "sleep 10 &",
    "cat < in",
    "echo x > out",
    "echo $HOME",
    "echo ${HOME}",
    "echo `date`",
    "echo $(date)",
    "ls *.log",
    "ls file?.txt",
    "ls [ab].txt",
    "(cd /tmp; ls)",
    "{ echo a; }",
    "ls ~/x",
    "echo a # comment",
    "FOO=bar env",
    "  LANG=C sort f",
    "echo a\necho b",
    "! false",
    "cd /srv",
    "exit 3",
    "ulimit -n",
    "export X=1",
  ];
  for (const c of cases) {
    const r = parseCommandLine(c);
    assert.equal(r.mode, "shell", c);
    assert.deepEqual(r.argv, SH(c), c);
  }
});

test("plain commands are split like POSIX shlex and exec'd", () => {
  const cases: Array<[string, string[]]> = [
    ["echo hello", ["echo", "hello"]],
    ["  /usr/bin/env   -i  ", ["/usr/bin/env", "-i"]],
    ["echo 'a b' c", ["echo", "a b", "c"]],
    ['echo "a b" c', ["echo", "a b", "c"]],
    ['echo "say \\"hi\\"" \\\\x', ["echo", 'say "hi"', "\\x"]],
    ['echo "a\\nb"', ["echo", "a\\nb"]], // in "…" only \" and \\ are escapes
    ["echo 'it''s'", ["echo", "its"]],
    ["echo a\\ b", ["echo", "a b"]],
    ["echo '' x", ["echo", "", "x"]],
    ['echo ""', ["echo", ""]],
    ["echo a'b'\"c\"", ["echo", "abc"]],
    ["dd if=/dev/zero of=x", ["dd", "if=/dev/zero", "of=x"]],
    ["git log HEAD^", ["git", "log", "HEAD^"]],
    ["echo\ta", ["echo", "a"]],
  ];
  for (const [c, argv] of cases) {
    const r = parseCommandLine(c);
    assert.equal(r.mode, "exec", c);
    assert.deepEqual(r.argv, argv, c);
  }
});

test("exec splitting agrees with sh on strings without shell syntax", () => {
  const cases = ["echo 'a b' c", 'echo "a b"  c', 'echo "x\\"y" \\\\z', "echo a\\ b 'c\"d'", "printf %s\\n x"];
  for (const c of cases) {
    assert.equal(needsShell(c), false, c);
    const shWords = execFileSync("/bin/sh", ["-c", `set -- ${c.replace(/^\S+/, "")}; for a in "$@"; do printf '[%s]' "$a"; done`], { encoding: "utf8" });
    const ours = splitWords(c).slice(1).map((w) => `[${w}]`).join("");
    assert.equal(ours, shWords, c);
  }
});

test("bad quoting is a clear ActionError", () => {
  assert.throws(() => parseCommandLine("echo 'abc"), (e: unknown) => e instanceof ActionError && /unterminated single quote at column 6/.test(e.message));
  assert.throws(() => parseCommandLine('echo "abc'), /unterminated double quote at column 6/);
  assert.throws(() => parseCommandLine("echo abc\\"), /trailing backslash/);
  assert.throws(() => parseCommandLine("   "), /empty command/);
});

test("display quotes the exact argv", () => {
  assert.equal(parseCommandLine("touch a && touch b").display, "/bin/sh -c 'touch a && touch b'");
  assert.equal(parseCommandLine("echo 'a b' c").display, "echo 'a b' c");
  assert.equal(formatArgv(["printf", "", "it's", "$x"]), `printf '' "it's" \\$x`);
});

test("display reads back as the same argv through sh", () => {
  const argv = ["a b", "it's", "$HOME", "x\"y", "", "*"];
  const out = execFileSync("/bin/sh", ["-c", `for a in ${formatArgv(argv)}; do printf '[%s]' "$a"; done`], { encoding: "utf8" });
  assert.equal(out, argv.map((a) => `[${a}]`).join(""));
});
