import type { Keyword } from "../keyword.js";

const section = "DEFAULT" as const;

/** Object-level keywords: the [DEFAULT] section. */
export const defaultKeywords: readonly Keyword[] = [
  { section, option: "id", converter: "string", scopable: false, text: "A unique identifier of the service (free text, kept for compatibility)." },
  { section, option: "nodes", converter: "list", default: "*", scopable: false, text: "Nodes (host names or globs) where the service may run. An action on a node that is neither in nodes nor in drpnodes is refused.", example: "db1 db2" },
  { section, option: "drpnodes", converter: "list", default: "", scopable: false, text: "Disaster-recovery nodes; also valid nodes for actions, and the `@drpnodes` scope.", example: "db3" },
  { section, option: "drpnode", converter: "string", default: "", scopable: false, text: "Single disaster-recovery node (older spelling of drpnodes)." },
  { section, option: "encapnodes", converter: "list", default: "", scopable: false, text: "Nodes of the `@encapnodes` scope (accepted for compatibility)." },
  { section, option: "topology", converter: "enum", default: "failover", candidates: ["failover", "flex"], scopable: false, text: "failover: one active instance, tasks usually follow it through run_requires; flex: several active instances." },
  { section, option: "orchestrate", converter: "enum", default: "no", candidates: ["no", "ha", "start"], scopable: false, text: "Accepted for compatibility; svcmgr does not orchestrate starts. It never gates task runs." },
  { section, option: "env", converter: "string", default: "TST", scopable: false, text: "Service environment (PRD, TST, DEV…), exposed to references as {env}… and kept for compatibility.", example: "PRD" },
  { section, option: "run_schedule", converter: "schedule", scopable: true, text: "Schedule of every task that has no `schedule` of its own.", example: "@1h" },
  { section, option: "timezone", converter: "timezone", scopable: true, text: "IANA time zone the schedules of this service are evaluated in, unless a task sets its own. Default: the host's zone.", example: "Europe/Paris" },
  { section, option: "disable", converter: "bool", default: "false", scopable: true, text: "A disabled service runs no task and is not scheduled." },
  { section, option: "catchup", converter: "enum", candidates: ["latest", "none", "all"], scopable: true, text: "Default catch-up policy of the service's tasks (see task.catchup)." },
  { section, option: "catchup_window", converter: "duration", scopable: true, text: "Default catch-up window of the service's tasks (see task.catchup_window)." },
  { section, option: "comment", converter: "string", scopable: false, text: "Free text for humans." },
];
