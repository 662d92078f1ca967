import { test } from "node:test";
import assert from "node:assert/strict";
import type { GroupInfo, UserDb, UserInfo } from "../../src/core/ports.js";
import { resolveIdentity } from "../../src/run/identity.js";

const USERS: UserInfo[] = [
  { name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/bash" },
  { name: "postgres", uid: 110, gid: 120, home: "/var/lib/postgresql", shell: "/bin/bash" },
  { name: "alice", uid: 1000, gid: 1000, home: "/home/alice", shell: "" },
  { name: "2000", uid: 3000, gid: 1000, home: "/home/n", shell: "/bin/sh" },
];
const GROUPS: GroupInfo[] = [
  { name: "root", gid: 0, members: [] },
  { name: "postgres", gid: 120, members: [] },
  { name: "alice", gid: 1000, members: [] },
  { name: "backup", gid: 34, members: ["postgres"] },
];

const fakeDb: UserDb = {
  user: (k) => USERS.find((u) => u.name === k) ?? (/^\d+$/.test(k) ? USERS.find((u) => u.uid === Number(k)) ?? null : null),
  group: (k) => GROUPS.find((g) => g.name === k) ?? (/^\d+$/.test(k) ? GROUPS.find((g) => g.gid === Number(k)) ?? null : null),
  supplementaryGids: (u) => GROUPS.filter((g) => g.members.includes(u)).map((g) => g.gid),
};

const ROOT = { uid: 0, gid: 0 };
const ALICE = { uid: 1000, gid: 1000 };
const rid = "task#0";

test("no user and no group: nothing to switch or override", () => {
  assert.deepEqual(resolveIdentity({ rid }, fakeDb, ROOT), { ok: true });
  assert.deepEqual(resolveIdentity({ rid, user: " ", group: "" }, fakeDb, ALICE), { ok: true });
});

test("as root, user switches with its primary group, login env and home", () => {
  assert.deepEqual(resolveIdentity({ rid, user: "postgres" }, fakeDb, ROOT), {
    ok: true,
    identity: { user: "postgres", uid: 110, gid: 120 },
    env: { HOME: "/var/lib/postgresql", USER: "postgres", LOGNAME: "postgres", SHELL: "/bin/bash" },
    cwd: { preferred: "/var/lib/postgresql", fallback: "/" },
  });
});

test("as root, keyword table: names, numeric ids, group override, group alone", () => {
  const table: Array<[{ user?: string; group?: string }, { user: string; uid: number; gid: number }]> = [
    [{ user: "110" }, { user: "postgres", uid: 110, gid: 120 }],
    [{ user: "postgres", group: "backup" }, { user: "postgres", uid: 110, gid: 34 }],
    [{ user: "postgres", group: "34" }, { user: "postgres", uid: 110, gid: 34 }],
    [{ group: "1000" }, { user: "root", uid: 0, gid: 1000 }], // py: group=1 → (0, 1)
    [{ user: "1000", group: "120" }, { user: "alice", uid: 1000, gid: 120 }], // py: user=1 group=2 → (1, 2)
    [{ user: "2000" }, { user: "2000", uid: 3000, gid: 1000 }], // a name wins over a uid
  ];
  for (const [kw, identity] of table) {
    const r = resolveIdentity({ rid, ...kw }, fakeDb, ROOT);
    assert.ok(r.ok, JSON.stringify(kw));
    assert.deepEqual(r.identity, identity, JSON.stringify(kw));
  }
});

test("root's default working directory is /, another user's is the home; empty shell means /bin/sh", () => {
  const root = resolveIdentity({ rid, group: "backup" }, fakeDb, ROOT);
  assert.ok(root.ok);
  assert.equal(root.env?.HOME, "/root");
  assert.deepEqual(root.cwd, { preferred: "/", fallback: "/" });
  const alice = resolveIdentity({ rid, user: "alice" }, fakeDb, ROOT);
  assert.ok(alice.ok);
  assert.deepEqual(alice.cwd, { preferred: "/home/alice", fallback: "/" });
  assert.equal(alice.env?.SHELL, "/bin/sh");
});

test("unknown user or group names the keyword and the value", () => {
  assert.deepEqual(resolveIdentity({ rid, user: "nobody-here" }, fakeDb, ROOT), {
    ok: false,
    message: 'task#0: user "nobody-here" does not exist (keyword user, not found in the passwd database)',
  });
  assert.deepEqual(resolveIdentity({ rid: "task#3", user: "postgres", group: "4242" }, fakeDb, ROOT), {
    ok: false,
    message: 'task#3: group "4242" does not exist (keyword group, not found in the group database)',
  });
  assert.deepEqual(resolveIdentity({ rid, user: "nobody-here" }, fakeDb, ALICE), {
    ok: false,
    message: 'task#0: user "nobody-here" does not exist (keyword user, not found in the passwd database)',
  });
});

test("not root: another user or group is refused before anything runs", () => {
  assert.deepEqual(resolveIdentity({ rid, user: "postgres" }, fakeDb, ALICE), {
    ok: false,
    message: 'task#0: user "postgres" requires running svcmgr as root (current uid 1000)',
  });
  assert.deepEqual(resolveIdentity({ rid, group: "backup" }, fakeDb, ALICE), {
    ok: false,
    message: 'task#0: group "backup" requires running svcmgr as root (current uid 1000)',
  });
  assert.equal(resolveIdentity({ rid, group: "alice" }, fakeDb, { uid: 1000 }).ok, false);
});

test("not root: naming yourself runs without a switch, with your login env", () => {
  const r = resolveIdentity({ rid, user: "alice", group: "alice" }, fakeDb, ALICE);
  assert.ok(r.ok);
  assert.equal(r.identity, undefined);
  assert.equal(r.env?.HOME, "/home/alice");
  assert.deepEqual(r.cwd, { preferred: "/home/alice", fallback: "/" });
  assert.deepEqual(resolveIdentity({ rid, group: "1000" }, fakeDb, ALICE), { ok: true });
});
