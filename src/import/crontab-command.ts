import { quoteShellWord } from "../core/shlex.js";

/**
 * cron's `%` rule: the first `%` not escaped by a backslash ends the command; the rest is its
 * standard input, with each further unescaped `%` a newline. `\%` stands for `%` in both parts
 * (the backslash is dropped); any other backslash is kept.
 */
export function splitPercent(text: string): { command: string; stdin: string | null } {
  let command = "";
  let stdin: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && text[i + 1] === "%") {
      stdin === null ? (command += "%") : (stdin += "%");
      i++;
    } else if (c === "%") {
      if (stdin === null) stdin = "";
      else stdin += "\n";
    } else if (stdin === null) command += c;
    else stdin += c;
  }
  return { command: command.trimEnd(), stdin };
}

/**
 * The command svcmgr runs for a crontab job: as written when cron's /bin/sh would run it the
 * same way; through `SHELL -c` for another shell; fed `stdin` through printf (exactly those
 * bytes, no newline added, as cron writes them) when the line had a `%`.
 */
export function stdinCommand(command: string, stdin: string | null, shell: string): string {
  const viaShell = shell === "/bin/sh" ? command : `${quoteShellWord(shell)} -c ${quoteShellWord(command)}`;
  if (stdin === null) return viaShell;
  const parts = stdin.split("\n");
  const format = parts.map(() => "%s").join("\\n");
  const target = shell === "/bin/sh" ? `/bin/sh -c ${quoteShellWord(command)}` : viaShell;
  return `printf '${format}' ${parts.map(quoteShellWord).join(" ")} | ${target}`;
}
