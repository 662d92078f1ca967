import quote from "shell-quote/quote.js";
import { ActionError } from "../core/errors.js";
import { splitShellWords } from "../core/shlex.js";

/**
 * How a task's command string is executed.
 * - `shell`: argv is `["/bin/sh", "-c", command]`, the string untouched.
 * - `exec`: argv is the string split like POSIX shlex, exec'd directly (PATH lookup by the runner).
 * `display` is argv quoted for a log line; pasting it into sh gives back the same argv.
 */
export interface CommandLine {
  readonly mode: "shell" | "exec";
  readonly argv: readonly string[];
  readonly display: string;
}

export const SHELL = "/bin/sh";

/**
 * Characters that make a command "shell syntax", wherever they appear, even inside quotes:
 * operators and pipes `| & ;`, redirections `< >`, expansions `$ \``, globs `* ? [ ]`,
 * grouping `( ) { }`, tilde `~`, comments `#`, negation `!`, and newline (a command separator).
 * Rule: when in doubt, use the shell. A false positive only costs one sh process, because for
 * strings without these characters sh and shlex split words identically; a false negative
 * would run a different command than the one written.
 */
const SHELL_CHARS = /[|&;<>$`*?[\](){}~#!\n]/;
/** A leading `NAME=value` word is an environment assignment for sh. */
const LEADING_ASSIGNMENT = /^[ \t]*[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * True when `command` must run through `/bin/sh -c`. Quoted text counts too:
 * `psql -c 'VACUUM ANALYZE;'` goes to the shell, as in OpenSVC (spec §5.7).
 */
export function needsShell(command: string): boolean {
  return SHELL_CHARS.test(command) || LEADING_ASSIGNMENT.test(command) || SHELL_WORDS.has(firstWord(command));
}

/**
 * Reserved words and builtins that have no meaning (or no binary) outside a shell:
 * `cd /srv && …` aside, a lone `exit 3` or `ulimit -n` must reach sh too.
 */
const SHELL_WORDS = new Set([
  "!", ".", ":", "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done", "elif",
  "else", "esac", "eval", "exec", "exit", "export", "fg", "fi", "for", "function", "getopts", "hash",
  "if", "in", "jobs", "read", "readonly", "return", "select", "set", "shift", "source", "then",
  "times", "trap", "type", "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
]);

function firstWord(command: string): string {
  return command.trimStart().split(/[ \t]/, 1)[0] ?? "";
}

/** Throws ActionError (exit 1) on an empty command, an unterminated quote or a trailing backslash. */
export function parseCommandLine(command: string): CommandLine {
  if (command.trim() === "") throw new ActionError("empty command");
  if (needsShell(command)) {
    const argv = [SHELL, "-c", command];
    return { mode: "shell", argv, display: formatArgv(argv) };
  }
  const argv = splitWords(command);
  return { mode: "exec", argv, display: formatArgv(argv) };
}

/** argv quoted for humans and logs; unambiguous (sh reads it back as the same argv). */
export function formatArgv(argv: readonly string[]): string {
  return quote(argv);
}

/**
 * Splits a command that has no shell syntax into argv (POSIX rules, no expansion; see
 * core/shlex.ts). Throws ActionError naming the command on an unterminated quote.
 */
export function splitWords(command: string): string[] {
  try {
    return splitShellWords(command);
  } catch (e) {
    throw new ActionError(`cannot split command ${JSON.stringify(command)}: ${(e as Error).message}`);
  }
}
