import type { Keyword } from "../keyword.js";
import { resourceKeywords } from "./common.js";

/**
 * Status-only resources: svcmgr reads their state for `print status` and `run_requires`;
 * it does not start or stop them.
 */
export const fsKeywords: readonly Keyword[] = [
  { section: "fs", option: "type", converter: "string", required: true, scopable: false, text: "`directory` for a directory (up when it exists), otherwise the filesystem type of a mount (ext4, xfs, nfs…; up when mounted).", example: "ext4" },
  { section: "fs", option: "mnt", converter: "string", scopable: true, types: ["mount"], required: true, text: "Mount point; the resource is up when it is mounted (read from /proc/self/mountinfo).", example: "/srv/db" },
  { section: "fs", option: "dev", converter: "string", scopable: true, types: ["mount"], text: "Device or source expected at the mount point; when set, the mount must come from it.", example: "/dev/vg0/db" },
  { section: "fs", option: "mnt_opt", converter: "string", scopable: true, types: ["mount"], text: "Mount options (kept for compatibility; not checked)." },
  { section: "fs", option: "path", converter: "string", scopable: true, types: ["directory"], required: true, text: "Directory path; the resource is up when it exists.", example: "/srv/app/shared" },
  ...resourceKeywords("fs"),
];

export const ipKeywords: readonly Keyword[] = [
  { section: "ip", option: "ipname", converter: "string", required: true, scopable: true, text: "Address (or host name resolving to it); the resource is up when it is configured on a local interface.", example: "10.0.0.50" },
  { section: "ip", option: "ipdev", converter: "string", scopable: true, text: "Interface the address must be on.", example: "eth0" },
  { section: "ip", option: "netmask", converter: "string", scopable: true, text: "Netmask or prefix length (kept for compatibility; not checked).", example: "24" },
  ...resourceKeywords("ip"),
];

export const appKeywords: readonly Keyword[] = [
  { section: "app", option: "type", converter: "enum", default: "simple", candidates: ["simple", "forking"], scopable: false, text: "Application driver (kept for compatibility)." },
  { section: "app", option: "check", converter: "command", scopable: true, text: "Status command: exit 0 is up, 1 is down, anything else warn. Without it the status is n/a.", example: "pg_isready -q" },
  { section: "app", option: "start", converter: "command", scopable: true, text: "Start command (kept for later; svcmgr does not start applications)." },
  { section: "app", option: "stop", converter: "command", scopable: true, text: "Stop command (kept for later)." },
  { section: "app", option: "user", converter: "string", scopable: true, text: "Run the check as this user (needs root).", example: "postgres" },
  { section: "app", option: "group", converter: "string", scopable: true, text: "Run the check with this group." },
  { section: "app", option: "cwd", converter: "string", scopable: true, text: "Working directory of the check." },
  { section: "app", option: "environment", converter: "environment", default: "", scopable: true, text: "Extra environment of the check, NAME=value words." },
  { section: "app", option: "check_timeout", converter: "duration", default: "10s", scopable: true, text: "The check is killed and reported `warn` after this long." },
  ...resourceKeywords("app"),
];

export const subsetKeywords: readonly Keyword[] = [
  { section: "subset", option: "parallel", converter: "bool", default: "false", scopable: true, text: "Run the subset's tasks in parallel instead of one after the other." },
];
