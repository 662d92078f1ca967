import type { ResourceDriver } from "../driver.js";

/** ip: up when `ipname` (resolved) is configured on a local interface, on `ipdev` when set. */
export const ipDriver: ResourceDriver = {
  group: "ip",
  name: () => "ip",
  status: async (config, rid, deps) => {
    const ipname = config.text(rid, "ipname")?.text ?? "";
    const ipdev = config.text(rid, "ipdev")?.text;
    let wanted: string[];
    try {
      wanted = await deps.probe.resolve(ipname); // an address resolves to itself
    } catch (e) {
      return { status: "down", log: [`cannot resolve ${ipname}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
    }
    if (wanted.length === 0) return { status: "down", log: [`cannot resolve ${ipname}`] };
    const here = deps.probe.localAddresses().filter((a) => wanted.includes(a.address) && (ipdev === undefined || ipdev === "" || a.iface === ipdev || a.iface.startsWith(`${ipdev}:`)));
    return here.length > 0 ? { status: "up", log: [] } : { status: "down", log: [`${ipname} is not configured${ipdev ? ` on ${ipdev}` : ""}`] };
  },
};
