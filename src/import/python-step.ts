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
