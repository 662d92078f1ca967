import { KEYWORDS } from "../../config/keywords/index.js";
import { classifySection } from "../../config/service.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";

export const printConfigCommand: CliCommand = {
  words: ["print", "config"],
  describe: "Print the service configuration: the file as written, or with --eval every keyword's value on this node (scopes, inheritance, defaults and references applied)",
  needsService: true,
  options: { format: FORMAT_OPTION, eval: { type: "boolean", describe: "Show evaluated values instead of the file" } },
  async run(args, app) {
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { config } = await openService(app, path);
      if (args.eval !== true && args.format !== "json") {
        app.stdout.write(app.configFiles.read(path).text); // read again with the same checks: the file may have changed
        continue;
      }
      const evaluated: Record<string, Record<string, string>> = {};
      for (const section of config.doc.sections) {
        const c = classifySection(section.name);
        const values: Record<string, string> = {};
        if (c.kind === "env") for (const e of section.entries) values[e.key] = e.value;
        else if (c.kind !== "unknown") for (const kw of KEYWORDS[c.kind]) {
          const v = args.eval === true ? config.text(section.name, kw.option) : config.raw(section.name, kw.option);
          if (v !== undefined && (v.entry !== undefined || args.eval === true)) values[kw.option] = v.text;
        }
        evaluated[section.name] = values;
      }
      if (args.format === "json") app.stdout.write(JSON.stringify(evaluated, null, 2) + "\n");
      else for (const [s, kv] of Object.entries(evaluated)) app.stdout.write(`[${s}]\n${Object.entries(kv).map(([k, v]) => `${k} = ${v.replace(/\n/g, "\n    ")}\n`).join("")}\n`);
    }
    return 0;
  },
};
