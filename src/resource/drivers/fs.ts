import { fsDriverType } from "../../config/validate.js";
import type { DriverStatus, ResourceDriver } from "../driver.js";
import type { ResourceProbe } from "../probe.js";

/** fs: a mount (up when `mnt` is a mount point, from `dev` when set) or a directory (up when `path` is one). */
export const fsDriver: ResourceDriver = {
  group: "fs",
  name: (config, rid) => (fsDriverType(config, rid) === "directory" ? "fs.directory" : `fs.${config.text(rid, "type")?.text ?? "mount"}`),
  status: async (config, rid, deps) => {
    const text = (k: string) => config.text(rid, k)?.text;
    return fsDriverType(config, rid) === "directory" ? directoryStatus(text("path") ?? "", deps.probe) : mountStatus(text("mnt") ?? "", text("dev"), deps.probe);
  },
};

function directoryStatus(path: string, probe: ResourceProbe): DriverStatus {
  return probe.isDirectory(path) ? { status: "up", log: [] } : { status: "down", log: [`${path} is not a directory`] };
}

function mountStatus(mnt: string, dev: string | undefined, probe: ResourceProbe): DriverStatus {
  const mounted = probe.mounts().filter((m) => m.mountPoint === mnt.replace(/\/+$/, "") || (mnt === "/" && m.mountPoint === "/"));
  if (mounted.length === 0) return { status: "down", log: [`${mnt} is not mounted`] };
  if (dev !== undefined && dev !== "" && !mounted.some((m) => m.source === dev)) {
    return { status: "down", log: [`${mnt} is mounted from ${mounted.map((m) => m.source).join(", ")}, not ${dev}`] };
  }
  return { status: "up", log: [] };
}
