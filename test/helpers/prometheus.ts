/**
 * Reading Prometheus expositions in tests, and `promtool check metrics` (Debian's `prometheus` package; .ci/run installs it): the exposition
 * parsed and linted by Prometheus's own tool. Without it the tests that need it are skipped.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { skipUnless } from "./require-all.js";

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

export const promtool = onPath("promtool");

export function skipUnlessPromtool(): string | false {
  return skipUnless(promtool !== null, "needs promtool (Debian package prometheus; .ci/run installs it)");
}

/** promtool's verdict on an exposition text: its exit code and what it said. */
export function checkMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync(promtool!, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The samples of an exposition: `name{labels}` → value. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
