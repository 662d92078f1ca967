const compiled = new Map<string, RegExp>();

/**
 * fnmatch-style glob (`*`, `?`, `[…]`) → anchored RegExp, compiled once per distinct glob
 * (the patterns come from configs and command lines: a small, fixed set).
 */
export function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re === undefined) compiled.set(glob, (re = compile(glob)));
  return re;
}

function compile(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Why `glob` cannot be used as a glob, or null: an unclosed or empty `[…]`, or a set the
 * RegExp engine refuses (a reversed range such as `[z-a]`). Values that reach globToRegExp
 * from files another program may have written are checked with this first.
 */
export function globProblem(glob: string): string | null {
  if (glob === "") return "an empty glob";
  for (let i = glob.indexOf("["); i >= 0; i = glob.indexOf("[", i + 1)) {
    const end = glob.indexOf("]", i + 2);
    if (end < 0) return `"[" at ${i + 1} is never closed by "]"`;
    i = end;
  }
  try {
    globToRegExp(glob);
  } catch (e) {
    return `not a valid set: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "").toLowerCase()}`;
  }
  return null;
}
