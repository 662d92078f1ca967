import { readFileSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { parseMountinfo, type ResourceProbe } from "../resource/probe.js";

/** The live host: /proc/self/mountinfo, the filesystem, network interfaces, DNS. */
export const hostProbe: ResourceProbe = {
  mounts: () => parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")),
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  localAddresses: () =>
    Object.entries(networkInterfaces()).flatMap(([iface, addrs]) => (addrs ?? []).map((a) => ({ address: a.address, iface }))),
  async resolve(name) {
    const { isIP } = await import("node:net");
    if (isIP(name)) return [name];
    const { lookup } = await import("node:dns/promises");
    return (await lookup(name, { all: true })).map((a) => a.address);
  },
};
