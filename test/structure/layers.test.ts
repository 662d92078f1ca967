/**
 * The shape of src/: the layering rules hold on the real tree, and the checker itself catches
 * a cycle, an upward import, Node I/O outside platform/ and a file over 400 lines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
// @ts-expect-error: a plain .mjs script without types
import { checkStructure } from "../../scripts/check-structure.mjs";

type Problem = { kind: string; file: string; detail: string };
const check = checkStructure as (dir?: string) => { files: number; problems: Problem[] };

test("src/ has no import cycle, no upward import, no Node I/O outside platform/, no file over 400 lines", () => {
  const { files, problems } = check();
  assert.ok(files > 100, `read ${files} files`);
  assert.deepEqual(problems.map((p) => `src/${p.file}: ${p.kind}: ${p.detail}`), []);
});

function tree(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-structure-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test("the checker reports what breaks the rules", (t) => {
  const dir = tree(t, {
    "core/a.ts": 'import { b } from "./b.js";\nexport const a = 1;\n',
    "core/b.ts": 'import { a } from "./a.js";\nexport const b = 2;\n',
    "core/up.ts": 'import type { X } from "../run/x.js";\nexport type Y = X;\n',
    "run/x.ts": 'import { readFileSync } from "node:fs";\nexport type X = string;\n',
    "config/c.ts": 'import { t } from "../task/t.js";\nexport const c = t;\n',
    "task/t.ts": 'import { c } from "../config/c.js";\nexport const t = c;\n',
    "cli/main.ts": 'import "../platform/p.js";\n',
    "cli/other.ts": 'import "../platform/p.js";\n// import "../daemon/not-an-import.js";\nconst s = `import "../platform/in-a-template.js"`;\n',
    "platform/p.ts": 'import { spawn } from "node:child_process";\nexport {};\n',
    "history/long.ts": "export const n = 1;\n".repeat(401),
  });
  const kinds = check(dir).problems.map((p) => `${p.kind} ${p.file}`).sort();
  assert.deepEqual(kinds, [
    "file-cycle config/c.ts",
    "file-cycle core/a.ts",
    "folder-cycle config",
    "io-outside-platform run/x.ts",
    "layer cli/other.ts",
    "layer config/c.ts",
    "layer core/up.ts",
    "too-long history/long.ts",
  ]);
});
