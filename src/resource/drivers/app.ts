import type { ResourceDriver } from "../driver.js";

/** app: its `check` command says the state: 0 up, 1 down, anything else warn; no check: n/a. */
export const appDriver: ResourceDriver = {
  group: "app",
  name: (config, rid) => `app.${config.text(rid, "type")?.text ?? "simple"}`,
  status: async (config, rid, deps) => {
    if (config.text(rid, "check") === undefined) return { status: "n/a", log: ["no check command"] };
    const code = await deps.runCheck(config, rid);
    if (code === null) return { status: "warn", log: ["check could not run or timed out"] };
    return { status: code === 0 ? "up" : code === 1 ? "down" : "warn", log: code > 1 ? [`check exited with code ${code}`] : [] };
  },
};
