import { ActionError } from "../../core/errors.js";
import { HistoryDamagedError } from "../../history/damage.js";
import type { App } from "../../service/app.js";
import type { CliCommand } from "../command.js";

/**
 * The way out of a damaged run history: check it page by page; when it is damaged, keep it
 * aside (renamed, never deleted) so the next run starts a new history. A sound database is
 * left alone.
 */
export const historyRepairCommand: CliCommand = {
  words: ["history", "repair"],
  describe: "Check the run history database; when it is damaged, move it aside (kept as <file>.damaged-<time>) so a new history starts",
  examples: [["svcmgr history repair", "after an error saying the run history database is damaged"]],
  async run(_args, app) {
    const shared = app.history.shared();
    if (shared !== null) {
      app.stdout.write(`the run history is in PostgreSQL (${shared}): nothing to repair here (repair applies to the embedded SQLite database)\n`);
      return 0;
    }
    const file = app.history.file;
    if (!app.history.exists()) {
      app.stdout.write(`no run history database at ${file}: nothing to repair\n`);
      return 0;
    }
    const daemon = app.daemon.running();
    if (daemon !== null) throw new ActionError(`the daemon (pid ${daemon.pid}) is using ${file}: stop it first with: svcmgr daemon stop`);
    const problem = await damageOf(app);
    if (problem === null) {
      app.stdout.write(`the run history database ${file} is sound: nothing to repair\n`);
      return 0;
    }
    const dest = app.history.moveAside(app.clock.now());
    app.stdout.write(`the run history database ${file} was damaged (${problem.detail})\n`);
    app.stdout.write(`moved it to ${dest}: its records stay there (sqlite3 ${dest} .recover may save some)\n`);
    app.stdout.write("a new, empty history starts with the next run\n");
    return 0;
  },
};

async function damageOf(app: App): Promise<HistoryDamagedError | null> {
  try {
    await (await app.history.open({ verify: true })).close();
    return null;
  } catch (e) {
    if (e instanceof HistoryDamagedError) return e;
    throw e;
  }
}
