/**
 * Writing to the process's standard output or error. The stream is built on first use (a few
 * ms each). A reader that goes away (`svcmgr … | head`) makes the next write fail with EPIPE:
 * from then on that stream's writes are dropped instead of the error crashing the process,
 * so a run still finishes and is recorded, and a print command ends with its own exit code.
 */
export interface StdOutput {
  write(text: string): void;
  /** The stream itself (for isTTY and columns); built on first access. */
  readonly stream: NodeJS.WriteStream;
}

const outputs = new Map<"stdout" | "stderr", StdOutput>();

export function stdOutput(name: "stdout" | "stderr"): StdOutput {
  let out = outputs.get(name);
  if (out === undefined) outputs.set(name, (out = guarded(name)));
  return out;
}

function guarded(name: "stdout" | "stderr"): StdOutput {
  let stream: NodeJS.WriteStream | null = null;
  let broken = false;
  const get = (): NodeJS.WriteStream => {
    if (stream === null) {
      stream = process[name];
      stream.on("error", () => (broken = true)); // EPIPE, or a descriptor that is gone: nobody reads any more
    }
    return stream;
  };
  return {
    write(text) {
      if (!broken) get().write(text);
    },
    get stream() {
      return get();
    },
  };
}
