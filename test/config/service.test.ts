import { test } from "node:test";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { formatAlert } from "../../src/core/alert.js";

const ctx = { nodename: "n1.example.com", paths: pathsFor("/r") };
const load = (text: string, name = "db") => loadService(parseObjectPath(name), "/r/etc/db.conf", text, ctx);

test("scoping: @nodename beats @nodes beats @drpnodes beats plain", () => {
  const { config, alerts } = load(`[DEFAULT]
nodes = n1 n2
drpnodes = n9
[task#0]
command = plain
command@nodes = for-nodes
command@n1 = for-n1
[task#1]
command = plain
command@drpnodes = drp
[task#2]
command = plain
command@nodes = for-nodes
`);
  assert.deepEqual(alerts, []);
  assert.equal(config.text("task#0", "command")!.text, "for-n1");
  assert.equal(config.text("task#1", "command")!.text, "plain");
  assert.equal(config.text("task#2", "command")!.text, "for-nodes");
  assert.equal(config.isNodeMember(), true);
});

test("membership: a node outside nodes and drpnodes is not a member", () => {
  assert.equal(load("[DEFAULT]\nnodes = other*\n").config.isNodeMember(), false);
  assert.equal(load("[DEFAULT]\nnodes = n*\n").config.isNodeMember(), true);
  assert.equal(load("[DEFAULT]\nnodes = x\ndrpnodes = n1\n").config.isNodeMember(), true);
});

test("references are evaluated at use time, with builtins, [env], other sections and defaults", () => {
  const { config } = load(`[DEFAULT]
run_schedule = @5m
[env]
foo = FOOVAL
[task#1]
command = echo hello world
[task#7]
command = echo {name} {nodename} {short_nodename} {rid} {rindex} {env.foo} {private_var} \${HOME} {upper:name} {#nodes} {task#1.command} {max_parallel} {run_schedule}
`);
  assert.equal(
    config.text("task#7", "command")!.text,
    "echo db n1.example.com n1 task#7 7 FOOVAL /r/var/svc/db ${HOME} DB 1 'echo hello world' 1 @5m",
  );
});

test("inheritance: task schedule falls back to DEFAULT.run_schedule; defaults are typed", () => {
  const { config } = load("[DEFAULT]\nrun_schedule = @10m\n[task#0]\ncommand = a\n[task#1]\ncommand = b\nschedule = 02:00\n");
  assert.equal(config.raw("task#0", "schedule")!.section, "DEFAULT");
  assert.equal(config.text("task#0", "schedule")!.text, "@10m");
  assert.equal(config.text("task#1", "schedule")!.text, "02:00");
  assert.equal(config.value<number>("task#0", "max_parallel"), 1);
  assert.equal(config.value<boolean>("task#0", "optional"), false);
  assert.equal(config.value("task#0", "timeout"), undefined);
});

