import { join } from "node:path";
import type { LastRunWriter } from "../core/run-ports.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { WriteStateFile } from "./background-state-files.js";

/** `<var>/svc/<name>/<rid>/last_run`: JSON of the last run, replaced atomically. */
export function createLastRunWriter(varDir: string, write: WriteStateFile = writeFileAtomic): LastRunWriter {
  return {
    write(rid, lastRun) {
      write(join(varDir, rid, "last_run"), JSON.stringify(lastRun) + "\n");
    },
  };
}
