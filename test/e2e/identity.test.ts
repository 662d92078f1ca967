import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { makeRoot, type TestRoot } from "./helpers.js";
import { skipUnlessRoot } from "../helpers/require-all.js";

/** Design §5 Identity: as root, `user`/`group` switch identity with the user's groups, login env and home. */
describe("task identity (as root)", { skip: skipUnlessRoot("needs root to create a user and switch to it"), concurrency: 4 }, () => {
  const rand = Math.random().toString(36).slice(2, 8);
  const group = `svcmgr-e2e-g-${rand}`;
  const user = `svcmgr-e2e-u-${rand}`;
  let root: TestRoot;
  let uid = "";
  let gid = "";
  let supGid = "";
  let home = "";

  before(() => {
    root = makeRoot();
    execFileSync("groupadd", [group]);
    execFileSync("useradd", ["-m", "-G", group, "-s", "/bin/sh", user]);
    uid = execFileSync("id", ["-u", user], { encoding: "utf8" }).trim();
    gid = execFileSync("id", ["-g", user], { encoding: "utf8" }).trim();
    supGid = execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]!;
    home = execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":")[5]!;
  });

  after(() => {
    // Each step on its own: a failed useradd must not keep the group around.
    for (const [cmd, args] of [["userdel", ["-r", user]], ["groupdel", [group]]] as const) {
      try {
        execFileSync(cmd, [...args], { stdio: "ignore" });
      } catch {
        // not created, or already gone
      }
    }
    root?.cleanup();
  });

  const PROBE = 'id -u; id -G; echo "$HOME"; pwd; echo "$USER $LOGNAME"; umask; echo "$SVCMGR_RID"';

  test("user = U: uid, supplementary groups, HOME, cwd, USER/LOGNAME, umask", async () => {
    root.writeConf("ident", `[task#0]\ncommand = ${PROBE}\nuser = ${user}\numask = 027\n`);
    const r = await root.runTasks("ident");
    assert.equal(r.status, 0, r.stderr);
    const [outUid, outGroups, outHome, outCwd, outNames, outUmask, outRid] = r.stdout.trimEnd().split("\n");
    assert.equal(outUid, uid);
    const groups = outGroups!.split(" ");
    assert.equal(groups[0], gid, "primary group first");
    assert.ok(groups.includes(supGid), `supplementary group ${supGid} in ${outGroups}`);
    assert.ok(!groups.includes("0"), `root's group dropped: ${outGroups}`);
    assert.equal(outHome, home);
    assert.equal(outCwd, home, "cwd defaults to the user's home");
    assert.equal(outNames, `${user} ${user}`);
    assert.equal(outUmask, "0027");
    assert.equal(outRid, "task#0", "the svcmgr variables survive the switch");
    assert.match(r.stderr, new RegExp(`\\(as ${user}\\)`));
    const rec = root.history("ident").at(-1);
    assert.equal(rec?.user, user, "the history records the identity the task ran as");
  });

  test("cwd = /tmp overrides the home directory", async () => {
    root.writeConf("identcwd", `[task#0]\ncommand = pwd\nuser = ${user}\ncwd = /tmp\n`);
    const r = await root.runTasks("identcwd");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "/tmp\n");
  });

  test("group = G sets the primary group", async () => {
    root.writeConf("identgrp", `[task#0]\ncommand = id -g\nuser = ${user}\ngroup = ${group}\n`);
    const r = await root.runTasks("identgrp");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), supGid);
  });

  test("files the task creates belong to the user and follow the umask", async () => {
    root.writeConf("identfile", `[task#0]\ncommand = touch f && stat -c '%U %a' f\nuser = ${user}\numask = 027\n`);
    const r = await root.runTasks("identfile");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${user} 640`);
  });

  test("an unknown user is refused before anything runs (exit 1)", async () => {
    root.writeConf("identbad", `[task#0]\ncommand = echo ran task#0\nuser = ${user}-nope\n`);
    const r = await root.runTasks("identbad");
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`${user}-nope`));
  });
});
