import { maskPassword } from "../../core/store-url.js";
import { UsageError } from "../../core/errors.js";
import type { CopyReport } from "../../history/copy.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";

/** Progress is said on stderr at most this often. */
const PROGRESS_MS = 1_000;

export const historyMigrateCommand: CliCommand = {
  words: ["history", "migrate"],
  describe: "Copy the embedded run history (records and their output files' paths) into a PostgreSQL store; a second copy writes nothing twice",
  options: {
    to: { type: "string", describe: "The PostgreSQL store: postgresql://USER@HOST[:PORT]/DATABASE (its tables are made when missing)", requiresArg: true },
    format: FORMAT_OPTION,
  },
  examples: [
    ["svcmgr history migrate --to postgresql://svcmgr@db.example.com/svcmgr", "copy this node's history, then point node.conf [history] store at it"],
  ],
  async run(args, app) {
    if (typeof args.to !== "string" || args.to === "") throw new UsageError("history migrate: --to postgresql://USER@HOST[:PORT]/DATABASE is required");
    const where = maskPassword(args.to);
    const json = args.format === "json";
    let said = app.clock.now();
    const report = await app.history.copyTo(args.to, (done, r) => {
      const now = app.clock.now();
      if (json || now - said < PROGRESS_MS) return;
      said = now;
      app.stderr.write(`svcmgr: ${done}/${r.total} record(s) read, ${r.copied} copied\n`);
    });
    if (json) app.stdout.write(JSON.stringify({ from: app.history.file, to: where, ...report }, null, 2) + "\n");
    else app.stdout.write(summary(app.history.file, where, report));
    return 0;
  },
};

function summary(from: string, to: string, r: CopyReport): string {
  const lines = [`copied ${r.copied} of ${r.total} record(s) from ${from} to ${to}`];
  if (r.known > 0) lines.push(`  ${r.known} already there (copied before)`);
  if (r.taken > 0) lines.push(`  ${r.taken} not copied: the store already has a record of their schedule slot`);
  if (r.inFlight > 0) lines.push(`  ${r.inFlight} still running, not copied: run history migrate again once they have ended`);
  return lines.join("\n") + "\n";
}
