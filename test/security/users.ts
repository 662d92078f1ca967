/**
 * Real local users for the security tests (which run as root in CI): created with a random
 * name, removed after the test with their home.
 */
import { execFileSync } from "node:child_process";

export interface LocalUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Creates a user (no home, shell /bin/sh); removed when `t` ends. */
export function createUser(t: { after(fn: () => void): void }): LocalUser {
  const name = `svcmgr-sec-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync("useradd", ["-M", "-s", "/bin/sh", name]);
  t.after(() => {
    try {
      execFileSync("userdel", [name], { stdio: "ignore" });
    } catch {
      // already gone
    }
  });
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  return { name, uid: id("-u"), gid: id("-g") };
}

/** argv that runs `argv` as `user` (setpriv, as svcmgr itself switches users). */
export function asUser(user: LocalUser, argv: readonly string[]): string[] {
  return ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--", ...argv];
}
