import { quoteShellWord } from "../core/shlex.js";

/**
 * Supertask's two step kinds as a command: the same Python callable, called with the same
 * arguments, in a python3 process of its own (Supertask calls it inside its scheduler process).
 * Arguments travel as JSON text decoded by Python, so every value JSON can hold arrives
 * unchanged (a JSON string literal is also a valid Python string literal).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `module.sub:function` or `module:Class.method`. */
export const ENTRYPOINT = /^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/;

function callArgs(args: readonly JsonValue[], kwargs: Record<string, JsonValue>): string {
  return `*json.loads(${JSON.stringify(JSON.stringify(args))}), **json.loads(${JSON.stringify(JSON.stringify(kwargs))})`;
}

/** `python-entrypoint`: import the module, walk to the attribute, call it. */
export function entrypointCommand(run: string, args: readonly JsonValue[], kwargs: Record<string, JsonValue>): string {
  const [module, attribute] = run.split(":") as [string, string];
  const script =
    `import functools, importlib, json; ` +
    `f = functools.reduce(getattr, ${JSON.stringify(attribute)}.split("."), importlib.import_module(${JSON.stringify(module)})); ` +
    `f(${callArgs(args, kwargs)})`;
  return `python3 -c ${quoteShellWord(script)}`;
}

/** `python-file`: run the file as a module (not as __main__) and call its `run` function, as Supertask does. */
export function pythonFileCommand(run: string, args: readonly JsonValue[], kwargs: Record<string, JsonValue>): string {
  const colon = run.lastIndexOf(":");
  const path = colon > 0 ? run.slice(0, colon) : run;
  const script = `import json, runpy; ns = runpy.run_path(${JSON.stringify(path)}, run_name="supertask_task"); ns["run"](${callArgs(args, kwargs)})`;
  return `python3 -c ${quoteShellWord(script)}`;
}

/** A step as Supertask writes it. */
export interface PythonStep {
  readonly uses: "python-entrypoint" | "python-file";
  readonly run: string;
  readonly args: JsonValue[];
  readonly kwargs: Record<string, JsonValue>;
}

const STR = String.raw`"(?:[^"\\]|\\.)*"`;
const ENTRY_SCRIPT = new RegExp(String.raw`^import functools, importlib, json; f = functools\.reduce\(getattr, (${STR})\.split\("\."\), importlib\.import_module\((${STR})\)\); f\(\*json\.loads\((${STR})\), \*\*json\.loads\((${STR})\)\)$`);
const FILE_SCRIPT = new RegExp(String.raw`^import json, runpy; ns = runpy\.run_path\((${STR}), run_name="supertask_task"\); ns\["run"\]\(\*json\.loads\((${STR})\), \*\*json\.loads\((${STR})\)\)$`);

/**
 * The steps back from a command the two functions above wrote (several joined with `&&`), for
 * the reverse trip; null for any other command. `words`: the command split like a shell.
 */
export function stepsOf(words: readonly string[]): PythonStep[] | null {
  const steps: PythonStep[] = [];
  for (let i = 0; i < words.length; i += 4) {
    if (words[i] !== "python3" || words[i + 1] !== "-c" || (i + 3 < words.length && words[i + 3] !== "&&") || i + 2 >= words.length) return null;
    const step = stepOf(words[i + 2]!);
    if (step === null) return null;
    steps.push(step);
  }
  return steps.length === 0 ? null : steps;
}

function stepOf(script: string): PythonStep | null {
  const text = (s: string) => JSON.parse(s) as string;
  const e = ENTRY_SCRIPT.exec(script);
  if (e !== null) return { uses: "python-entrypoint", run: `${text(e[2]!)}:${text(e[1]!)}`, args: JSON.parse(text(e[3]!)) as JsonValue[], kwargs: JSON.parse(text(e[4]!)) as Record<string, JsonValue> };
  const f = FILE_SCRIPT.exec(script);
  if (f !== null) return { uses: "python-file", run: `${text(f[1]!)}:run`, args: JSON.parse(text(f[2]!)) as JsonValue[], kwargs: JSON.parse(text(f[3]!)) as Record<string, JsonValue> };
  return null;
}
