import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, cli, REPO } from "./helpers.js";
import { skipUnlessRoot } from "../helpers/require-all.js";

/** The shipped examples must stay valid and the demo must keep working. */
const EXAMPLES = join(REPO, "conf-examples");
const confs = readdirSync(EXAMPLES).filter((f) => f.endsWith(".conf")).sort();

describe("conf-examples", () => {
  test("there are example services", () => {
    assert.ok(confs.length >= 3, `expected the example services in ${EXAMPLES}, found ${confs.join(", ")}`);
  });

  for (const file of confs) {
    const name = file.slice(0, -".conf".length);
    test(`${file}: validate config finds no error and no warning`, async () => {
      const root = mkdtempSync(join(tmpdir(), "svcmgr-examples-"));
      try {
        mkdirSync(join(root, "etc"), { mode: 0o755 });
        copyFileSync(join(EXAMPLES, file), join(root, "etc", file));
        chmodSync(join(root, "etc", file), 0o644);
        const r = await cli(["--root", root, "-s", name, "validate", "config", "--format", "json"]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const [report] = JSON.parse(r.stdout) as Array<{ service: string; valid: boolean; alerts: unknown[] }>;
        assert.equal(report?.service, name);
        assert.equal(report?.valid, true);
        assert.deepEqual(report?.alerts, [], JSON.stringify(report?.alerts, null, 2));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test("demo.sh runs to the end and exits 0", { skip: skipUnlessRoot("demo.sh needs root (a task switches to user nobody)") }, () => {
    const r = spawnSync("bash", [join(EXAMPLES, "demo.sh")], { cwd: REPO, env: baseEnv({ KEEP: undefined }), encoding: "utf8", timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /# done/);
    assert.match(out, /requires on resource fs#data in state up, current state down/);
    assert.match(out, /restored .*appdb-dump-/);
    assert.match(out, /ALERT maintenance task#disk: disk check failed/);
  });
});
