import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTrustedDir, resolveTrusted, UntrustedPath } from "../../src/platform/trusted-path.js";
import { isRoot } from "../e2e/helpers.js";

/** The rules a root svcmgr applies to the way to a config file or a directory it writes in (trusted-path.ts). */
describe("trusted paths", { skip: !isRoot && "needs root to make files owned by others" }, () => {
  function tree(t: { after(fn: () => void): void }): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "svcmgr-trust-")));
    chmodSync(dir, 0o755);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  function refused(fn: () => unknown, path: string, problem: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof UntrustedPath && e.path === path && problem.test(e.problem), `refused at ${path}`);
  }

  test("symlinks are followed as the kernel does: relative, absolute, with .. after a link", (t) => {
    const d = tree(t);
    mkdirSync(join(d, "a", "b"), { recursive: true, mode: 0o755 });
    writeFileSync(join(d, "a", "b", "f"), "");
    symlinkSync("a/b", join(d, "rel"));
    symlinkSync(join(d, "a"), join(d, "abs"));
    assert.equal(resolveTrusted(join(d, "rel", "f")), join(d, "a", "b", "f"));
    assert.equal(resolveTrusted(join(d, "abs", "b", "f")), join(d, "a", "b", "f"));
    assert.equal(resolveTrusted(`${d}/rel/../b/f`), join(d, "a", "b", "f"), "rel/.. is a, the link target's parent (join would have collapsed it to b)");
  });

  test("a directory on the way that others can write, or that another user owns, is refused", (t) => {
    const d = tree(t);
    for (const name of ["world", "group", "owned"]) mkdirSync(join(d, name, "x"), { recursive: true, mode: 0o755 });
    chmodSync(join(d, "world"), 0o777);
    chmodSync(join(d, "group"), 0o775);
    chownSync(join(d, "group"), 0, 65534);
    chownSync(join(d, "owned"), 65534, 0);
    refused(() => resolveTrusted(join(d, "world", "x", "f")), join(d, "world"), /writable by any user/);
    refused(() => resolveTrusted(join(d, "group", "x", "f")), join(d, "group"), /writable by group 65534/);
    refused(() => resolveTrusted(join(d, "owned", "x", "f")), join(d, "owned"), /owned by uid 65534, not root/);
  });

  test("a symlink another user owns is refused, and so is the directory it leads into", (t) => {
    const d = tree(t);
    mkdirSync(join(d, "mine"), { mode: 0o755 });
    symlinkSync(join(d, "mine"), join(d, "theirs"));
    lchownSync(join(d, "theirs"), 65534, 65534);
    refused(() => resolveTrusted(join(d, "theirs", "f")), join(d, "theirs"), /owned by uid 65534/);
    mkdirSync(join(d, "open"), { mode: 0o755 });
    chmodSync(join(d, "open"), 0o777);
    symlinkSync(join(d, "open"), join(d, "toopen"));
    refused(() => resolveTrusted(join(d, "toopen", "f")), join(d, "open"), /writable by any user/);
  });

  test("a sticky directory is accepted above a tree, never as the tree itself", (t) => {
    const d = tree(t);
    mkdirSync(join(d, "sticky", "root"), { recursive: true, mode: 0o755 });
    chmodSync(join(d, "sticky"), 0o1777);
    assert.equal(checkTrustedDir(join(d, "sticky", "root")), join(d, "sticky", "root"));
    refused(() => checkTrustedDir(join(d, "sticky")), join(d, "sticky"), /writable by any user/);
  });

  test("a symlink loop ends with ELOOP", (t) => {
    const d = tree(t);
    symlinkSync("two", join(d, "one"));
    symlinkSync("one", join(d, "two"));
    assert.throws(() => resolveTrusted(join(d, "one", "f")), (e: unknown) => (e as NodeJS.ErrnoException).code === "ELOOP");
  });
});
