import type { LastRunWriter } from "../core/run-ports.js";
import { lastRunFile } from "../core/paths.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { WriteStateFile } from "./background-state-files.js";

/** A task's `last_run` file (lastRunFile): JSON of the last run, replaced atomically. */
export function createLastRunWriter(varDir: string, write: WriteStateFile = writeFileAtomic): LastRunWriter {
  return {
    write(rid, lastRun) {
      write(lastRunFile(varDir, rid), JSON.stringify(lastRun) + "\n");
    },
  };
}
