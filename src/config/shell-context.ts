/**
 * Follows the quoting context of a POSIX shell command line as its literal text is fed in,
 * so that a value inserted at the current position can be quoted for that context:
 * - unquoted (top level, inside `$(…)` or backquotes): the value becomes one single-quoted
 *   word (left bare when it holds only characters that are never special to sh);
 * - inside "…": `\`, `$`, backquote and `"` are escaped;
 * - inside '…': each `'` becomes `'\''`.
 * Either way the shell reads back exactly the value, as data: never expanded, never split,
 * never executed. The same holds for svcmgr's own word splitting (core/shlex.ts), which
 * follows the same quoting rules.
 */

type Context = "plain" | "single" | "double" | "paren" | "backquote";

/**
 * Values that need no quoting anywhere in a word: characters never special to sh, plus `=`
 * and `#` after the first one (a leading `#` starts a comment, a leading `=` could complete
 * an assignment `NAME{x}`).
 */
const SAFE = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./#-]*$/;

export class ShellContext {
  private readonly stack: Context[] = ["plain"];
  /** A backslash at the end of the last fed text escapes the next character fed. */
  private escaped = false;

  private get top(): Context {
    return this.stack[this.stack.length - 1]!;
  }

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      if (this.escaped) {
        this.escaped = false;
        continue;
      }
      i = this.step(text, i);
    }
  }

  quote(value: string): string {
    // A pending backslash would escape the value's first character (its opening quote):
    // give it a newline instead, which sh and shlex both drop as a line continuation.
    const lead = this.escaped ? "\n" : "";
    this.escaped = false;
    return lead + this.quoteIn(value);
  }

  private quoteIn(value: string): string {
    switch (this.top) {
      case "single":
        return value.replace(/'/g, "'\\''");
      case "double":
        return value.replace(/[\\$`"]/g, (c) => `\\${c}`);
      default:
        return SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
    }
  }

  /** Consumes the character at `i` (and possibly the next); returns the index of the last one consumed. */
  private step(text: string, i: number): number {
    const c = text[i]!;
    const top = this.top;
    if (top === "single") {
      if (c === "'") this.stack.pop();
      return i;
    }
    if (c === "\\") {
      if (i + 1 < text.length) return i + 1;
      this.escaped = true;
      return i;
    }
    if (c === "$" && text[i + 1] === "(") {
      this.stack.push("paren");
      return i + 1;
    }
    if (c === "`") {
      if (top === "backquote") this.stack.pop();
      else this.stack.push("backquote");
      return i;
    }
    if (top === "double") {
      if (c === '"') this.stack.pop();
      return i;
    }
    if (c === "'") this.stack.push("single");
    else if (c === '"') this.stack.push("double");
    else if (c === "(" && top === "paren") this.stack.push("paren");
    else if (c === ")" && top === "paren") this.stack.pop();
    return i;
  }
}
