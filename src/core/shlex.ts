/**
 * POSIX shell word splitting without expansion: blanks (space, tab, newline — sh's default
 * IFS; `\r` stays inside a word, as in sh) separate words; '…' keeps everything literally;
 * "…" keeps everything but lets \ escape " \ $ ` and newline; outside quotes \ escapes the
 * next character (\newline joins lines). Throws an Error naming the problem and its column on
 * an unterminated quote or a trailing backslash.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote at column ${i + 1}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const [chunk, next] = readDoubleQuoted(text, i);
      word += chunk;
      inWord = true;
      i = next;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new Error("trailing backslash");
      if (text[i + 1] !== "\n") word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Reads "…" starting at the opening quote; returns the unquoted text and the index after the closing quote. */
function readDoubleQuoted(text: string, start: number): [string, number] {
  let out = "";
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return [out, i + 1];
    if (c === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
      if (text[i + 1] !== "\n") out += text[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  throw new Error(`unterminated double quote at column ${start + 1}`);
}

/** One POSIX shell word for `text`: as is when it holds only safe characters, else single-quoted ('\'' for a quote). */
export function quoteShellWord(text: string): string {
  if (/^[A-Za-z0-9_\/.,:=@%+-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The words of `text`, or the message saying why it cannot be split (for a keyword's value check). */
export function shellWordsOrError(text: string): string[] | string {
  try {
    return splitShellWords(text);
  } catch (e) {
    return (e as Error).message;
  }
}