test("validation reports every problem at once with file:line, section, keyword, value and what is allowed", () => {
  const { alerts } = load(`[DEFAULT]
nodes = n1
[task#0]
comand = /bin/true
confirmation = maybe
timeout = 10 minutes
retcodes = 0:up 1:sideways
run_requires = fs#9(up)
max_parallel = 0
[task#1]
command = x
umask = 999
[weird]
a = 1
`);
  const lines = alerts.map(formatAlert);
  const expect = [
    /^\/r\/etc\/db\.conf:4: \[task#0\] comand = "\/bin\/true": warning: unknown keyword, ignored; did you mean "command"\?$/,
    /^\/r\/etc\/db\.conf:3: \[task#0\] command: error: required keyword "command" is missing/,
    /^\/r\/etc\/db\.conf:5: \[task#0\] confirmation = "maybe": error: bad value: expected a boolean/,
    /^\/r\/etc\/db\.conf:6: \[task#0\] timeout = "10 minutes": error: bad value: expected a duration/,
    /^\/r\/etc\/db\.conf:7: \[task#0\] retcodes = "0:up 1:sideways": error: .*"1:sideways" is not/,
    /^\/r\/etc\/db\.conf:8: \[task#0\] run_requires = "fs#9\(up\)": error: unknown rid "fs#9"/,
    /^\/r\/etc\/db\.conf:9: \[task#0\] max_parallel = "0": error: bad value: expected an integer >= 1/,
    /^\/r\/etc\/db\.conf:12: \[task#1\] umask = "999": error: bad value: expected an octal umask/,
    /^\/r\/etc\/db\.conf:13: \[weird\]: error: unknown section kind: a section is DEFAULT, env/,
  ];
  for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `missing ${re}\n${lines.join("\n")}`);
  assert.equal(lines.length, expect.length, lines.join("\n"));
});

test("scoping a keyword that cannot be scoped is an error; fs keywords follow the fs type", () => {
  const { alerts } = load("[DEFAULT]\nnodes@n1 = n1\n[fs#0]\ntype = directory\npath = /tmp\nmnt = /x\n[fs#1]\ntype = ext4\n");
  const lines = alerts.map(formatAlert);
  assert.ok(lines.some((l) => /:2: \[DEFAULT\] nodes@n1 = "n1": error: keyword "nodes" cannot be scoped/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /:6: \[fs#0\] mnt = "\/x": warning: keyword "mnt" only applies to fs type mount/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /:7: \[fs#1\] mnt: error: required keyword "mnt" is missing/.test(l)), lines.join("\n"));
});

test("schedule problems come from the schedule checker, with the task's time zone", () => {
  const seen: Array<[string, string | undefined]> = [];
  const { alerts } = loadService(parseObjectPath("db"), "db.conf", "[DEFAULT]\ntimezone = Europe/Paris\n[task#0]\ncommand = a\nschedule = bogus\nconfirmation = true\n", ctx, {
    checkSchedule: (expr, tz) => {
      seen.push([expr, tz]);
      return { error: `invalid schedule "${expr}"`, warnings: [] };
    },
  });
  assert.deepEqual(seen, [["bogus", "Europe/Paris"]]);
  assert.ok(alerts.some((a) => a.level === "error" && a.line === 5 && /invalid schedule "bogus"/.test(a.message)));
  assert.ok(alerts.some((a) => a.level === "warning" && /never scheduled/.test(a.message)));
});

test("a reference that resolves to nothing is an error at its line, wherever it hides", () => {
  const { alerts } = load(`[env]
base = {env.nothere}/b
[task#0]
command = rm -rf {env.dir}/x
[task#1]
command = echo {env.base}
environment = A={nope}
[task#2]
command = awk '{{print}}' {{env.dir}}
`);
  const lines = alerts.map(formatAlert);
  const expect = [
    /^\/r\/etc\/db\.conf:2: \[env\] base = "\{env.nothere\}\/b": error: reference \{env.nothere\} resolves to nothing/,
    /^\/r\/etc\/db\.conf:4: \[task#0\] command = "rm -rf \{env.dir\}\/x": error: reference \{env.dir\} resolves to nothing.*write \{\{ and \}\} for literal braces/,
    /^\/r\/etc\/db\.conf:6: \[task#1\] command = "echo \{env.base\}": error: reference \{env.nothere\} resolves to nothing/,
    /^\/r\/etc\/db\.conf:7: \[task#1\] environment = "A=\{nope\}": error: reference \{nope\} resolves to nothing/,
  ];
  for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `missing ${re}\n${lines.join("\n")}`);
  assert.equal(lines.length, expect.length, lines.join("\n"));
});

test("an unknown section kind is an error with the closest valid section", () => {
  const { alerts } = load("[tsk#1]\ncommand = a\n[Task#2]\ncommand = b\n[defualt]\nnodes = x\n[subst#g]\nparallel = true\n[zzzzzz]\n");
  const lines = alerts.map(formatAlert);
  assert.match(lines[0]!, /^\/r\/etc\/db\.conf:1: \[tsk#1\]: error: unknown section kind: did you mean \[task#1\]\?/);
  assert.match(lines[1]!, /:3: \[Task#2\]: error: unknown section kind: did you mean \[task#2\]\?/);
  assert.match(lines[2]!, /:5: \[defualt\]: error: unknown section kind: did you mean \[DEFAULT\]\?/);
  assert.match(lines[3]!, /:7: \[subst#g\]: error: unknown section kind: did you mean \[subset#task:g\]\?/);
  assert.match(lines[4]!, /:9: \[zzzzzz\]: error: unknown section kind: a section is DEFAULT, env, subset#task:<name> or <group>#<index> with group task, fs, ip, app$/);
  assert.equal(lines.length, 5, lines.join("\n"));
});

test("values substituted into commands and environments are quoted for the shell; other keywords get them as they are", () => {
  const { config } = loadService(parseObjectPath("db"), "/r/etc/db.conf", "[task#0]\ncommand = ls -d {private_var} \"{private_var}/x\"\nenvironment = D={private_var}\ncwd = {private_var}\n", {
    nodename: "n1",
    paths: pathsFor("/srv/my root$(touch PWNED)"),
  });
  assert.equal(config.text("task#0", "command")!.text, `ls -d '/srv/my root$(touch PWNED)/var/svc/db' "/srv/my root\\$(touch PWNED)/var/svc/db/x"`);
  assert.deepEqual(config.value("task#0", "environment"), { D: "/srv/my root$(touch PWNED)/var/svc/db" });
  assert.equal(config.text("task#0", "cwd")!.text, "/srv/my root$(touch PWNED)/var/svc/db");
});
