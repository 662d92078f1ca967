import { UsageError } from "../../core/errors.js";
import { KEYWORDS, SECTION_KINDS } from "../../config/keywords/index.js";
import type { SectionKind } from "../../config/keyword.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";

export const keywordsCommand: CliCommand = {
  words: ["keywords"],
  describe: "Document the configuration keywords (all sections, or one: DEFAULT, task, fs, ip, app, subset)",
  positionals: [{ name: "section", describe: "Section kind", required: false }],
  options: { format: FORMAT_OPTION },
  run(args, app) {
    const wanted = typeof args.section === "string" ? args.section : undefined;
    if (wanted !== undefined && !(SECTION_KINDS as string[]).includes(wanted)) throw new UsageError(`unknown section "${wanted}": expected one of ${SECTION_KINDS.join(", ")}`);
    const kinds = wanted === undefined ? SECTION_KINDS : [wanted as SectionKind];
    if (args.format === "json") {
      app.stdout.write(JSON.stringify(kinds.flatMap((k) => KEYWORDS[k]), null, 2) + "\n");
      return 0;
    }
    for (const kind of kinds) {
      app.stdout.write(`[${kind === "DEFAULT" ? "DEFAULT" : kind === "subset" ? "subset#task:<name>" : `${kind}#<index>`}]\n`);
      for (const kw of KEYWORDS[kind]) {
        const facts = [kw.converter, kw.default !== undefined && kw.default !== "" ? `default ${kw.default}` : "", kw.inherit ? `falls back to DEFAULT.${kw.inherit}` : "", kw.required ? "required" : "", kw.scopable ? "scopable" : "", kw.candidates ? `one of ${kw.candidates.filter((c) => c !== "").join("|")}` : ""].filter((f) => f !== "");
        app.stdout.write(`  ${kw.option}  (${facts.join(", ")})\n      ${kw.text}\n${kw.example ? `      example: ${kw.option} = ${kw.example}\n` : ""}`);
      }
      app.stdout.write("\n");
    }
    return 0;
  },
};
