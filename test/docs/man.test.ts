import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KEYWORDS, SECTION_KINDS } from "../../src/config/keywords/index.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { GLOBAL_OPTIONS } from "../../src/cli/global-options.js";
import { generate, MAN_DIR } from "../../scripts/gen-man.js";

/** roff escaping of marked-man for plain words: '-' and '.' are escaped. */
function roffWord(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/-/g, "\\-").replace(/\./g, "\\.");
}

const TITLES: Record<string, string> = { DEFAULT: "[DEFAULT]", task: "[task#N]", fs: "[fs#N]", ip: "[ip#N]", app: "[app#N]", subset: "[subset#task:NAME]" };

/** The text of one `.SS` subsection of a roff page. */
function subsection(roff: string, title: string): string {
  const parts = roff.split(/^\.S[HS] /m);
  const found = parts.find((p) => p.startsWith(`${title}\n`));
  assert.ok(found !== undefined, `no subsection ${title} in svcmgr.conf.5`);
  return found;
}

describe("man pages", () => {
  const conf5 = readFileSync(join(MAN_DIR, "svcmgr.conf.5"), "utf8");

  test("svcmgr.conf(5) documents every keyword of every section of the keyword table", () => {
    const missing: string[] = [];
    for (const kind of SECTION_KINDS) {
      const text = subsection(conf5, TITLES[kind] ?? kind);
      for (const kw of KEYWORDS[kind]) if (!text.includes(`\\fB${roffWord(kw.option)}\\fP (type: ${kw.converter}`)) missing.push(`${kind}.${kw.option}`);
    }
    assert.deepEqual(missing, [], "keywords missing from man/svcmgr.conf.5: run node --import tsx scripts/gen-man.ts");
  });

  test("the committed man pages are the generator's output", async () => {
    for (const f of await generate()) {
      assert.ok(readFileSync(f.path, "utf8") === f.text, `${f.path} is out of date: run node --import tsx scripts/gen-man.ts and commit the result`);
    }
  });

  test("svcmgr(1) documents every command and every option", () => {
    const page = readFileSync(join(MAN_DIR, "svcmgr.1.md"), "utf8");
    const missing: string[] = [];
    for (const name of Object.keys(GLOBAL_OPTIONS)) if (!page.includes(`\`--${name}\``)) missing.push(`--${name}`);
    for (const c of COMMANDS) {
      const heading = new RegExp(`^### ${c.words.join(" ")}( |$)`, "m");
      const at = page.search(heading);
      if (at < 0) {
        missing.push(c.words.join(" "));
        continue;
      }
      const next = page.slice(at + 4).search(/^##/m);
      const section = next < 0 ? page.slice(at) : page.slice(at, at + 4 + next);
      for (const o of Object.keys(c.options ?? {})) if (!section.includes(`\`--${o}`)) missing.push(`${c.words.join(" ")} --${o}`);
    }
    assert.deepEqual(missing, [], "missing from man/svcmgr.1.md");
  });
});
