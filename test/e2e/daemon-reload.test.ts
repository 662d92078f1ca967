import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { killAllDaemons, setup, startDaemon, waitRecords, type Owned } from "./daemon-harness.js";
import type { Daemon } from "./daemon-harness.js";

/**
 * Hot reload sees every way a file is saved: written in place (`>`, most editors' "backupcopy"),
 * renamed over (`sed -i`, vim's default, Ansible), deleted and created again, and a symlink
 * swapped to another file (configuration management, blue/green directories); and edits that
 * come after any of them. Each version runs `echo vN` every second: a record with that output
 * proves the daemon took it.
 */
const conf = (v: string) => `[task#1]\ncommand = echo ${v}\nschedule = @1s\n`;

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, text);
  chmodSync(file, 0o644);
}

async function ran(o: Owned, d: Daemon, svc: string, v: string): Promise<void> {
  await waitRecords(o.root, `${svc} running "echo ${v}"`, (rs) => rs.some((x) => x.svc === svc && x.outputHead === `${v}\n`), 12_000, d);
}

describe("daemon hot reload", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("every save pattern is seen, and every edit after it: in place, rename over, delete + create, symlink swap", async (t) => {
    const o = setup(t);
    const file = join(o.root.etc, "edit.conf");
    writeFile(file, conf("v1"));
    const d = startDaemon(o);
    await ran(o, d, "edit", "v1");

    writeFileSync(file, conf("v2")); // in place
    await ran(o, d, "edit", "v2");

    writeFile(`${file}.tmp`, conf("v3")); // rename over (sed -i, editors, Ansible)
    renameSync(`${file}.tmp`, file);
    await ran(o, d, "edit", "v3");

    writeFileSync(file, conf("v4")); // in place after a rename: the case that used to be missed
    await ran(o, d, "edit", "v4");
    writeFileSync(file, conf("v5"));
    await ran(o, d, "edit", "v5");

    unlinkSync(file); // delete + create
    writeFile(file, conf("v6"));
    await ran(o, d, "edit", "v6");
    writeFileSync(file, conf("v7"));
    await ran(o, d, "edit", "v7");

    const a = join(o.root.etc, "releases", "a.conf.d", "edit.conf");
    const b = join(o.root.etc, "releases", "b.conf.d", "edit.conf");
    writeFile(a, conf("v8"));
    symlinkSync(a, `${file}.lnk`);
    renameSync(`${file}.lnk`, file); // the file becomes a symlink
    await ran(o, d, "edit", "v8");
    writeFile(b, conf("v9"));
    symlinkSync(b, `${file}.lnk`);
    renameSync(`${file}.lnk`, file); // symlink swap (ln -sfn)
    await ran(o, d, "edit", "v9");
    writeFileSync(b, conf("v10")); // the symlink's target edited in place
    await ran(o, d, "edit", "v10");

    const ns = join(o.root.etc, "namespaces", "prod", "svc", "late.conf"); // a namespace made after the start
    writeFile(ns, conf("n1"));
    await ran(o, d, "prod/svc/late", "n1");
    writeFileSync(ns, conf("n2"));
    await ran(o, d, "prod/svc/late", "n2");
    assert.deepEqual(await d.stop(), { code: 0, signal: null }, d.tail());
  });
});
