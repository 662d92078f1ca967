import { formatAlert, hasErrors } from "../../core/alert.js";
import { nodeConfig, readNodeConfig } from "../../service/node-config.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { renderTable } from "../render.js";

export const nodeValidateCommand: CliCommand = {
  words: ["node", "validate"],
  describe: "Check the node configuration (<etc>/node.conf) and print every problem at once (exit 2 when there are errors)",
  options: { format: FORMAT_OPTION },
  examples: [["svcmgr node validate", "errors and warnings of node.conf, each with file:line, section, keyword and value"]],
  run(args, app) {
    const { config, alerts } = readNodeConfig(app);
    const valid = !hasErrors(alerts);
    if (args.format === "json") {
      app.stdout.write(JSON.stringify({ file: config.file, exists: config.exists, valid, alerts }, null, 2) + "\n");
      return valid ? 0 : 2;
    }
    for (const a of alerts) app.stdout.write(formatAlert(a) + "\n");
    const errors = alerts.filter((a) => a.level === "error").length;
    if (!config.exists) app.stderr.write(`${config.file}: no such file: every node setting has its default\n`);
    else app.stderr.write(`${config.file}: ${valid ? "configuration is valid" : "configuration is invalid"} (${errors} error(s), ${alerts.length - errors} warning(s))\n`);
    return valid ? 0 : 2;
  },
};

export const nodePrintConfigCommand: CliCommand = {
  words: ["node", "print", "config"],
  describe: "Print the node settings (<etc>/node.conf): every keyword's value, where it was set or that it is the default",
  options: { format: FORMAT_OPTION },
  examples: [["svcmgr node print config --format json", "the settings as JSON"]],
  run(args, app) {
    const config = nodeConfig(app);
    if (args.format === "json") {
      app.stdout.write(JSON.stringify({ file: config.file, exists: config.exists, sections: config.values }, null, 2) + "\n");
      return 0;
    }
    const rows = Object.entries(config.values).flatMap(([section, values]) =>
      Object.entries(values).map(([option, v]) => [`${section}.${option}`, v.text ?? "-", v.from ?? (v.text === null ? "not set" : "default")]),
    );
    app.stdout.write(renderTable(["KEYWORD", "VALUE", "FROM"], rows));
    return 0;
  },
};

export const nodeCommands: readonly CliCommand[] = [nodeValidateCommand, nodePrintConfigCommand];
