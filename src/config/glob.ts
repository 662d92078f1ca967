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
