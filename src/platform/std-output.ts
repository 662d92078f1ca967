import { fstatSync, writeSync } from "node:fs";

/**
 * Writing to the process's standard output or error. The stream is built on first use (a few
 * ms each). A reader that goes away (`svcmgr … | head`) makes the next write fail with EPIPE:
 * from then on that stream's writes are dropped instead of the error crashing the process,
 * so a run still finishes and is recorded, and a print command ends with its own exit code.
 *
 * Standard error is written with write(2) until its stream exists: building process.stderr
 * loads Node's stream and net modules, ~10 ms of every run that only prints a line per task.
 * Text that the descriptor does not take at once (a full non-blocking pipe) goes through the
 * stream, and once the stream exists everything does, so lines keep their order.
 */
export interface StdOutput {
  write(text: string): void;
  /** Drops `text` while more than MAX_PENDING_BYTES wait for the reader (see Output.writeBounded). */
  writeBounded(text: string): void;
  /** True on a terminal; builds the stream only for a character device (a terminal or /dev/null). */
  readonly isTTY: boolean;
  /** The stream itself (for columns); built on first access. */
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
  const fd = name === "stdout" ? 1 : 2;
  return {
    write(text) {
      if (broken) return;
      const rest = stream === null && name === "stderr" ? writeDirect(fd, text) : text;
      if (rest === null) broken = true;
      else if (rest.length > 0) get().write(rest);
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
    get isTTY() {
      if (stream === null && !isCharacterDevice(fd)) return false;
      return get().isTTY === true;
    },
    get stream() {
      return get();
    },
  };
}

/**
 * Writes what `fd` takes now and returns the bytes it did not take (empty when all went; a full
 * non-blocking pipe or an interrupted call leaves some), or null when nobody reads any more
 * (EPIPE, a closed descriptor), as the stream's error would say.
 */
function writeDirect(fd: number, text: string): Buffer | null {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EAGAIN" && code !== "EINTR") return null;
  }
  return bytes.subarray(done);
}

function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}
