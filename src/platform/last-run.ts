import { join } from "node:path";
import type { LastRunWriter } from "../run/ports.js";
import { writeFileAtomic } from "./atomic-write.js";

/** `<var>/svc/<name>/<rid>/last_run`: JSON of the last run, replaced atomically. */
export function createLastRunWriter(varDir: string): LastRunWriter {
  return {
    write(rid, lastRun) {
      writeFileAtomic(join(varDir, rid, "last_run"), JSON.stringify(lastRun) + "\n");
    },
  };
}
