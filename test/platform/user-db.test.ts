import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUserDb, parseGroup, parsePasswd } from "../../src/platform/user-db.js";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/bash",
  "# a comment",
  "",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "broken line",
  "bad:x:notanumber:1::/:/bin/sh",
  "+nisuser::::::",
  "svc:x:1001:1001:Service,,,:/home/svc:/bin/sh\r",
  "123:x:4000:4000::/home/n:/bin/sh",
].join("\n");
const GROUP = ["root:x:0:", "svc:x:1001:", "backup:x:34:svc, daemon", "audio:x:29:daemon", "ops:x:50:svc", "dup:x:50:"].join("\n");

test("parsers skip comments, NIS lines and malformed entries", () => {
  assert.deepEqual(parsePasswd(PASSWD).map((u) => u.name), ["root", "daemon", "svc", "123"]);
  assert.deepEqual(parsePasswd(PASSWD)[2], { name: "svc", uid: 1001, gid: 1001, home: "/home/svc", shell: "/bin/sh" });
  assert.deepEqual(parseGroup(GROUP)[2], { name: "backup", gid: 34, members: ["svc", "daemon"] });
});

function withFiles(fn: (dir: string, db: ReturnType<typeof createUserDb>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-userdb-"));
  try {
    writeFileSync(join(dir, "passwd"), PASSWD);
    writeFileSync(join(dir, "group"), GROUP);
    fn(dir, createUserDb({ passwd: join(dir, "passwd"), group: join(dir, "group") }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("lookups by name or numeric id; a name wins over an id", () => {
  withFiles((_dir, db) => {
    assert.equal(db.user("svc")?.uid, 1001);
    assert.equal(db.user("1001")?.name, "svc");
    assert.equal(db.user("123")?.uid, 4000);
    assert.equal(db.user("nobody"), null);
    assert.equal(db.user("99"), null);
    assert.equal(db.group("34")?.name, "backup");
    assert.equal(db.group("ops")?.gid, 50);
    assert.equal(db.group("50")?.name, "ops");
  });
});

test("supplementary gids: groups listing the user, deduplicated, without the primary", () => {
  withFiles((_dir, db) => {
    assert.deepEqual(db.supplementaryGids("svc"), [34, 50]);
    assert.deepEqual(db.supplementaryGids("daemon"), [34, 29]);
    assert.deepEqual(db.supplementaryGids("root"), []);
  });
});

test("a changed file is re-read at the next lookup", () => {
  withFiles((dir, db) => {
    assert.equal(db.user("newbie"), null);
    writeFileSync(join(dir, "passwd"), `${PASSWD}\nnewbie:x:5000:5000::/home/newbie:/bin/sh\n`);
    utimesSync(join(dir, "passwd"), new Date(), new Date(Date.now() + 5000));
    assert.equal(db.user("newbie")?.uid, 5000);
  });
});

test("missing files read as empty databases", () => {
  const db = createUserDb({ passwd: "/nonexistent/passwd", group: "/nonexistent/group" });
  assert.equal(db.user("root"), null);
  assert.equal(db.group("0"), null);
  assert.deepEqual(db.supplementaryGids("root"), []);
});

test("the system files resolve root", () => {
  const db = createUserDb();
  assert.equal(db.user("0")?.name, "root");
  assert.equal(db.group("root")?.gid, 0);
});
