/**
 * Writing to the process's standard output or error. The stream is built on first use (a few
 * ms each). A reader that goes away (`svcmgr … | head`) makes the next write fail with EPIPE:
 * from then on that stream's writes are dropped instead of the error crashing the process,
 * so a run still finishes and is recorded, and a print command ends with its own exit code.
 */
export interface StdOutput {
  write(text: string): void;
  /** Drops `text` while more than MAX_PENDING_BYTES wait for the reader (see Output.writeBounded). */
  writeBounded(text: string): void;
  /** The stream itself (for isTTY and columns); built on first access. */
  readonly stream: NodeJS.WriteStream;
}

const outputs = new Map<"stdout" | "stderr", StdOutput>();

export function stdOutput(name: "stdout" | "stderr"): StdOutput {
  let out = outputs.get(name);
  if (out === undefined) outputs.set(name, (out = guarded(name)));
  return out;
}

/**
 * What may wait in memory for a slow reader of task output (`svcmgr … run | slow-reader`):
 * Node queues every write to a pipe that is not drained, so without a bound a chatty task
 * makes svcmgr grow by its whole output.
 */
const MAX_PENDING_BYTES = 4 << 20;

function guarded(name: "stdout" | "stderr"): StdOutput {
  let stream: NodeJS.WriteStream | null = null;
  let broken = false;
  let dropped = 0;
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
    writeBounded(text) {
      if (broken) return;
      const s = get();
      if (s.writableLength <= MAX_PENDING_BYTES) return void s.write(text);
      if (dropped === 0) {
        s.once("drain", () => {
          stdOutput("stderr").write(`svcmgr: ${dropped} bytes of task output not shown on ${name}: its reader did not keep up (the run's output file has them)\n`);
          dropped = 0;
        });
      }
      dropped += Buffer.byteLength(text);
    },
    get stream() {
      return get();
    },
  };
}
