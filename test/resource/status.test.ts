import { test } from "node:test";
import { isIP } from "node:net";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { resourceState, type StatusDeps } from "../../src/resource/status.js";
import type { ResourceProbe } from "../../src/resource/probe.js";

const ctx = { nodename: "n1.example.com", paths: pathsFor("/r") };
const load = (text: string) => loadService(parseObjectPath("web"), "/r/etc/web.conf", text, ctx).config;

/** A host with 10.0.0.5 on eth0 (and an alias eth0:1 with 10.0.0.6); names resolve from `dns`. */
function deps(dns: Record<string, string[] | Error>): StatusDeps {
  const probe: ResourceProbe = {
    mounts: () => [],
    isDirectory: () => false,
    localAddresses: () => [{ address: "127.0.0.1", iface: "lo" }, { address: "10.0.0.5", iface: "eth0" }, { address: "10.0.0.6", iface: "eth0:1" }],
    async resolve(name) {
      if (isIP(name)) return [name]; // the probe's contract: an address resolves to itself
      const answer = dns[name];
      if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { probe, runCheck: async () => 0, readLastRun: () => null, runningCount: () => 0 };
}

test("ip: an address or a name configured on this host is up, on the given ipdev (or its aliases) only", async () => {
  const config = load("[ip#0]\nipname = 10.0.0.5\n[ip#1]\nipname = web.example.com\n[ip#2]\nipname = 10.0.0.6\nipdev = eth0\n[ip#3]\nipname = 10.0.0.5\nipdev = eth1\n[ip#4]\nipname = 192.0.2.7\n");
  const d = deps({ "web.example.com": ["192.0.2.1", "10.0.0.5"] });
  const state = async (rid: string) => {
    const s = await resourceState(config, rid, d);
    return [s.status, ...s.log];
  };
  assert.deepEqual(await state("ip#0"), ["up"]);
  assert.deepEqual(await state("ip#1"), ["up"], "one of the name's addresses is here");
  assert.deepEqual(await state("ip#2"), ["up"], "on an alias of ipdev");
  assert.deepEqual(await state("ip#3"), ["down", "10.0.0.5 is not configured on eth1"]);
  assert.deepEqual(await state("ip#4"), ["down", "192.0.2.7 is not configured"]);
});

test("ip: a name that does not resolve is down, and the log says why", async () => {
  const config = load("[ip#0]\nipname = gone.example.com\n[ip#1]\nipname = slow.example.com\n[ip#2]\nipname = empty.example.com\n");
  const d = deps({ "slow.example.com": Object.assign(new Error("getaddrinfo EAI_AGAIN slow.example.com"), { code: "EAI_AGAIN" }), "empty.example.com": [] });
  assert.deepEqual((await resourceState(config, "ip#0", d)).log, ["cannot resolve gone.example.com: ENOTFOUND"]);
  assert.deepEqual((await resourceState(config, "ip#1", d)).log, ["cannot resolve slow.example.com: EAI_AGAIN"]);
  const empty = await resourceState(config, "ip#2", d);
  assert.deepEqual([empty.status, ...empty.log], ["down", "cannot resolve empty.example.com"]);
});
