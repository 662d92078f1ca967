import { clusterStatus, takeover } from "../../service/cluster-ops.js";
import { openService, requireNodeMember, requireSelector, selectServices } from "../../service/open.js";
import { parseDuration } from "../../core/duration.js";
import { UsageError } from "../../core/errors.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { renderTable } from "../render.js";

export const clusterStatusCommand: CliCommand = {
  words: ["cluster", "status"],
  describe: "Show the cluster as etcd holds it: the nodes and whether they are alive, each failover service's owner and fencing token (reads etcd: no daemon needed)",
  options: { format: { ...FORMAT_OPTION, describe: "Output format: json gives {nodes: [{name, alive}], services: [{path, topology, owner, token}]}" } },
  examples: [
    ["svcmgr cluster status", "nodes, owners and tokens"],
    ["svcmgr cluster status --format json", "the same as JSON"],
  ],
  async run(args, app) {
    const s = await clusterStatus(app);
    if (args.format === "json") {
      app.stdout.write(JSON.stringify({ nodes: s.nodes, services: s.services }, null, 2) + "\n");
      return 0;
    }
    app.stdout.write(`cluster ${s.cluster}, seen from ${app.nodename}\n\n`);
    app.stdout.write(renderTable(["NODE", "ALIVE"], s.nodes.map((n) => [n.name, n.alive ? "yes" : "no"])));
    app.stdout.write("\n");
    const owner = (o: string | null, topology: string) => (topology === "flex" ? "(flex: every node)" : o ?? "(none)");
    app.stdout.write(renderTable(["SERVICE", "TOPOLOGY", "OWNER", "TOKEN"], s.services.map((v) => [v.path, v.topology, owner(v.owner, v.topology), v.token === null ? "-" : String(v.token)])));
    return 0;
  },
};

export const takeoverCommand: CliCommand = {
  words: ["takeover"],
  describe: "Move a failover service's ownership to this node: the owner stops claiming slots, finishes or kills its runs (on_ownership_loss) and hands it over; waits until this node owns it",
  needsService: true,
  options: {
    timeout: { type: "string", describe: "How long to wait for the hand-over (then the request is withdrawn, exit 1)", default: "60s", requiresArg: true },
  },
  examples: [["svcmgr -s db takeover", "this node becomes db's owner (its daemon must run)"]],
  async run(args, app) {
    const timeoutMs = parseDuration(String(args.timeout ?? "60s"));
    if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${String(args.timeout)}: expected a duration such as 30s or 5m`);
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { config } = await openService(app, path);
      requireNodeMember(config, "takeover", app.nodename);
      const r = await takeover(app, config, timeoutMs);
      app.stdout.write(r.moved ? `${r.svc}: now owned by ${app.nodename} (fencing token ${r.token}), was ${r.from ?? "no node"}\n` : `${r.svc}: already owned by ${app.nodename} (fencing token ${r.token})\n`);
    }
    return 0;
  },
};

export const clusterCommands: readonly CliCommand[] = [clusterStatusCommand, takeoverCommand];
